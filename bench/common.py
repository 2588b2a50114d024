"""Set-up the page and report benchmarks share: a fresh instance folder and
the database to point Trellis at, before the app is imported."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def prepare(database: str | None) -> str:
    """Point Trellis at ``database`` (default: a fresh SQLite file) with a
    fresh instance folder, dropping any other ``TRELLIS_*`` setting of the
    caller's environment; returns the database URL."""
    instance = Path(tempfile.mkdtemp(prefix="trellis-bench-"))
    url = database or f"sqlite:///{instance}/bench.db"
    for key in [k for k in os.environ if k.startswith("TRELLIS_")]:
        del os.environ[key]
    os.environ.update(
        TRELLIS_DATABASE_URL=url, TRELLIS_INSTANCE_PATH=str(instance), TRELLIS_SECRET_KEY="bench"
    )
    return url


def backend(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"
