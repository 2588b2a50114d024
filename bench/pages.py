"""Web page benchmark: server time of every main page at the benchmark data size.

    .venv/bin/python -m bench.pages                       # SQLite, 100,000 customers
    .venv/bin/python -m bench.pages --database postgresql+psycopg://postgres@127.0.0.1/bench

Loads a fresh database (bench/load.py), signs in through the session cookie
as the benchmark manager (team scope), then renders each page through the
real WSGI app in-process (templates, theme, translations included): p50/p95
over ``--requests`` runs and SQL statements per page. The target is every
page under 100 ms. Writes its section of bench/results.md.
"""

from __future__ import annotations

import argparse

from bench.common import add_scale, prepare
from bench.common import backend as backend_name
from bench.core_api import StatementLog, measure, write_section


def pages(customer_id: int, contact_id: int, owner_id: int) -> list[tuple[str, str]]:
    return [
        ("Dashboard", "/"),
        ("Customer list, first page", "/customers/"),
        (
            "Customer list filtered by owner and stage",
            f"/customers/?owner_id={owner_id}&stage=customer",
        ),
        ("Customer list, search as you type (htmx fragment)", "/customers/?q=Long"),
        ("Customer 360 page (timeline of 1,000)", f"/customers/{customer_id}"),
        ("Customer edit form", f"/customers/{customer_id}/edit"),
        ("Contacts list", "/contacts/"),
        ("Contact page", f"/contacts/{contact_id}"),
        ("My tasks", "/tasks/"),
        ("Customer pool", "/pool/"),
        ("Preferences", "/account/preferences"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    add_scale(parser)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--no-write", action="store_true", help="do not touch results.md")
    args = parser.parse_args()

    url = prepare(args.database)

    from sqlalchemy import select

    from bench.load import bench_user, load, team_size
    from core import create_app
    from core.extensions import db
    from core.migrate import upgrade
    from core.models import Contact, Customer

    app = create_app({"TRELLIS_JOBS": "immediate"})
    with app.app_context():
        upgrade()
        print(f"loading {args.customers:,} customers ...", flush=True)
        loaded = load(args.customers)
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        user = bench_user()
        visible = team_size(user)
        session_key, user_id = user.get_id(), user.id
        customer_id = db.session.scalar(
            select(Customer.id).where(Customer.team_id == user.team_id).order_by(Customer.id)
        )
        contact_id = db.session.scalar(
            select(Contact.id).where(Contact.customer_id == customer_id).order_by(Contact.id)
        )
        log = StatementLog(db.engine)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_key
    rows = []
    for name, path in pages(customer_id, contact_id, user_id):
        headers = {"HX-Request": "true", "HX-Target": "results"} if "htmx" in name else {}
        row = measure(app, client, headers, log, name, "GET", path, None, args.requests)
        rows.append(row)
        print(
            f"  {name:<52} p50 {row['p50']:6.1f} ms  p95 {row['p95']:6.1f} ms  "
            f"{row['statements']:2d} statements",
            flush=True,
        )
    backend = backend_name(url)
    slowest = max(rows, key=lambda r: r["p95"])
    verdict = (
        "every page's p95 is under the 100 ms target"
        if slowest["p95"] < 100
        else f"missed the 100 ms target: {slowest['name']} p95 {slowest['p95']:.0f} ms"
    )
    if not args.no_write:
        write_section(
            f"Web pages on {backend}",
            [
                f"Data: {loaded['customers']:,} customers, {loaded['contacts']:,} contacts, "
                f"{loaded['activities']:,} activities; signed in (session cookie) as the benchmark "
                f"manager, who sees {visible:,} customers. {args.requests} requests per page after "
                "5 warm-ups, rendered through the WSGI app in-process (server time: routing, SQL, "
                f"templates, translation). Result: {verdict}.",
                "",
                "| page | p50 ms | p95 ms | raw SQL p50 ms | statements |",
                "|---|---:|---:|---:|---:|",
            ]
            + [
                f"| {r['name']} | {r['p50']:.1f} | {r['p95']:.1f} | {r.get('raw_p50', 0):.1f} | "
                f"{r['statements']} |"
                for r in rows
            ],
        )
    print(verdict)


if __name__ == "__main__":
    main()
