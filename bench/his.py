"""Hospital benchmark (issue 18): patient lookup, the queue board, a
department's day of bookings, and the department and revenue reports at
1,000,000 patients, 5,000,000 visits and 20,000,000 charge lines.

    .venv/bin/python -m bench.his                      # SQLite, a fresh file
    .venv/bin/python -m bench.his --database postgresql+psycopg://postgres@127.0.0.1/bench_his
    .venv/bin/python -m bench.his --scale small --no-write   # 20,000 patients, a quick look
    .venv/bin/python -m bench.his --database URL --only revenue --explain --no-write

Loads a fresh database with bench/his_data.py (its docstring tells what is
drawn), then ``VACUUM ANALYZE`` (PostgreSQL) or ``ANALYZE`` with ``PRAGMA
analysis_limit=1000`` (SQLite), as autovacuum would soon after. ``--files
DIR`` keeps the drawn tables so that the other database loads the same draw;
``--database`` of a loaded database measures it again.

Then, through the WSGI app in-process (pages with the session cookie, API
routes with a bearer token), as the benchmark admin (sees all), a
registration clerk (the desk: sees every patient) and a doctor (their
department's team, and the patients in their care):

- the one search box (``/his/patients?q=`` and ``/api/v1/his/patients?q=``)
  with a medical record number, a national ID, a phone and a name;
- the queue board of the doctor's department (page, its rows fragment, API);
- the department's day of bookings today (page and API);
- the visits report (by department and doctor per day) and the revenue
  report (by category and payment method) over the last month and the last
  year (API; the reports page computes every report at once).

p50/p95 over ``--requests`` runs after 5 warm-ups, the SQL replayed raw on a
DB-API connection, statements per request, the load average next to each
row. A row over its target prints its slowest statement with its plan.
Writes its part (``### SQLite`` / ``### PostgreSQL``) of the "Hospital
(issue 18)" section of bench/results.md.

Targets (issue 18): lookups p95 ≤ 50 ms, the rest ≤ 200 ms, on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.common import backend, prepare, write_section
from bench.core_api import RESULTS, StatementLog, machine, measure
from bench.money import SLOW_RUNS, SLOW_S, explain, quick, routed

LOOKUP_MS, TARGET_MS = 50, 200
VERY_SLOW_S = 5.0
TITLE = (
    "Hospital (issue 18): patient lookup, queue board, day of bookings, department and "
    "revenue reports"
)
#: patients, visits, charge lines
SCALES = {
    "full": (1_000_000, 5_000_000, 20_000_000),
    "fifth": (200_000, 1_000_000, 4_000_000),
    "small": (20_000, 100_000, 400_000),
    "tiny": (2_000, 10_000, 40_000),
}


def target(name: str) -> int:
    return LOOKUP_MS if name.startswith("Lookup") else TARGET_MS


def plan(samples: dict, department_id: int, on: date) -> list[tuple[str, str, str, tuple]]:
    """(row name, path, "api" or "web", the users it is measured for)."""
    month = f"date_from={on - timedelta(days=29)}&date_to={on}"
    year = f"date_from={on - timedelta(days=364)}&date_to={on}"
    everyone, desk = ("admin", "clerk", "doctor"), ("admin", "clerk")
    rows = []
    for kind in ("MRN", "national ID", "phone", "name"):
        q = samples[kind]
        rows.append((f"Lookup by {kind} (page)", f"/his/patients?q={q}", "web", everyone))
        rows.append((f"Lookup by {kind} (API)", f"/api/v1/his/patients?q={q}", "api", desk))
    rows += [
        ("Queue board (page)", f"/his/queue/{department_id}", "web", everyone),
        ("Queue board rows (fragment)", f"/his/queue/{department_id}/rows", "web", everyone),
        ("Queue board (API)", f"/api/v1/his/queue/{department_id}", "api", everyone),
        ("Day of bookings (page)", f"/his/bookings?department_id={department_id}&day={on}",
         "web", everyone),
        ("Day of bookings (API)",
         f"/api/v1/his/bookings?department_id={department_id}&day={on}&per_page=50", "api",
         everyone),
        ("Department report, month (API)", f"/api/v1/his/reports/visits?{month}", "api",
         ("admin", "doctor")),
        ("Department report, year (API)", f"/api/v1/his/reports/visits?{year}", "api",
         ("admin", "doctor")),
        ("Revenue report, month (API)", f"/api/v1/his/reports/revenue?{month}", "api",
         ("admin", "doctor")),
        ("Revenue report, year (API)", f"/api/v1/his/reports/revenue?{year}", "api",
         ("admin", "doctor")),
    ]  # fmt: skip
    return rows


def samples_of(doctor_department: int) -> dict:
    """A patient of the doctor's department (so every user may find them):
    their MRN, national ID, phone and name as the desk types them."""
    from sqlalchemy import select

    from core.extensions import db
    from core.models import Customer
    from plugins.his.models import Patient, Visit

    customer_id = db.session.scalar(
        select(Visit.customer_id)
        .where(Visit.department_id == doctor_department)
        .order_by(Visit.id.desc())
        .limit(1)
    )
    patient = db.session.scalars(
        select(Patient).where(Patient.customer_id == customer_id, Patient.id_type == "cn_ric")
    ).first()
    if patient is None:  # this one has no ID card number: any patient that has
        patient = db.session.scalars(
            select(Patient).where(Patient.id_type == "cn_ric").order_by(Patient.id.desc()).limit(1)
        ).one()
    customer = db.session.get(Customer, patient.customer_id)
    assert customer is not None
    phone = customer.phones[0]
    national = patient.national_id or ""
    typed_phone = f"{phone[3:6]} {phone[6:10]} {phone[10:]}"  # "139 1234 5678"
    return {
        "MRN": patient.mrn,
        "national ID": national,
        "phone": typed_phone.replace(" ", "%20"),
        "name": customer.name,
    }


def kept(url: str) -> Path:
    digest = hashlib.sha1(url.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"trellis-bench-his-{digest}.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--scale", default="full", help="full, fifth, small, tiny")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--no-write", action="store_true", help="do not touch results.md")
    parser.add_argument("--load-only", action="store_true", help="load, measure nothing")
    parser.add_argument(
        "--files", help="keep the drawn tables in this folder, or load the draw kept there"
    )
    parser.add_argument(
        "--only", default="", help="measure only the rows whose name holds this (a|b: either)"
    )
    parser.add_argument("--explain", action="store_true", help="plans of every row, not misses")
    args = parser.parse_args()
    patients, visits, charges = SCALES[args.scale]
    url = prepare(args.database)

    from bench.his_data import ADMIN_EMAIL, CLERK_EMAIL, DOCTOR_EMAIL, PII_KEY

    os.environ["TRELLIS_PII_KEYS"] = PII_KEY
    os.environ["TRELLIS_TIMEZONE"] = "Asia/Shanghai"

    from sqlalchemy import func, select

    from bench.his_data import load_his
    from core import create_app
    from core.extensions import db
    from core.migrate import upgrade
    from core.models import User
    from core.services.tokens import create_token
    from plugins.his.models import Department, Patient
    from plugins.his.services.bookings.rules import local_today

    app = create_app({"TRELLIS_JOBS": "immediate", "TRELLIS_CURRENCY": "CNY"})
    loaded = None
    with app.app_context():
        upgrade()
        if not db.session.scalar(select(func.count()).select_from(Patient)):
            print(f"loading {patients:,} patients, ~{visits:,} visits, ~{charges:,} charges ...",
                  flush=True)  # fmt: skip
            loaded = load_his(patients, visits, charges, files=args.files)
            print(
                f"  {loaded['rows']:,} rows loaded in {loaded['load seconds']:.1f} s "
                f"= {loaded['rows'] / loaded['load seconds']:,.0f} rows/s "
                f"(drawn in {loaded['draw seconds']:.1f} s)",
                flush=True,
            )
            started = time.perf_counter()
            postgresql = db.engine.dialect.name == "postgresql"
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                if not postgresql:
                    conn.exec_driver_sql("PRAGMA analysis_limit=1000")
                conn.exec_driver_sql("VACUUM ANALYZE" if postgresql else "ANALYZE")
            loaded["analyze seconds"] = time.perf_counter() - started
            print(f"  analyzed in {loaded['analyze seconds']:.1f} s", flush=True)
            kept(url).write_text(json.dumps(loaded), encoding="utf-8")
        elif kept(url).exists():
            loaded = json.loads(kept(url).read_text(encoding="utf-8"))
        if args.load_only:
            return
        on = local_today()
        users: dict[str, User] = {
            role: db.session.scalars(select(User).where(User.email == email)).one()
            for role, email in (
                ("admin", ADMIN_EMAIL),
                ("clerk", CLERK_EMAIL),
                ("doctor", DOCTOR_EMAIL),
            )
        }
        department_id = db.session.scalar(
            select(Department.id).where(Department.team_id == users["doctor"].team_id)
        )
        assert department_id is not None
        samples = samples_of(department_id)
        counts = data_counts(on, department_id)
        sessions = {role: u.get_id() for role, u in users.items()}
        tokens = {role: create_token(u, "bench", None)[1] for role, u in users.items()}
        db.session.commit()
        log = StatementLog(db.engine)
    rows, skipped, plans = [], [], []
    loads = [os.getloadavg()[0]]
    for role in users:
        web, api = app.test_client(), app.test_client()
        with web.session_transaction() as session:
            session["_user_id"] = sessions[role]
        for name, path, kind, who in plan(samples, department_id, on):
            if role not in who:
                continue
            label = f"{name} — {role}"
            if not any(term.lower() in label.lower() for term in args.only.split("|")):
                continue
            if not routed(app, path.split("?")[0]):
                skipped.append(f"{label} (not written yet)")
                continue
            client, headers = (
                (web, {}) if kind == "web" else (api, {"Authorization": f"Bearer {tokens[role]}"})
            )
            try:
                started = time.perf_counter()
                code = client.get(path, headers=headers).status_code
                first = time.perf_counter() - started
                assert code == 200, (label, code)
                if first > VERY_SLOW_S:
                    row = quick(client, headers, log, label, path, 3)
                    row["runs"] = 3
                elif first > SLOW_S:
                    row = quick(client, headers, log, label, path, SLOW_RUNS)
                    row["runs"] = SLOW_RUNS
                else:
                    row = measure(
                        app, client, headers, log, label, "GET", path, None, args.requests
                    )
            except AssertionError as failed:
                skipped.append(f"{label} (HTTP {failed.args[0][1]})")
                print(f"  {label}: HTTP {failed.args[0][1]}", flush=True)
                continue
            row["load"] = os.getloadavg()[0]
            row["target"] = target(name)
            rows.append(row)
            show(row)
            if args.explain or row["p95"] > row["target"]:
                statement, query_plan, ms = explain(app, log.items)
                plans.append((label, statement, query_plan, ms))
                print(
                    f"    slowest statement ({ms:.1f} ms):\n{statement}\n{query_plan}\n", flush=True
                )
        loads.append(os.getloadavg()[0])
    misses = [r for r in rows if r["p95"] > r["target"]]
    verdict = (
        "every p95 is within its target"
        if not misses
        else f"{len(misses)} of {len(rows)} rows miss their target (slowest: "
        f"{max(misses, key=lambda r: r['p95'])['name']}, p95 "
        f"{max(r['p95'] for r in misses):.0f} ms)"
    )
    print(verdict)
    if skipped:
        print("not measured: " + "; ".join(skipped))
    if plans:
        keep = os.path.join(os.environ["TRELLIS_INSTANCE_PATH"], "plans.txt")
        with open(keep, "w", encoding="utf-8") as out:
            for label, statement, query_plan, ms in plans:
                out.write(f"## {label} ({ms:.1f} ms)\n{statement}\n\n{query_plan}\n\n")
        print(f"plans written to {keep}")
    if not args.no_write:
        write_results(backend(url), loaded, counts, rows, skipped, args.requests, verdict, loads)


def data_counts(on: date, department_id: int) -> dict:
    """What the data set and the measured pages hold, for the results."""
    from sqlalchemy import func, select

    from core.extensions import db
    from plugins.his.models import (
        Booking,
        Charge,
        ClinicSession,
        Diagnosis,
        Patient,
        PatientPayment,
        PaymentTender,
        Refund,
        Settlement,
        Visit,
    )

    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    today = (Booking.department_id == department_id, Booking.day == on)
    return {
        "patients": count(Patient),
        "sessions": count(ClinicSession),
        "bookings": count(Booking),
        "visits": count(Visit),
        "diagnoses": count(Diagnosis),
        "charges": count(Charge),
        "payments": count(PatientPayment),
        "tenders": count(PaymentTender),
        "refunds": count(Refund),
        "settlements": count(Settlement),
        "day of bookings": count(Booking, *today),
        "waiting": count(Booking, *today, Booking.status.in_(("checked_in", "called"))),
    }


def show(row: dict) -> None:
    raw = f"raw {row['raw_p50']:6.1f} ms" if "raw_p50" in row else " " * 13
    print(
        f"  {row['name']:<58} p50 {row['p50']:7.1f} ms  p95 {row['p95']:7.1f} ms  {raw}  "
        f"{row['statements']:2d} statements  load {row['load']:.2f}",
        flush=True,
    )


def write_results(name, loaded, counts, rows, skipped, n, verdict, loads) -> None:
    """Replace this database's part (``### name``) of the hospital section."""
    data = (
        f"Data: {counts['patients']:,} patients, {counts['sessions']:,} clinic sessions, "
        f"{counts['bookings']:,} bookings, {counts['visits']:,} visits with "
        f"{counts['diagnoses']:,} diagnoses, {counts['charges']:,} charge lines, "
        f"{counts['payments']:,} payments with {counts['tenders']:,} tenders, "
        f"{counts['refunds']:,} refunds, {counts['settlements']:,} settlements; the measured "
        f"department has {counts['day of bookings']:,} bookings today, "
        f"{counts['waiting']:,} on its queue board"
    )
    if loaded is not None:
        data += (
            f". Load: {loaded['rows']:,} rows in {loaded['load seconds']:.1f} s = "
            f"**{loaded['rows'] / loaded['load seconds']:,.0f} rows/s** (COPY on PostgreSQL, "
            f"executemany on SQLite, indexes built after; drawing them "
            f"{loaded['draw seconds']:.1f} s, once for both databases)"
        )
    lines = [
        f"### {name}",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}; "
        f"load average (1 min) {min(loads):.2f}–{max(loads):.2f} while measuring, on a shared "
        f"machine: the figures are upper bounds. {data}. {n} requests per row after 5 "
        "warm-ups, through the WSGI app in-process (pages with the session cookie, API routes "
        "with a bearer token); raw = the same SQL replayed on a DB-API connection (a row whose "
        f"first request took over {SLOW_S:.0f} s: {SLOW_RUNS} runs, over {VERY_SLOW_S:.0f} s: "
        f"3 runs; not replayed). Targets: lookups p95 ≤ {LOOKUP_MS} ms, the rest ≤ "
        f"{TARGET_MS} ms. Result: {verdict}.",
        "",
        "| request — user | p50 ms | p95 ms | raw SQL p50 ms | statements | runs | load |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        raw = f"{r['raw_p50']:.1f}" if "raw_p50" in r else "—"
        mark = " **(over)**" if r["p95"] > r["target"] else ""
        lines.append(
            f"| {r['name']}{mark} | {r['p50']:.1f} | {r['p95']:.1f} | {raw} | "
            f"{r['statements']} | {r.get('runs', n)} | {r['load']:.2f} |"
        )
    if skipped:
        lines += ["", "Not measured (route missing or failing then): " + "; ".join(skipped) + "."]
    part = "\n".join(lines) + "\n"
    write_section(RESULTS, TITLE, name, part)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
