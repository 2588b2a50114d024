"""Service dispatch benchmark: board, suggestions and SLA report at 500,000 work orders.

    .venv/bin/python -m bench.service                     # SQLite, a fresh file
    .venv/bin/python -m bench.service --database postgresql+psycopg://postgres@127.0.0.1/bench_service
    .venv/bin/python -m bench.service --orders 20000 --no-write   # a quick look

Loads a fresh database: the users, teams and customers of bench/load.py
(20,000 customers in ten regions, no contacts or activities), then
bench/service_data.py: 200 engineers and 500,000 work orders over two
years with their events and revisits. Then measures, through the WSGI app
in-process, as a dispatcher (scope all) and as one engineer (scope own):
the dispatch board page (session cookie: templates count), an unassigned
order's page, the suggested-engineers API route and
``dispatch.suggested_engineers`` called directly, the engineer's My jobs
page and work order list, and the SLA report API over the last 30 and 365
days: p50/p95 (bench/core_api's ``measure``). The target is p95 ≤ 100 ms.
Writes its section of bench/results.md.

``--database`` of an already loaded database skips the load (for trying
indexes); the load figures are then left out.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

from bench.common import backend, prepare
from bench.core_api import StatementLog, measure, percentile, write_section

TARGET_MS = 100
SLA_ROUTE = "/api/v1/service/reports/sla"


def call(app, name: str, fn, n: int) -> dict:
    """p50/p95 of ``fn()`` in a fresh session and request context each run."""
    from core.extensions import db

    times = []
    for i in range(n + 5):
        with app.test_request_context():
            db.session.expunge_all()
            started = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - started
            db.session.remove()
        if i >= 5:
            times.append(elapsed)
    return {
        "name": name,
        "p50": percentile(times, 0.5) * 1000,
        "p95": percentile(times, 0.95) * 1000,
        "statements": 0,
    }


def report_paths(today, team_id: int | None = None) -> list[tuple[str, str]]:
    """The report's period is ``from``…``to``, whole days, both included.
    With ``team_id`` (the dispatcher's rows) also other periods and the
    narrowing filters, which read the orders instead of the report cells."""
    periods = (30, 365) if team_id is None else (30, 100, 365)
    paths = [
        (
            f"SLA report, last {days} days",
            f"{SLA_ROUTE}?from={today - timedelta(days=days - 1)}&to={today}",
        )
        for days in periods
    ]
    if team_id is not None:
        year = f"{SLA_ROUTE}?from={today - timedelta(days=364)}&to={today}"
        paths += [
            ("SLA report, calendar year so far", f"{SLA_ROUTE}?from={today.year}-01-01&to={today}"),
            ("SLA report, last 365 days, priority high", f"{year}&priority=high"),
            ("SLA report, last 365 days, category repair", f"{year}&category=repair"),
            ("SLA report, last 365 days, one team", f"{year}&team_id={team_id}"),
        ]
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--orders", type=int, default=500_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--no-write", action="store_true", help="do not touch results.md")
    args = parser.parse_args()
    url = prepare(args.database)

    from sqlalchemy import func, select

    from bench.load import load
    from bench.service_data import DISPATCHER_EMAIL, ENGINEER_EMAIL, load_orders, people
    from core import create_app
    from core.extensions import db
    from core.migrate import upgrade
    from core.models import User
    from core.services.tokens import create_token
    from plugins.service_dispatch.models import TO_DISPATCH, WorkOrder
    from plugins.service_dispatch.services import dispatch

    app = create_app({"TRELLIS_JOBS": "immediate"})
    loaded = None
    with app.app_context():
        upgrade()
        if not db.session.scalar(select(func.count()).select_from(WorkOrder)):
            print(
                f"loading {args.customers:,} customers and {args.orders:,} work orders ...",
                flush=True,
            )
            base = load(args.customers, contacts_each=0, activities_each=0, timeline=0)
            loaded = load_orders(args.orders, people(args.customers))
            loaded["rows"] += base["rows"]
            loaded["seconds"] += base["seconds"]
            loaded["customers"] = base["customers"]
            print(
                f"  {loaded['rows']:,} rows in {loaded['seconds']:.1f} s "
                f"= {loaded['rows'] / loaded['seconds']:,.0f} rows/s",
                flush=True,
            )
            # what autovacuum leaves minutes after a bulk load: fresh planner
            # statistics, and on PostgreSQL the visibility map
            vacuum = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql(vacuum)
        users = {
            role: db.session.scalar(select(User).where(User.email == email))
            for role, email in (
                ("dispatcher (all)", DISPATCHER_EMAIL),
                ("engineer (own)", ENGINEER_EMAIL),
            )
        }
        sessions = {role: u.get_id() for role, u in users.items()}
        tokens = {role: create_token(u, "bench", None)[1] for role, u in users.items()}
        engineer_id = users["engineer (own)"].id
        team_id = users["engineer (own)"].team_id
        board_size = db.session.scalar(
            select(func.count()).select_from(WorkOrder).where(WorkOrder.status.in_(TO_DISPATCH))
        )
        workload = db.session.scalar(
            select(func.count()).select_from(WorkOrder).where(WorkOrder.engineer_id == engineer_id)
        )
        unassigned = db.session.scalar(  # the order on top of the board
            select(WorkOrder.id)
            .where(WorkOrder.status == "new")
            .order_by(WorkOrder.created_at.desc())
            .limit(1)
        )
        db.session.commit()
        log = StatementLog(db.engine)
        today = datetime.now(UTC).date()
        has_report = any(r.rule == SLA_ROUTE for r in app.url_map.iter_rules())
    plans = {
        "dispatcher (all)": [
            ("Dispatch board (page)", "/service/board", "web"),
            ("Work orders page (first 50, newest change first)", "/service/work-orders", "web"),
            (
                "Unassigned order's page (with suggestions)",
                f"/service/work-orders/{unassigned}",
                "web",
            ),
            (
                "Suggested engineers (API)",
                f"/api/v1/service/work-orders/{unassigned}/suggested-engineers",
                "api",
            ),
        ]
        + [(name, path, "api") for name, path in report_paths(today, team_id)],
        "engineer (own)": [
            ("My jobs today (page)", "/service/my-jobs", "web"),
            ("Work order list (API, first page)", "/api/v1/service/work-orders", "api"),
        ]
        + [(name, path, "api") for name, path in report_paths(today)],
    }
    rows, skipped = [], []
    for role, plan in plans.items():
        web, api = app.test_client(), app.test_client()
        with web.session_transaction() as session:
            session["_user_id"] = sessions[role]
        for name, path, kind in plan:
            if path.startswith(SLA_ROUTE) and not has_report:
                skipped.append(f"{name} — {role}")
                continue
            client, headers = (
                (web, {}) if kind == "web" else (api, {"Authorization": f"Bearer {tokens[role]}"})
            )
            try:
                rows.append(
                    measure(
                        app,
                        client,
                        headers,
                        log,
                        f"{name} — {role}",
                        "GET",
                        path,
                        None,
                        args.requests,
                    )
                )
            except AssertionError as failed:  # a route still being written: say so, go on
                skipped.append(f"{name} — {role} (HTTP {failed.args[0][1]})")
                continue
            show(rows[-1])
        if role.startswith("dispatcher"):

            def suggest():
                dispatch.suggested_engineers(db.session.get(WorkOrder, unassigned))

            rows.append(
                call(
                    app, f"suggested_engineers(order), in-process — {role}", suggest, args.requests
                )
            )
            show(rows[-1])
    misses = [r for r in rows if r["p95"] > TARGET_MS]
    verdict = (
        f"every p95 is within the {TARGET_MS} ms target"
        if not misses
        else f"{len(misses)} of {len(rows)} rows miss the {TARGET_MS} ms target (slowest: "
        f"{max(misses, key=lambda r: r['p95'])['name']}, "
        f"p95 {max(r['p95'] for r in misses):.0f} ms)"
    )
    if skipped:
        verdict += f"; not measured (no working {SLA_ROUTE} yet): {', '.join(skipped)}"
    print(verdict)
    if not args.no_write:
        write_results(backend(url), loaded, board_size, workload, rows, args.requests, verdict)


def show(row: dict) -> None:
    raw = f"raw {row['raw_p50']:6.1f} ms" if "raw_p50" in row else " " * 13
    print(
        f"  {row['name']:<68} p50 {row['p50']:6.1f} ms  p95 {row['p95']:6.1f} ms  {raw}  "
        f"{row['statements']:2d} statements",
        flush=True,
    )


def write_results(backend_name, loaded, board_size, workload, rows, n, verdict) -> None:
    data = (
        "Data: as loaded earlier (re-measured without reloading)."
        if loaded is None
        else f"Data: {loaded['orders']:,} work orders over two years with {loaded['events']:,} "
        f"events and {loaded['revisits']:,} revisits, {loaded['customers']:,} customers in "
        "10 regions, 200 engineers (6 skills)."
    )
    from plugins.service_dispatch.views import orders as views

    method = (
        f"{board_size:,} orders wait on the board (its first page shows "
        f"{views.BOARD_SIZE}, each with its {views.BOARD_CHOICES} best-ranked "
        f"engineers); the measured engineer has {workload:,} orders. {n} requests per "
        "row after 5 warm-ups, through the WSGI app in-process (pages signed in with the "
        "session cookie, API routes with a bearer token); raw = the same SQL statements "
        f"replayed on a DB-API connection. Result: {verdict}."
    )
    lines = [
        f"{data} {method}",
        "",
        "| request — user | p50 ms | p95 ms | raw SQL p50 ms | statements |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        sql = f"{r['raw_p50']:.1f} | {r['statements']}" if "raw_p50" in r else "— | —"
        lines.append(f"| {r['name']} | {r['p50']:.1f} | {r['p95']:.1f} | {sql} |")
    if loaded is not None:
        rate = loaded["rows"] / loaded["seconds"]
        lines += [
            "",
            (
                f"- Load: {loaded['rows']:,} rows in {loaded['seconds']:.1f} s = "
                f"**{rate:,.0f} rows/s** (COPY on PostgreSQL, executemany on SQLite, "
                "for the service tables)."
            ),
        ]
    write_section(f"Service dispatch on {backend_name}", lines)


if __name__ == "__main__":
    main()
