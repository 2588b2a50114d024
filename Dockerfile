# The Trellis image of the reference deployment (compose.yaml): the wheel built
# from this checkout, with its translations compiled (setup.py compiles every
# .po into a .mo while building, as `make translations` does in a checkout),
# the PostgreSQL driver, and PostgreSQL's client tools for `trellis backup` and
# `trellis restore` (pg_dump must be at least the server's version: Debian
# bookworm's is 15, the postgres image in compose.yaml). It runs as an
# unprivileged user; the instance folder (uploads, trellis.toml) is
# /var/lib/trellis, a volume.
#
#   docker build -t trellis-crm .

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY . .
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TRELLIS_ENV=production \
    TRELLIS_INSTANCE_PATH=/var/lib/trellis
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install "$(ls /wheels/trellis_crm-*.whl)[postgres]" \
    && rm -rf /wheels \
    && python -c "import core, pathlib, sys; \
sys.exit(not list(pathlib.Path(core.__file__).parent.glob('translations/zh*/LC_MESSAGES/*.mo')))" \
    && useradd --system --home-dir /var/lib/trellis --create-home --shell /usr/sbin/nologin trellis
USER trellis
WORKDIR /var/lib/trellis
VOLUME /var/lib/trellis
EXPOSE 8000
CMD ["trellis", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
