"""Load test: mixed user traffic against two app servers, PostgreSQL and Redis.

    .venv/bin/python -m bench.load_test                           # the ladder; results.md
    .venv/bin/python -m bench.load_test --users 2 --duration 5    # a smoke run
    .venv/bin/python -m bench.load_test --keep                    # keep the database ...
    .venv/bin/python -m bench.load_test --reuse --users 40,60     # ... and run on it again

Creates its own PostgreSQL database (``--database``, dropped at the end
unless ``--keep``), loads a modest data set (``bench/load.py``: customers,
three contacts and a few activities each, 100 reps in 10 teams;
``bench/service_data.py``: 200 engineers and two years of work orders; ten
dispatchers and a public request link), builds the search index, then
starts the set-up of the reference deployment (``compose.yaml``) with
``core.testing.servers``: the one-shot migration, two app servers
(``trellis serve --workers 2`` each) and one job worker (``trellis worker``),
all on the shared settings, Redis at ``--redis``. ``bench/locustfile.py``
plays the reverse proxy (round robin) and the users, headless, on a ladder
of ``--users`` steps of ``--duration`` measured seconds each, stopping after
the first step with p95 over 200 ms or any error. Writes its section of
bench/results.md (not for a smoke run: steps shorter than 30 s).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from bench.load_report import LIMIT_MS, errors_of, report

HERE = Path(__file__).resolve().parent
TITLE = "Load test (two app servers, PostgreSQL, Redis)"
LADDER = "5,10,20,30,40,50,60,80,100,120,160,200"
SMOKE_SECONDS = 30


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--users", default=LADDER, help=f"users per step, comma separated (default {LADDER})")
    add("--duration", type=float, default=30, help="measured seconds per step")
    add("--ramp-rate", type=float, default=10, help="users started per second")
    add("--customers", type=int, default=20_000)
    add("--contacts-each", type=int, default=3)
    add("--activities-each", type=int, default=3)
    add("--orders", type=int, default=20_000, help="work orders over two years")
    add("--dispatchers", type=int, default=10)
    add("--servers", type=int, default=2, help="app servers")
    add("--app-workers", type=int, default=2, help="gunicorn workers per app server")
    add("--workers", type=int, default=1, help="job workers")
    add("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    add("--database", default="trellis_loadtest", help="the database to create (and drop)")
    add("--redis", default="redis://127.0.0.1:6379/8")
    add("--keep", action="store_true", help="keep the database for --reuse")
    add("--reuse", action="store_true", help="run on a database kept by --keep")
    add("--max-load", type=float, default=3.0, help="wait for a 1-minute load average below")
    add("--wait-load", type=float, default=900, help="... for at most this many seconds")
    add("--no-write", action="store_true", help="do not touch results.md")
    return parser.parse_args()


def fail(message: str) -> None:
    print(f"load test: {message}", file=sys.stderr)
    raise SystemExit(2)


def wait_for_quiet(max_load: float, seconds: float) -> float:
    """Wait (up to ``seconds``) for the 1-minute load average to fall to
    ``max_load`` (other work on the machine skews every figure); returns it."""
    deadline = time.monotonic() + seconds
    while (load := os.getloadavg()[0]) > max_load and time.monotonic() < deadline:
        print(f"  load average {load:.2f} > {max_load:g}: waiting ...", flush=True)
        time.sleep(min(30, max(deadline - time.monotonic(), 1)))
    return os.getloadavg()[0]


# ------------------------------------------------------------------ database


def create_database(admin_url: str, name: str, reuse: bool) -> str:
    url = make_url(admin_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if reuse and not exists:
                fail(f"no database {name} to reuse (make one with --keep)")
            if not reuse and exists:
                fail(f"database {name} already exists: drop it, or pass --reuse to run on it")
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    admin = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def load_data(args) -> dict:
    """The data set (unless reused), the search index; what it holds."""
    from sqlalchemy import func, select

    from bench.load import PASSWORD, load
    from bench.service_data import load_orders, people
    from core.extensions import db
    from core.models import Activity, Contact, Customer, Team
    from core.search import rebuild
    from core.services.users import create_user
    from plugins.service_dispatch.models import WorkOrder
    from plugins.service_dispatch.services import public

    if not args.reuse:
        print(f"loading {args.customers:,} customers, {args.orders:,} work orders ...", flush=True)
        loaded = load(args.customers, args.contacts_each, args.activities_each, timeline=0)
        orders = load_orders(args.orders, people(args.customers))
        for n in range(1, args.dispatchers):  # people() made the first one
            create_user(
                {"email": f"dispatcher{n}@example.com", "name": f"Dispatcher {n}"}
                | {"password": PASSWORD},
                None,
                role="dispatcher",
            )
        team = db.session.scalar(select(Team.id).order_by(Team.id))
        public.create_link("Load test", team, None)
        db.session.commit()
        print(
            f"  {loaded['rows'] + orders['rows']:,} rows in "
            f"{loaded['seconds'] + orders['seconds']:.0f} s; indexing ...",
            flush=True,
        )
        started = time.perf_counter()
        indexed = sum(rebuild().values())
        print(f"  indexed {indexed:,} records in {time.perf_counter() - started:.0f} s", flush=True)
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return {
        "customers": count(Customer),
        "contacts": count(Contact),
        "activities": count(Activity),
        "orders": count(WorkOrder),
    }


def write_plan(path: Path) -> dict:
    """What the simulated users need: accounts, the link's key, search words."""
    from sqlalchemy import select

    from bench.load import CITIES, PASSWORD, SYLLABLES
    from bench.service_data import DISPATCHER_EMAIL
    from core.extensions import db
    from core.models import Customer, Role, User
    from plugins.service_dispatch.models import RequestLink
    from plugins.service_dispatch.services import public

    def emails(role: str) -> list[str]:
        query = select(User.email).join(Role, User.role_id == Role.id).where(Role.name == role)
        return list(db.session.scalars(query.order_by(User.id)))

    dispatchers = emails("dispatcher")
    plan = {
        "password": PASSWORD,
        "reps": emails("sales"),
        "dispatchers": [DISPATCHER_EMAIL, *[e for e in dispatchers if e != DISPATCHER_EMAIL]],
        "request_key": db.session.scalar(select(RequestLink.key).order_by(RequestLink.id)),
        "customers": db.session.scalar(select(Customer.id).order_by(Customer.id.desc()).limit(1)),
        "latin": [s.capitalize() for s in SYLLABLES],
        "chinese": [c for c in CITIES if not c.isascii()],
        "categories": public.categories(),
    }
    path.write_text(json.dumps(plan, ensure_ascii=False, indent=1), encoding="utf-8")
    return plan


