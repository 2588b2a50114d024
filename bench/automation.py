"""Automation benchmark (issue 23): events through active rules, run by one
worker, timed from the triggering commit to the run's end.

    .venv/bin/python -m bench.automation --events 1000          # SQLite, a fresh file
    .venv/bin/python -m bench.automation                        # 10,000 events in a minute
    .venv/bin/python -m bench.automation --database postgresql+psycopg://postgres@127.0.0.1:5432/bench_auto

``--rules`` active rules (default 50) are saved through
:func:`core.automation.save_rule`: a few ``event`` rules on
``customer_created`` and ``customer_updated`` and the rest ``field_changed``
rules (grade, stage, source, city, industry going to a value), each with
conditions that hold for some customers and not others, and actions
``create_task``, ``add_tag`` and ``update_field`` (the last two write the
customer through its service, so their ``customer_updated`` stages runs of
depth 1, as in production). A producer in this process then makes
``--events`` changes at ``--rate`` per second (a fifth creations, the rest
one field of a random customer changed), each in its own transaction
through the services, as requests would. One ``trellis worker`` process
(``TRELLIS_JOBS=queue``, Huey on Redis ``--redis``) runs the
``core.run_automation`` jobs the commits hand over through the job outbox.

Figures: runs per event (by depth and outcome); for the producer's runs
the latency from its transaction's commit (stamped here, after the
commit) to the run's ``finished_at``, and for every run from its
``created_at`` (written in the triggering transaction, a little before its
commit) — p50, p95, max; p95 per 10 s of commits, to see a backlog grow;
runs/s sustained; what was still waiting when the producer stopped and how
long the worker took to finish it. Target (issue 23): 10,000 events/min
through 50 rules, p95 commit → action ≤ 5 s on one worker.

``--backlog`` measures the worker alone: the events are made first, with no
worker running, then the worker is started and timed until every run is
finished — runs/s with no producer competing for the database (the
latencies then say nothing). Runs whose conditions did not hold when they
were staged are written finished in the triggering transaction and never
reach the worker; they are counted apart ("finished at staging").
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.common import backend, prepare

CITIES = ["Hangzhou", "Shanghai", "Beijing", "Shenzhen", "Suzhou", "Nanjing", "Wuhan", "Xi'an"]
CITIES += ["Chengdu", "Ningbo", "Xiamen", "Qingdao", "Dalian", "Tianjin", "Hefei"]
DOMAINS = {
    "grade": ["A", "B", "C", "D"],
    "stage": ["lead", "prospect", "customer", "vip", "churned"],
    "source": ["web", "fair", "referral", "phone", "partner", "ads"],
    "city": CITIES,
    "industry": ["retail", "food", "textile", "logistics", "machinery", "software", "health"],
}
#: conditions a field_changed rule checks (alternating: often true, seldom true)
OFTEN = [{"field": "name", "op": "not_empty"}]
SELDOM = [
    {"field": "grade", "op": "eq", "value": "A"},
    {"field": "source", "op": "eq", "value": "web"},
]


def _cond(field: str, op: str, value: object = None) -> dict:
    return {"field": field, "op": op, **({} if value is None else {"value": value})}


def _task(title: str, **due: float) -> dict:
    return {"type": "create_task", "params": {"title": title, **due}}


def _spec(i: int, trigger: dict, conditions: list, action: dict) -> dict:
    return {"name": f"bench {i}", "trigger": trigger, "conditions": conditions, "actions": [action]}


def rule_specs(n: int) -> list[dict]:
    """``n`` rules: 3 on customer_created, 2 on customer_updated, the rest
    field_changed over the (field, value) pairs, conditions and actions mixed."""
    created = {"kind": "event", "event": "customer_created"}
    updated = {"kind": "event", "event": "customer_updated"}
    fixed = [
        (created, [_cond("source", "eq", "web")], _task("Call the new web lead", due_in_hours=1)),
        (
            created,
            [_cond("grade", "in", ["A", "B"])],
            {"type": "add_tag", "params": {"tag": "key"}},
        ),
        (created, [_cond("city", "eq", "Atlantis")], _task("never", due_in_days=1)),
        (updated, [_cond("stage", "eq", "vip")], _task("Look after the VIP", due_in_days=2)),
        (updated, [_cond("grade", "eq", "D"), _cond("stage", "eq", "churned")], _task("Win back")),
    ]
    specs = [_spec(i, *rule) for i, rule in enumerate(fixed[:n])]
    pairs = [(f, v) for f, values in DOMAINS.items() for v in values[: len(values) - 1]]
    for i in range(len(specs), n):
        field, value = pairs[i % len(pairs)]
        action = [
            _task(f"{field} is {value}", due_in_days=1),
            {"type": "add_tag", "params": {"tag": f"{field}-{value}"[:60]}},
            {"type": "update_field", "params": {"field": "notes", "value": f"{field}: {value}"}},
        ][i % 3]
        trigger = {"kind": "field_changed", "event": "customer_updated"}
        trigger.update(field=field, value=value)
        specs.append(_spec(i, trigger, OFTEN if i % 2 == 0 else SELDOM, action))
    return specs


def percentiles(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return f"p50 {at(0.5):.2f} s, p95 {at(0.95):.2f} s, max {ordered[-1]:.2f} s (n={len(ordered)})"


def epoch(moment: datetime) -> float:
    return moment.timestamp()


def postgres(url: str, create: bool) -> None:
    """Create (dropping a leftover first) or drop the database ``url`` names."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        if create:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def setup(args, admin_email: str) -> tuple[list[int], int]:
    """Migrate, make an admin, a team of reps, ``--customers`` customers and
    the rules; (customer ids, admin id)."""
    from core.api import db
    from core.automation import save_rule
    from core.migrate import upgrade
    from core.models import Customer
    from core.services.users import create_user, ensure_default_roles

    upgrade()
    ensure_default_roles()
    admin = create_user(
        {"email": admin_email, "name": "Bench Admin", "password": "bench-pass-123"},
        None,
        role="admin",
    )
    rng = random.Random(7)
    rows = [
        Customer(
            name=f"Bench Customer {i}",
            grade=rng.choice(DOMAINS["grade"]),
            stage=rng.choice(DOMAINS["stage"]),
            source=rng.choice(DOMAINS["source"]),
            city=rng.choice(CITIES),
            owner_id=admin.id,
        )
        for i in range(args.customers)
    ]
    db.session.add_all(rows)
    db.session.commit()
    ids = [c.id for c in rows]
    for spec in rule_specs(args.rules):
        save_rule(spec, None, admin)
    db.session.commit()
    return ids, admin.id


