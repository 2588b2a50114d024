"""Set-up the page and report benchmarks share: a fresh instance folder and
the database to point Trellis at, before the app is imported."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

#: named sizes of the core data set, in customers (each with 3 contacts and 10 activities)
SCALES = {"100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}


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


def parse_scale(value: str) -> int:
    """Customers for ``--scale``: a named size (``100k``, ``1m``, ``10m``)
    or a number, with an optional ``k``/``m`` (``300``, ``20k``)."""
    text = value.strip().lower().replace(",", "").replace("_", "")
    if text in SCALES:
        return SCALES[text]
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    digits = text[:-1] if factor > 1 else text
    if not digits.isdigit() or int(digits) * factor < 2:
        raise ValueError(f"not a scale: {value!r} (100k, 1m, 10m or a number of customers)")
    return int(digits) * factor


def backend(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


def add_scale(parser: argparse.ArgumentParser, default: str = "100k") -> None:
    """``--scale 100k|1m|10m`` (or a number of customers, ``20k``, ``300``),
    read into ``args.customers``; ``--customers N`` stays as its older spelling.
    Each customer comes with 3 contacts and 10 activities (bench/load.py)."""

    def scale(value: str) -> int:
        try:
            return parse_scale(value)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parser.add_argument(
        "--scale",
        dest="customers",
        type=scale,
        default=scale(default),
        help="data set: 100k (100,000 customers, 300,000 contacts, 1,001,000 activities), "
        "1m, 10m, or a number of customers (default %(default)s customers)",
    )
    parser.add_argument(
        "--customers",
        dest="customers",
        type=scale,
        default=argparse.SUPPRESS,
        help=argparse.SUPPRESS,
    )


def write_section(results: Path, title: str, name: str, part: str) -> None:
    """Put ``part`` (starting ``### name``) into the ``## title`` section of
    ``results``: in place of that section's own ``### name`` part, else at
    its end; the section is made at the file's end the first time."""
    text = results.read_text(encoding="utf-8")
    start = text.find(f"## {title}")
    if start < 0:
        text = text.rstrip("\n") + f"\n\n## {title}\n\n"
        start = text.find(f"## {title}")
    end = text.find("\n## ", start + 1)
    end = len(text) if end < 0 else end + 1
    section = text[start:end]
    mine = section.find(f"### {name}\n")
    if mine >= 0:
        after = section.find("\n### ", mine + 1)
        section = section[:mine] + part + (section[after + 1 :] if after >= 0 else "")
    else:
        section = section.rstrip("\n") + "\n\n" + part
    tail = "\n\n" + text[end:] if end < len(text) else "\n"
    results.write_text(text[:start] + section.rstrip("\n") + tail, encoding="utf-8")