def forget_redis(app, redis_url: str) -> None:
    """Remove this installation's keys (queue, rate limits) from Redis."""
    import redis

    from core.jobs import queue_name

    conn = redis.Redis.from_url(redis_url)
    for key in conn.scan_iter(f"*{queue_name(app)}*"):
        conn.delete(key)


# ------------------------------------------------------------------ the run


def run_locust(args, installation, plan: Path, out: Path) -> dict:
    """The locust ladder, headless, and its figures."""
    from core.testing.servers import environment

    urls = installation.urls
    steps = [n for n in args.users.split(",") if n.strip()]
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--host",
        urls[0],
        "--servers",
        ",".join(urls),
        "--plan",
        str(plan),
        "--ladder",
        ",".join(steps),
        "--step-seconds",
        str(args.duration),
        "--ramp-rate",
        str(args.ramp_rate),
        "--p95-limit-ms",
        str(LIMIT_MS),
        "--results-json",
        str(out),
        "--warmup-seconds",
        str(min(30, args.duration)),
        "--app-pids",
        ",".join(str(p.popen.pid) for p in installation.servers),
        "--pg-database",
        args.database,
    ]
    started = time.monotonic()
    log = out.parent / "locust.log"
    with log.open("wb") as sink:  # its own summary and warnings; the figures are ours
        done = subprocess.run(
            command,
            env=environment({}),
            cwd=HERE.parent,
            stderr=sink,
            check=False,
            timeout=len(steps) * (args.duration + 180),  # a step takes well under 3 min more
        )
    wall = time.monotonic() - started
    if not out.exists():
        fail(f"locust exited {done.returncode} without figures:\n{log.read_text()[-3000:]}")
    return {"steps": json.loads(out.read_text()), "wall": wall}


