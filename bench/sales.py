"""Sales reports benchmark: funnel, forecast and KPIs at 1,000,000 deals.

    .venv/bin/python -m bench.sales                       # SQLite, a fresh file
    .venv/bin/python -m bench.sales --database postgresql+psycopg://postgres@127.0.0.1/bench_sales
    .venv/bin/python -m bench.sales --deals 100000 --no-write   # a quick look
    .venv/bin/python -m bench.sales --database URL --only KPIs --no-write   # some rows again

Loads a fresh database: the users, teams and customers of bench/load.py
(100 users in 10 teams, no contacts or activities), three pipelines, the
deals spread over three years with their stage history (one StageChange per
stage entered), leads (a quarter of them converted into a deal) and
follow-up tasks, with COPY on PostgreSQL and executemany on SQLite, then
adds the deals up into the report cells (``report_cells.rebuild``: plain SQL
passes the flush hooks by) and runs ``VACUUM ANALYZE`` (PostgreSQL) or
``ANALYZE`` (SQLite), as autovacuum would soon after such a load. Then
measures each report through the WSGI app in-process with a bearer token,
for an admin (all data), the benchmark manager (team scope) and a rep (own
deals), over all time and over the last 90 days: p50/p95 (bench/core_api's
``measure``). Writes its section of bench/results.md. The target is p95 ≤
200 ms for every report.

``--database`` of an already loaded database skips the load (for trying
indexes); the load figures are then left out. ``--only TEXT`` measures only
the rows whose name holds TEXT (``--only "KPIs, all time"``).
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bench.common import backend as backend_name
from bench.common import prepare
from bench.core_api import StatementLog, measure, write_section

PIPELINES = (
    (
        "New business",
        [("Lead in", 10), ("Qualified", 25), ("Proposal", 50), ("Negotiation", 80)],
        ("Won", "Lost"),
    ),
    ("Renewals", [("Due", 60), ("Quoted", 80)], ("Renewed", "Churned")),
    ("Partners", [("Contacted", 10), ("Demo", 40), ("Trial", 70)], ("Signed", "Dropped")),
)
LOST_REASONS = (
    "Price too high",
    "Chose a competitor",
    "No budget",
    "No decision",
    "Timing",
    "Product gap",
)
SOURCES = ("advertising", "website", "referral", "exhibition", "cold_call", "other")
CURRENCIES = ("CNY",) * 45 + ("USD",) * 4 + ("EUR",)
DEAL_COLUMNS = (
    "id",
    "title",
    "customer_id",
    "pipeline_id",
    "stage_id",
    "amount",
    "currency",
    "expected_close",
    "owner_id",
    "team_id",
    "lost_reason",
    "closed_at",
    "furthest_position",
    "created_at",
    "updated_at",
    "version",
)
CHANGE_COLUMNS = (
    "deal_id",
    "from_stage_id",
    "to_stage_id",
    "changed_at",
    "user_id",
    "created_at",
    "updated_at",
)
LEAD_COLUMNS = (
    "name",
    "source",
    "status",
    "owner_id",
    "team_id",
    "customer_id",
    "deal_id",
    "converted_at",
    "created_at",
    "updated_at",
    "version",
)
TASK_COLUMNS = (
    "kind",
    "subject",
    "occurred_at",
    "due_at",
    "done_at",
    "customer_id",
    "owner_id",
    "created_at",
    "updated_at",
    "version",
)


def load_sales(deals: int, leads: int, tasks: int, seed: int = 11) -> dict:
    """Pipelines, deals with history, leads and tasks over the loaded customers."""
    from sqlalchemy import select

    from bench.load import bulk_insert, reset_sequences
    from core.extensions import db
    from core.models import Customer, User
    from plugins.sales.services import pipelines as pipeline_service
    from plugins.sales.services import report_cells

    rng = random.Random(seed)
    pipelines = []
    for name, steps, (won, lost) in PIPELINES:
        stages = [{"name": n, "probability": p} for n, p in steps] + [
            {"name": won, "probability": 100, "outcome": "won"},
            {"name": lost, "probability": 0, "outcome": "lost"},
        ]
        pipelines.append(pipeline_service.create_pipeline({"name": name, "stages": stages}, None))
    shapes = [
        (
            [s for s in p.stages if s.outcome == "open"],
            next(s for s in p.stages if s.outcome == "won"),
            next(s for s in p.stages if s.outcome == "lost"),
            p.id,
        )
        for p in pipelines
    ]
    reps = [
        (u.id, u.team_id)
        for u in db.session.scalars(select(User).where(User.team_id.is_not(None)).order_by(User.id))
    ]
    customers: dict[int, list[int]] = {}
    for customer_id, owner_id in db.session.execute(select(Customer.id, Customer.owner_id)):
        customers.setdefault(owner_id, []).append(customer_id)
    now = datetime.now(UTC)
    started = time.perf_counter()
    history: list[tuple] = []
    deal_owner: list[tuple] = []  # (owner, team, customer, created) by deal id - 1

    def deal_rows():
        for n in range(1, deals + 1):
            open_stages, won, lost, pipeline_id = shapes[n % 3]
            owner_id, team_id = reps[rng.randrange(len(reps))]
            customer_id = rng.choice(customers[owner_id])
            created = now - timedelta(minutes=rng.randrange(0, 3 * 525_600))
            furthest = rng.randrange(len(open_stages))
            path = open_stages[: furthest + 1]
            closed_at = lost_reason = None
            roll = rng.random()
            if created < now - timedelta(days=120) and roll < 0.85 or roll < 0.35:
                end = won if rng.random() < 0.45 else lost
                if end is won:
                    path = open_stages  # won deals went through every stage
                path = path + [end]
                closed_at = min(
                    now,
                    created + timedelta(days=rng.randrange(3, 120), minutes=rng.randrange(1440)),
                )
                lost_reason = rng.choice(LOST_REASONS) if end is lost else None
            stage = path[-1]
            expected = (closed_at or now + timedelta(days=rng.randrange(0, 180))).date()
            step = ((closed_at or now) - created) / len(path)
            previous = None
            for k, entered in enumerate(path):
                at = created + step * k
                history.append((n, previous, entered.id, at, owner_id, at, at))
                previous = entered.id
            deal_owner.append((owner_id, team_id, customer_id, created))
            amount = Decimal(rng.randrange(100_000, 50_000_000)) / 100
            yield (
                n,
                f"Deal {n}",
                customer_id,
                pipeline_id,
                stage.id,
                amount,
                rng.choice(CURRENCIES),
                expected,
                owner_id,
                team_id,
                lost_reason,
                closed_at,
                max(s.position for s in path if s.outcome != "lost"),
                created,
                closed_at or created,
                1,
            )

    rows = bulk_insert("sales_deal", DEAL_COLUMNS, deal_rows())
    rows += bulk_insert("sales_stage_change", CHANGE_COLUMNS, iter(history))
    changes = len(history)
    history.clear()

    def lead_rows():
        for n in range(leads):
            source = rng.choice(SOURCES)
            if n % 4 == 0:  # converted into a deal: that deal's owner, customer and time
                deal_id = rng.randrange(1, deals + 1)
                owner_id, team_id, customer_id, created = deal_owner[deal_id - 1]
                yield (
                    f"Lead {n}",
                    source,
                    "converted",
                    owner_id,
                    team_id,
                    customer_id,
                    deal_id,
                    created,
                    created - timedelta(days=rng.randrange(1, 30)),
                    created,
                    1,
                )
            else:
                owner_id, team_id = reps[rng.randrange(len(reps))]
                created = now - timedelta(minutes=rng.randrange(0, 3 * 525_600))
                yield (
                    f"Lead {n}",
                    source,
                    rng.choice(("new", "working", "disqualified")),
                    owner_id,
                    team_id,
                    None,
                    None,
                    None,
                    created,
                    created,
                    1,
                )

    rows += bulk_insert("sales_lead", LEAD_COLUMNS, lead_rows())

    def task_rows():
        for n in range(tasks):
            owner_id, _team = reps[rng.randrange(len(reps))]
            due = now - timedelta(minutes=rng.randrange(-30 * 1440, 3 * 525_600))
            done = None
            if due < now and rng.random() < 0.9:
                done = due + timedelta(hours=rng.randrange(-72, 48))
            yield (
                "task",
                f"Follow-up {n}",
                due - timedelta(days=3),
                due,
                done,
                rng.choice(customers[owner_id]),
                owner_id,
                due - timedelta(days=3),
                done or due,
                1,
            )

    rows += bulk_insert("activity", TASK_COLUMNS, task_rows())
    reset_sequences(("sales_deal", "sales_stage_change", "sales_lead", "activity"))
    rows += report_cells.rebuild()  # the deals came in with plain SQL, past the flush hooks
    db.session.commit()
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "seconds": seconds,
        "deals": deals,
        "changes": changes,
        "leads": leads,
        "tasks": tasks,
        "pipeline_id": pipelines[0].id,
    }


def scenarios(pipeline_id: int, today) -> list[tuple[str, str]]:
    quarter = f"start={today - timedelta(days=90)}&end={today + timedelta(days=1)}"
    funnel = f"/api/v1/sales/reports/funnel?pipeline_id={pipeline_id}"
    return [
        ("funnel, all time", funnel),
        ("funnel, last 90 days", f"{funnel}&{quarter}"),
        ("forecast, all time", "/api/v1/sales/reports/forecast"),
        ("forecast, last 90 days", f"/api/v1/sales/reports/forecast?{quarter}"),
        ("KPIs, all time", "/api/v1/sales/reports/kpis"),
        ("KPIs, last 90 days", f"/api/v1/sales/reports/kpis?{quarter}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--no-write", action="store_true", help="do not touch results.md")
    parser.add_argument("--only", default="", help="measure only the rows whose name holds this")
    args = parser.parse_args()

    url = prepare(args.database)

    from sqlalchemy import func, select

    from bench.load import BENCH_EMAIL, load
    from core import create_app
    from core.extensions import db
    from core.migrate import upgrade
    from core.models import User
    from core.services.tokens import create_token
    from core.services.users import create_user
    from plugins.sales.models import Deal, Pipeline

    app = create_app({"TRELLIS_JOBS": "immediate"})
    loaded = None
    with app.app_context():
        upgrade()
        if not db.session.scalar(select(func.count()).select_from(Deal)):
            print(f"loading {args.customers:,} customers and {args.deals:,} deals ...", flush=True)
            people = load(args.customers, contacts_each=0, activities_each=0, timeline=0)
            loaded = load_sales(args.deals, leads=args.deals // 5, tasks=args.deals // 10)
            loaded["seconds"] += people["seconds"]
            loaded["rows"] += people["rows"]
            loaded["customers"] = people["customers"]
            print(
                f"  {loaded['rows']:,} rows in {loaded['seconds']:.1f} s "
                f"= {loaded['rows'] / loaded['seconds']:,.0f} rows/s",
                flush=True,
            )
            create_user(
                {
                    "email": "bench.admin@example.com",
                    "name": "Bench admin",
                    "password": "bench password 1",
                },
                None,
                role="admin",
            )
            db.session.commit()
            # what autovacuum leaves minutes after a bulk load: fresh planner
            # statistics, and on PostgreSQL the visibility map that lets the
            # covering indexes answer without reading the table
            vacuum = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql(vacuum)
        pipeline_id = db.session.scalar(select(func.min(Pipeline.id)))
        people = [
            ("admin (all)", "bench.admin@example.com"),
            ("manager (team)", BENCH_EMAIL),
            ("rep (own)", "rep0.1@example.com"),
        ]
        tokens, visible = [], {}
        for role, email in people:
            user = db.session.scalar(select(User).where(User.email == email))
            tokens.append((role, create_token(user, "bench", None)[1]))
            from plugins.sales.services.access import visible_deals

            visible[role] = db.session.scalar(
                visible_deals(user, select(func.count()).select_from(Deal))
            )
        db.session.commit()
        log = StatementLog(db.engine)
        today = datetime.now(UTC).date()
    client = app.test_client()
    rows = []
    for role, token in tokens:
        headers = {"Authorization": f"Bearer {token}"}
        for name, path in scenarios(pipeline_id, today):
            if args.only not in f"{name} — {role}":
                continue
            row = measure(
                app, client, headers, log, f"{name} — {role}", "GET", path, None, args.requests
            )
            rows.append(row)
            print(
                f"  {row['name']:<44} p50 {row['p50']:7.1f} ms  p95 {row['p95']:7.1f} ms  "
                f"raw {row['raw_p50']:7.1f} ms  {row['statements']:2d} statements",
                flush=True,
            )
    backend = backend_name(url)
    misses = [r for r in rows if r["p95"] > 200]
    verdict = (
        "every report's p95 is within the 200 ms target"
        if not misses
        else f"{len(misses)} of {len(rows)} rows miss the 200 ms target (slowest: "
        f"{max(misses, key=lambda r: r['p95'])['name']}, "
        f"p95 {max(r['p95'] for r in misses):.0f} ms)"
    )
    print(verdict)
    if not args.no_write:
        write_results(backend, loaded, visible, rows, args.requests, verdict)


def write_results(backend, loaded, visible, rows, n, verdict) -> None:
    data = (
        "Data: as loaded earlier (re-measured without reloading)."
        if loaded is None
        else f"Data: {loaded['deals']:,} deals in 3 pipelines with {loaded['changes']:,} stage "
        f"changes, {loaded['customers']:,} customers, {loaded['leads']:,} leads, "
        f"{loaded['tasks']:,} follow-up tasks; 100 users in 10 teams."
    )
    lines = [
        f"{data} Deals each user sees: "
        + ", ".join(f"{role} {count:,}" for role, count in visible.items())
        + f". {n} requests per row after 5 warm-ups, through the WSGI app in-process with a "
        "bearer token; raw = the same SQL statements replayed on a DB-API connection. "
        f"Result: {verdict}.",
        "",
        "| report — user | p50 ms | p95 ms | raw SQL p50 ms | statements |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['name']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['raw_p50']:.1f} | "
        f"{r['statements']} |"
        for r in rows
    ]
    if loaded is not None:
        lines += [
            "",
            f"- Load: {loaded['rows']:,} rows in {loaded['seconds']:.1f} s = "
            f"**{loaded['rows'] / loaded['seconds']:,.0f} rows/s** (COPY on PostgreSQL, "
            "executemany on SQLite, for the sales tables).",
        ]
    write_section(f"Sales reports on {backend}", lines)


if __name__ == "__main__":
    main()
