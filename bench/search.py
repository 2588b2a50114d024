"""Search benchmark: the indexed customer search for a user of each scope.

    .venv/bin/python -m bench.search                        # SQLite, 100,000 customers
    .venv/bin/python -m bench.search --database postgresql+psycopg://postgres@127.0.0.1/bench
    .venv/bin/python -m bench.search --customers 10000      # a quick look

Loads a fresh database (bench/load.py: 100,000 customers with a phone and an
e-mail each, 300,000 contacts; no activities — search does not read them),
builds the search index with ``core.search.rebuild`` (timed), then measures
``GET /api/v1/customers?q=…`` and the top bar's ``/search?q=…`` for a rep
(own scope), the benchmark manager (team) and an administrator (all): a Latin
prefix, a two-character Chinese fragment, a phone fragment, an e-mail, and a
query that matches nothing. p50/p95 over ``--requests`` runs, statements per
request, the same statements replayed on the connection (app/raw). Writes
its section of bench/results.md.
"""

from __future__ import annotations

import argparse
import time

from bench.common import add_scale, backend, prepare
from bench.core_api import StatementLog, measure, write_section

QUERIES = (
    ("Latin prefix", "Long"),
    ("Chinese fragment", "上海"),
    ("phone fragment", "00042424"),
    ("e-mail", "info42424@example.com"),
    ("no match", "zzqx"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    add_scale(parser)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--no-write", action="store_true", help="do not touch results.md")
    args = parser.parse_args()
    url = prepare(args.database)

    from sqlalchemy import func, select

    from bench.load import BENCH_EMAIL, PASSWORD, load
    from core import create_app
    from core.access import scoped
    from core.extensions import db
    from core.migrate import upgrade
    from core.models import Customer, User
    from core.search import rebuild
    from core.services.tokens import create_token
    from core.services.users import create_user

    app = create_app({"TRELLIS_JOBS": "immediate"})
    with app.app_context():
        upgrade()
        print(f"loading {args.customers:,} customers ...", flush=True)
        loaded = load(args.customers, activities_each=0, timeline=0)
        started = time.perf_counter()
        indexed = rebuild()
        index_seconds = time.perf_counter() - started
        documents = sum(indexed.values())
        print(f"  indexed {documents:,} records in {index_seconds:.1f} s", flush=True)
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        create_user(
            {"email": "bench.admin@example.com", "name": "Bench admin", "password": PASSWORD},
            None,
            role="admin",
        )
        db.session.commit()
        users = {
            "own": db.session.scalar(select(User).where(User.email == "rep0.1@example.com")),
            "team": db.session.scalar(select(User).where(User.email == BENCH_EMAIL)),
            "all": db.session.scalar(select(User).where(User.email == "bench.admin@example.com")),
        }
        sees = {
            scope: db.session.scalar(
                select(func.count()).select_from(
                    scoped(select(Customer.id), Customer, user).subquery()
                )
            )
            for scope, user in users.items()
        }
        tokens = {scope: create_token(user, "bench", None)[1] for scope, user in users.items()}
        session_keys = {scope: user.get_id() for scope, user in users.items()}
        db.session.commit()
        log = StatementLog(db.engine)

    rows = []
    for scope, token in tokens.items():
        api = app.test_client()
        page = app.test_client()
        with page.session_transaction() as session:  # signed in as the pages bench does
            session["_user_id"] = session_keys[scope]
        for label, q in QUERIES:
            for where, client, path, headers in (
                ("API list", api, f"/api/v1/customers?q={q}", {"Authorization": f"Bearer {token}"}),
                ("search box", page, f"/search?q={q}", {}),
            ):
                name = f"{where}: {label} — {scope}"
                row = measure(app, client, headers, log, name, "GET", path, None, args.requests)
                rows.append(row)
                print(
                    f"  {name:<44} p50 {row['p50']:6.1f} ms  p95 {row['p95']:6.1f} ms  "
                    f"{row['statements']:2d} st  raw {row['raw_p50']:.1f} ms  "
                    f"x{row['ratio']:.1f}",
                    flush=True,
                )
    if not args.no_write:
        body = [
            f"Data: {loaded['customers']:,} customers (a phone and an e-mail each), "
            f"{loaded['contacts']:,} contacts. Index built for {documents:,} records in "
            f"{index_seconds:.1f} s ({documents / index_seconds:,.0f} records/s). Users: "
            + ", ".join(f"{scope} scope sees {n:,} customers" for scope, n in sees.items())
            + f". {args.requests} requests per row after 5 warm-ups, in-process; raw = the "
            "same SQL replayed on a DB-API connection. Queries: "
            + ", ".join(f"{label} `{q}`" for label, q in QUERIES)
            + ".",
            "",
            "| request — scope | p50 ms | p95 ms | raw SQL p50 ms | app/raw | statements |",
            "|---|---:|---:|---:|---:|---:|",
            *(
                f"| {r['name']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['raw_p50']:.1f} | "
                f"{r['ratio']:.1f} | {r['statements']} |"
                for r in rows
            ),
        ]
        write_section(f"Search on {backend(url)}", body)


if __name__ == "__main__":
    main()