def produce(args, ids: list[int], admin_id: int) -> tuple[dict[int, float], float, float]:
    """Make the events at ``--rate``; each producer run's commit time by id."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from core.api import db
    from core.errors import StaleVersionError
    from core.models import AutomationRun, Customer, User
    from core.services.customers import create_customer, update_customer

    committed: dict[int, float] = {}

    def flushed(session, context):
        staged = [
            o.id for o in session.new if isinstance(o, AutomationRun) and o.status == "queued"
        ]
        session.info.setdefault("bench_runs", []).extend(staged)

    def commit(session):
        now = time.time()
        for run_id in session.info.pop("bench_runs", []):
            committed[run_id] = now

    event.listen(Session, "after_flush", flushed)
    event.listen(Session, "after_commit", commit)
    rng = random.Random(11)
    admin = db.session.get(User, admin_id)
    conflicts = 0
    began = time.time()
    for i in range(args.events):
        due = began + i / args.rate
        if (wait := due - time.time()) > 0:
            time.sleep(wait)
        if rng.random() < args.creations:
            create_customer(
                {
                    "name": f"New {i}",
                    "grade": rng.choice(DOMAINS["grade"]),
                    "source": rng.choice(DOMAINS["source"]),
                    "city": rng.choice(CITIES),
                },
                admin,
            )
        else:
            customer_id, field = rng.choice(ids), rng.choice(list(DOMAINS))
            change = {field: rng.choice(DOMAINS[field])}
            for _try in range(3):  # as a request would: read it now, and again on a 409
                customer = db.session.get(Customer, customer_id, populate_existing=True)
                try:
                    update_customer(customer, change, admin)
                    break
                except StaleVersionError:  # the worker's action wrote it meanwhile
                    conflicts += 1
        if i % 200 == 199:
            db.session.expunge_all()
            admin = db.session.get(User, admin_id)
            print(
                f"\r  {i + 1} events, {(i + 1) / (time.time() - began):.0f}/s",
                end="",
                file=sys.stderr,
            )
    print(
        f"\n  {conflicts} updates retried after a 409 (the worker wrote the customer)",
        file=sys.stderr,
    )
    event.remove(Session, "after_flush", flushed)
    event.remove(Session, "after_commit", commit)
    return committed, began, time.time()


def waiting() -> tuple[int, int]:
    """Runs not finished, and jobs not yet handed to Redis (the outbox)."""
    from sqlalchemy import func, select

    from core.api import db
    from core.automation.runs import WAITING
    from core.models import AutomationRun, JobOutbox

    runs = db.session.scalar(select(func.count()).where(AutomationRun.status.in_(WAITING)))
    jobs = db.session.scalar(select(func.count(JobOutbox.id)))
    db.session.rollback()
    return runs or 0, jobs or 0


def report(
    args,
    database: str,
    committed: dict[int, float],
    began: float,
    ended: float,
    backlog: tuple[int, int, int],
    drained: float | None,
) -> None:
    from collections import Counter

    from sqlalchemy import select

    from core.api import db
    from core.models import AutomationRun

    rows = db.session.execute(
        select(
            AutomationRun.id,
            AutomationRun.depth,
            AutomationRun.status,
            AutomationRun.matched,
            AutomationRun.attempts,
            AutomationRun.created_at,
            AutomationRun.finished_at,
        )
    ).all()
    ran = [r for r in rows if r.attempts and r.finished_at is not None]
    at_staging = sum(1 for r in rows if not r.attempts and r.finished_at is not None)
    print(
        f"database: {backend(database)}; rules: {args.rules}; "
        f"worker: 1 process, {args.threads} threads"
    )
    print(
        f"events: {args.events} in {ended - began:.1f} s "
        f"({args.events / (ended - began):.0f}/s, asked {args.rate}/s)"
    )
    print(
        f"runs: {len(rows)} ({len(rows) / args.events:.2f} per event); by depth "
        f"{dict(sorted(Counter(r.depth for r in rows).items()))}"
    )
    print(f"outcomes: {dict(Counter((r.status, r.matched) for r in rows))}")
    print(f"finished at staging (never queued): {at_staging}; run by the worker: {len(ran)}")
    exact = [epoch(r.finished_at) - committed[r.id] for r in ran if r.id in committed]
    left = len(rows) - len(ran) - at_staging
    print(f"unfinished runs (not in the figures below): {left}")
    print(f"commit → finish (producer's runs): {percentiles(exact)}")
    spans = [epoch(r.finished_at) - epoch(r.created_at) for r in ran]
    print(f"created_at → finish (all runs):   {percentiles(spans)}")
    windows: dict[int, list[float]] = {}
    for r in ran:
        if r.id in committed:
            windows.setdefault(int((committed[r.id] - began) // 10), []).append(
                epoch(r.finished_at) - committed[r.id]
            )
    print(
        "p95 by 10 s of commits: "
        + ", ".join(
            f"{10 * k}s {sorted(v)[int(0.95 * len(v))]:.1f}" for k, v in sorted(windows.items())
        )
    )
    if ran:
        first, last = min(epoch(r.created_at) for r in ran), max(epoch(r.finished_at) for r in ran)
        print(
            f"runs/s sustained: {len(ran) / (last - first):.0f} "
            f"({len(ran)} runs from first commit to last finish, {last - first:.1f} s)"
        )
    print(
        f"when the producer stopped: {backlog[0]} runs waiting, {backlog[1]} jobs in the outbox, "
        f"{backlog[2]} jobs queued in Redis"
    )
    print(
        "drained "
        + (f"{drained:.1f} s after the last event" if drained is not None else "NOT within --drain")
    )
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def alone_rate(runs: int, started: float) -> str:
    """How fast the worker ran what waited: from its start to the finish of
    99 % of the runs it ran (a straggler retried later aside), and of all."""
    from sqlalchemy import select

    from core.api import db
    from core.models import AutomationRun

    ends = sorted(
        epoch(end) - started
        for end in db.session.scalars(
            select(AutomationRun.finished_at).where(AutomationRun.attempts > 0)
        )
        if end is not None and epoch(end) > started
    )
    db.session.rollback()
    if not ends:
        return f"{runs} waiting runs, none run"
    most = ends[int(0.99 * (len(ends) - 1))]
    return (
        f"{runs} runs waiting at its start; it ran {len(ends)} (with those they staged): "
        f"99 % in {most:.1f} s ({0.99 * len(ends) / most:.0f} runs/s), all in {ends[-1]:.1f} s "
        "(its start-up included)"
    )


def start_worker(args, log: Path) -> subprocess.Popen:
    """One ``trellis worker`` process, given its start-up time."""
    with log.open("ab") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "worker", "--threads", str(args.threads)],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    time.sleep(3)  # its start-up, before the first event
    return worker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--rate", type=float, default=167.0, help="events per second")
    parser.add_argument(
        "--customers", type=int, default=2_000, help="customers the updates pick from"
    )
    parser.add_argument("--creations", type=float, default=0.2, help="share of events that create")
    parser.add_argument(
        "--threads", type=int, default=2, help="the worker's threads (trellis worker's default)"
    )
    parser.add_argument(
        "--drain", type=float, default=600, help="seconds to wait for the worker after the events"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--db", "--database", dest="database", default=None)
    parser.add_argument(
        "--backlog",
        action="store_true",
        help="make the events first, then start the worker and time it alone",
    )
    args = parser.parse_args()
    if args.database and args.database.startswith("postgresql"):
        postgres(args.database, create=True)
    database = prepare(args.database)
    settings = {"TRELLIS_JOBS": "queue", "TRELLIS_REDIS_URL": args.redis}
    os.environ.update(settings)
    log = Path(tempfile.mkdtemp(prefix="trellis-bench-worker-")) / "worker.log"
    worker = None
    try:
        from core import create_app

        app = create_app()
        with app.app_context():
            from core.jobs import queue

            ids, admin_id = setup(args, "bench-admin@example.com")
            if not args.backlog:
                worker = start_worker(args, log)
            committed, began, ended = produce(args, ids, admin_id)
            runs, jobs = waiting()
            backlog = (runs, jobs, queue().pending_count())
            if args.backlog:
                ended = time.time()  # the drain is timed from the worker's start
                worker = start_worker(args, log)
            drained = None
            while time.time() - ended < args.drain:
                if waiting() == (0, 0):
                    drained = time.time() - ended
                    break
                time.sleep(0.5)
            if args.backlog:
                print(f"worker alone: {alone_rate(runs, ended)}")
            report(args, database, committed, began, ended, backlog, drained)
            queue().flush()
    except BaseException as exc:  # shown before the clean-up, whatever it was
        print(f"stopped by {exc!r}", file=sys.stderr)
        raise
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        print(f"worker log: {log}")
        if args.database and args.database.startswith("postgresql"):
            postgres(args.database, create=False)  # WITH (FORCE): this process's connections too


if __name__ == "__main__":
    main()
