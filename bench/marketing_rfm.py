"""RFM benchmark (issue 22): one RFM and churn run over N customers and M
money events.

    .venv/bin/python -m bench.marketing_rfm                        # 100,000 customers, 1M events
    .venv/bin/python -m bench.marketing_rfm --customers 1m --events 10m
    .venv/bin/python -m bench.marketing_rfm --database postgresql+psycopg://postgres@127.0.0.1/bench_rfm

Loads a fresh database: the users, teams and customers of bench/load.py (no
contacts or activities), and ``--events`` money events in a table of a bench
plugin (``bench_money_event``: customer, time, amount, indexed by customer as
a plugin's table would be) that declares them through
``trellis_money_events`` — so the run reads them exactly as it reads won
deals or paid visits. Events fall on the last two years (a third of the
customers only before the last year, so recency and frequency spread), one
in fifty a refund. Then ``ANALYZE`` and two runs of the same day, timed
(the second shows what a re-run costs and that it gives the same figures).
Prints the figures; writes nothing to bench/results.md.

Target (issue 22): 1M customers and 10M money events ≤ 60 s on both databases.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bench.common import backend, parse_scale, prepare


def _events(customers: int, events: int, seed: int, now: datetime):
    """``events`` rows ``(customer_id, occurred_at, amount)`` over customer ids 1..``customers``."""
    rng = random.Random(seed)
    two_years = 730 * 24 * 3600
    for _ in range(events):
        customer = rng.randint(1, customers)
        if customer % 3 == 0:  # these stopped buying a year ago
            seconds = rng.randint(365 * 24 * 3600, two_years)
        else:
            seconds = int(two_years * rng.random() ** 2)  # more of them lately
        amount = Decimal(rng.randint(1_000, 500_000)) / 100
        yield customer, now - timedelta(seconds=seconds), -amount if rng.random() < 0.02 else amount


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--customers", type=parse_scale, default=parse_scale("100k"))
    parser.add_argument("--events", type=parse_scale, default=parse_scale("1m"))
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args()
    url = prepare(args.database)

    import sqlalchemy as sa

    from bench.bulk import bulk_insert, progress_bar
    from bench.load import load
    from core import create_app
    from core.api import MoneyEvent
    from core.extensions import db
    from core.migrate import upgrade
    from core.testing import plugin_module
    from plugins.marketing.models import RfmScore
    from plugins.marketing.services import rfm

    meta = sa.MetaData()
    table = sa.Table(
        "bench_money_event",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
    )

    def paid():
        return sa.select(table.c.customer_id, table.c.occurred_at, table.c.amount)

    probe = plugin_module(
        "bench_money", trellis_money_events=lambda: [MoneyEvent("bench_money.paid", "Paid", paid)]
    )
    app = create_app({"TRELLIS_JOBS": "immediate", "TRELLIS_EXTRA_PLUGINS": [probe]})
    with app.app_context():
        upgrade()
        print(f"{backend(url)}: loading {args.customers:,} customers ...", flush=True)
        load(args.customers, contacts_each=0, activities_each=0, timeline=0, progress=False)
        meta.create_all(db.engine)
        now = datetime.now(UTC)
        started = time.perf_counter()
        with progress_bar(args.events, "money events", True) as advance:
            bulk_insert(
                "bench_money_event",
                ("customer_id", "occurred_at", "amount"),
                _events(args.customers, args.events, args.seed, now),
                progress=advance,
            )
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE INDEX ix_bench_money_event_customer ON bench_money_event (customer_id)"
            )
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE")
        print(f"  loaded in {time.perf_counter() - started:.1f} s", flush=True)

        timings = []
        for attempt in ("first run", "same day again"):
            started = time.perf_counter()
            run = rfm.start_run(None, now=now)
            seconds = time.perf_counter() - started
            timings.append(seconds)
            print(
                f"  {attempt}: {seconds:.1f} s — {run.status}, {run.customers:,} customers scored,"
                f" {run.events:,} events read{' (' + run.error + ')' if run.error else ''}",
                flush=True,
            )
        segments = db.session.execute(
            sa.select(RfmScore.segment, sa.func.count()).group_by(RfmScore.segment)
        ).all()
        print("  segments:", ", ".join(f"{s} {n:,}" for s, n in sorted(segments)), flush=True)
        print(
            f"RESULT {backend(url)} customers={args.customers} events={args.events} "
            f"run={timings[0]:.1f}s again={timings[1]:.1f}s",
            flush=True,
        )


if __name__ == "__main__":
    main()