def server_errors(installation) -> int:
    """Tracebacks in the app servers' and workers' logs."""
    return sum(p.output().count("Traceback") for p in installation.servers + installation.workers)


def main() -> None:
    args = options()
    for key in [k for k in os.environ if k.startswith("TRELLIS_")]:
        del os.environ[key]
    smoke = args.duration < SMOKE_SECONDS  # its figures do not count: no waiting
    quiet = wait_for_quiet(args.max_load, 0 if smoke else args.wait_load)
    print(f"load average before loading: {quiet:.2f}", flush=True)
    url = create_database(args.postgres, args.database, args.reuse)
    folder = Path(tempfile.mkdtemp(prefix="trellis-loadtest-"))
    settings = {
        "TRELLIS_DATABASE_URL": url,
        "TRELLIS_REDIS_URL": args.redis,
        "TRELLIS_SECRET_KEY": secrets.token_urlsafe(48),
        "TRELLIS_INSTANCE_PATH": str(folder / "instance"),
        "TRELLIS_ENV": "production",
        "TRELLIS_PROXIES": "1",
        "TRELLIS_JOBS": "queue",
    }
    os.environ.update(settings)
    app = None
    try:
        from core import create_app
        from core.testing.servers import MIGRATE, trellis

        trellis(MIGRATE, settings, timeout=600)  # the one-shot migration of a release
        app = create_app(settings)
        with app.app_context():
            held = load_data(args)
            plan = write_plan(folder / "plan.json")
            held.update(reps=len(plan["reps"]), dispatchers=len(plan["dispatchers"]))
            from core.extensions import db

            db.session.remove()
            db.engine.dispose()
        with start_installation(args, settings, folder / "logs") as installation:
            print(f"servers {' '.join(installation.urls)}; logs in {folder / 'logs'}", flush=True)
            load = wait_for_quiet(args.max_load, 0 if smoke else 120)  # our loading dies down
            print(f"load average at the start: {load:.2f}", flush=True)
            run = run_locust(args, installation, folder / "plan.json", folder / "steps.json")
            run["load_end"] = os.getloadavg()[0]
            errors = server_errors(installation)
        run.update(load_before=quiet, load_start=load, tracebacks=errors, held=held)
        run["args"] = vars(args)
        lines = report(run)
        print("\n".join(lines))
        if smoke:
            print(f"(steps shorter than {SMOKE_SECONDS} s: a smoke run, results.md left alone)")
        elif not args.no_write:
            from bench.core_api import write_section

            write_section(TITLE, lines)
        if not (args.keep or errors or any(errors_of(step) for step in run["steps"])):
            shutil.rmtree(folder, ignore_errors=True)  # else its logs tell what went wrong
    finally:
        if app is not None:
            forget_redis(app, args.redis)
        if not args.keep:
            drop_database(args.postgres, args.database)
        else:
            print(f"kept database {args.database} (run again with --reuse) and {folder}")


def start_installation(args, settings: dict, logs: Path):
    """The app servers and job workers of the reference deployment, as
    ``core.testing.servers.running`` starts them but with ``--app-workers``
    gunicorn workers per server (compose.yaml: 2; ``running`` uses 1) and
    the worker's threads of compose.yaml."""
    import contextlib

    from core.testing.servers import (
        SERVE,
        WORKER,
        Installation,
        free_port,
        start,
        wait_until_answering,
    )

    @contextlib.contextmanager
    def running():
        found = Installation()
        try:
            for n in range(1, args.servers + 1):
                port = free_port()
                where = ["--host", "127.0.0.1", "--port", str(port)]
                command = [*SERVE, *where, "--workers", str(args.app_workers)]
                found.servers.append(start(f"app{n}", command, settings, logs))
                found.urls.append(f"http://127.0.0.1:{port}")
            for n in range(1, args.workers + 1):
                command = [*WORKER, "--threads", "2"]
                found.workers.append(start(f"worker{n}", command, settings, logs, signal.SIGINT))
            for url, server in zip(found.urls, found.servers, strict=True):
                wait_until_answering(f"{url}/login", server)
            yield found
        finally:
            found.stop()

    return running()


if __name__ == "__main__":
    main()
