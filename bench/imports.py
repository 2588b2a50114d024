"""Import benchmark (issue 23): customers from a GBK CSV with dedupe on,
in rows per second — preview and run, then undo.

    .venv/bin/python -m bench.imports --rows 10000                 # SQLite, a fresh file
    .venv/bin/python -m bench.imports --rows 100000 --db postgresql+psycopg://postgres@127.0.0.1/imports_bench
    .venv/bin/python -m bench.imports --rows 100000 --existing 1000000    # against a full table

The file is what an office exports from Excel on a Chinese Windows (GBK):
名称, 手机, 邮箱, 城市 — one row in a hundred with an invalid phone, one in a
hundred repeating an earlier row's phone; with ``--existing N``, N customers
are in the database first (loaded around the services: no audit or search
rows) and one row in a hundred has the phone of one of them. It is uploaded, mapped by its
headers, previewed (every row checked and matched, nothing written), run
through :func:`core.imports.run_batch` as the worker runs it (batches of
500, each one transaction, dedupe against the customers by then in the
database) and undone. The figures are rows per second of each step.
"""

from __future__ import annotations

import argparse
import time

from bench.common import backend, prepare


def make_file(rows: int, existing: int = 0) -> bytes:
    lines = ["名称,手机,邮箱,城市"]
    for i in range(rows):
        phone = f"139{i % 100_000_000:08d}"
        if i % 100 == 37:
            phone = "12345"  # invalid: goes to the error file
        if i % 100 == 73 and i > 100:
            phone = f"139{(i - 50) % 100_000_000:08d}"  # repeats an earlier row
        if i % 100 == 11 and existing:
            phone = f"137{i * 7919 % existing:08d}"  # a customer already there
        lines.append(f"基准客户{i}号,{phone},c{i}@bench.cn,杭州")
    return ("\n".join(lines) + "\n").encode("gbk")


def load_existing(count: int) -> None:
    """``count`` customers with a phone and an e-mail each, in one
    statement per table per 5,000 (their name keys by the model's default)."""
    from sqlalchemy import insert

    from core.extensions import db
    from core.models import ContactPoint, Customer

    for first in range(0, count, 5000):
        numbers = range(first, min(count, first + 5000))
        ids = db.session.scalars(
            insert(Customer).returning(Customer.id, sort_by_parameter_order=True),
            [
                {"name": f"现有客户{i}号", "phones": [f"+86137{i:08d}"], "emails": []}
                for i in numbers
            ],
        ).all()
        db.session.execute(
            insert(ContactPoint),
            [
                {"kind": "phone", "value": f"+86137{i:08d}", "customer_id": cid}
                for i, cid in zip(numbers, ids, strict=True)
            ],
        )
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows in the CSV")
    parser.add_argument("--existing", type=int, default=0, help="customers there before")
    parser.add_argument("--db", "--database", dest="database", default=None)
    args = parser.parse_args()
    database = prepare(args.database)
    from core import create_app

    app = create_app({"TRELLIS_JOBS": "immediate", "TRELLIS_REGION": "CN"})
    with app.app_context():
        from core.imports import batches, undo
        from core.migrate import upgrade
        from core.services.users import create_user, ensure_default_roles

        upgrade()
        ensure_default_roles()
        admin = create_user(
            {"email": "bench@example.com", "name": "Bench", "password": "bench-password-1"},
            None,
            role="admin",
        )
        load_existing(args.existing)
        data = make_file(args.rows, args.existing)
        began = time.perf_counter()
        job = batches.upload(data, "bench.csv", "customers", admin)
        batches.configure(job, {"on_duplicate": "skip"}, admin)
        uploaded = time.perf_counter()
        found = batches.preview(job, admin)
        previewed = time.perf_counter()
        batches.start(job, admin, queue=False)
        for start in range(0, job.total_rows, batches.BATCH):
            batches.run_batch(job.id, start, chain=False)
        ran = time.perf_counter()
        undo(job, admin)
        undone = time.perf_counter()
        print(
            f"database: {backend(database)}; rows: {args.rows} ({len(data) / 1e6:.1f} MB GBK); "
            f"existing customers: {args.existing}"
        )
        print(f"upload + mapping: {uploaded - began:.1f} s")
        print(
            f"preview: {previewed - uploaded:.1f} s, {args.rows / (previewed - uploaded):.0f} "
            f"rows/s ({found.errors} errors, {found.repeats} repeats)"
        )
        print(
            f"run: {ran - previewed:.1f} s, {args.rows / (ran - previewed):.0f} rows/s "
            f"({job.created} created, {job.skipped} skipped, {job.failed} failed)"
        )
        print(f"undo: {undone - ran:.1f} s, {job.created / (undone - ran):.0f} records/s")


if __name__ == "__main__":
    main()
