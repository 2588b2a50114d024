"""E-mail campaign sending benchmark (issue 22): N e-mails to a local SMTP
server through the marketing plugin's worker, in messages per second — and,
with ``--kill``, a worker killed mid-campaign and restarted: no address
mailed twice, nothing lost but the one message in doubt.

    .venv/bin/python -m bench.marketing_send --n 5000            # SQLite, a fresh file
    .venv/bin/python -m bench.marketing_send --n 5000 --db postgresql+psycopg://postgres@127.0.0.1/mkt_send_bench
    .venv/bin/python -m bench.marketing_send --n 5000 --kill     # the kill-and-restart check

The SMTP server is aiosmtpd in a process of its own (so that it does not
share the sender's interpreter), writing each recipient it accepts to a
file. N customers, each with an address and marketing e-mail consent, are
inserted in bulk; an administrator's campaign to a segment of all of them
is started (recipients decided: timed apart) and sent by
``services.campaigns.sending.run`` over one connection, unpaced (the rate is
the campaign's to choose; this measures how fast the worker can go). Every
message is written for its recipient: merge fields, tracked links, the
unsubscribe headers, its own token.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.common import backend, prepare


class Recorder:
    """aiosmtpd handler: append each accepted recipient to ``path``."""

    def __init__(self, path: str):
        self.out = open(path, "a", buffering=1)  # noqa: SIM115 - open while the server runs

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            self.out.write(address + "\n")
        return "250 OK"


def serve(port: int, path: str) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(Recorder(path), hostname="127.0.0.1", port=port)
    controller.start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _received(path: Path) -> Counter:
    return Counter(path.read_text().split()) if path.exists() else Counter()


def load(n: int) -> int:
    """N consenting customers with an address, an admin's campaign to all of
    them; the campaign's id."""
    from sqlalchemy import insert

    from core.api import create_user, db, utcnow
    from core.models import Customer, CustomerConsent
    from core.services.users import ensure_default_roles
    from plugins.marketing.models import Campaign, CampaignTemplate, Segment
    from plugins.marketing.models.campaign import MAX_RATE
    from plugins.marketing.tests.smtp import TEMPLATE

    ensure_default_roles()
    admin = create_user(
        {"email": "bench.admin@example.com", "name": "Bench Admin", "password": "x" * 12},
        None,
        role="admin",
    )
    now = utcnow()
    db.session.execute(
        insert(Customer),
        [
            {"name": f"Customer {i:06d}", "emails": [f"c{i:06d}@example.com"], "owner_id": admin.id}
            for i in range(n)
        ],
    )
    db.session.flush()
    ids = db.session.scalars(db.select(Customer.id)).all()
    db.session.execute(
        insert(CustomerConsent),
        [
            {
                "customer_id": i,
                "channel": "email",
                "purpose": "marketing",
                "status": "granted",
                "source": "import",
                "decided_at": now,
            }
            for i in ids
        ],
    )
    segment = Segment(name="Everyone", conditions=[], owner_id=admin.id)
    template = CampaignTemplate(**TEMPLATE, owner_id=admin.id)
    db.session.add_all([segment, template])
    db.session.flush()
    campaign = Campaign(
        name="Bench",
        segment_id=segment.id,
        template_id=template.id,
        owner_id=admin.id,
        rate=MAX_RATE,
        base_url="https://crm.example.com/",
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign.id


def app():
    from core import create_app

    built = create_app({"TRELLIS_JOBS": "immediate"})
    if os.environ.get("BENCH_SQLITE_SYNC"):
        with built.app_context():
            _sqlite_sync(os.environ["BENCH_SQLITE_SYNC"])
    return built


def _sqlite_sync(mode: str) -> None:
    """``PRAGMA synchronous=<mode>`` on every SQLite connection (``--sqlite-sync``)."""
    from sqlalchemy import event

    from core.api import db

    if db.engine.dialect.name != "sqlite":
        return

    @event.listens_for(db.engine, "connect")
    def _sync(connection, _record):
        connection.execute(f"PRAGMA synchronous={mode}")

    db.engine.dispose()


def work(campaign_id: int, budget: int) -> None:
    """A worker process: one unpaced run of the campaign."""
    with app().app_context():
        from plugins.marketing.services.campaigns import sending

        print(sending.run(campaign_id, budget=budget, pace=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="e-mails to send")
    parser.add_argument("--db", "--database", dest="database", default=None)
    parser.add_argument("--kill", action="store_true", help="kill the worker mid-campaign")
    parser.add_argument(
        "--sqlite-sync",
        choices=("NORMAL", "FULL"),
        help="SQLite's synchronous setting (Trellis leaves SQLite's default, FULL: an fsync "
        "per commit; NORMAL in WAL mode skips it — a killed process loses nothing, a power "
        "cut may lose the last commits)",
    )
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sqlite_sync:
        os.environ["BENCH_SQLITE_SYNC"] = args.sqlite_sync
    if args.worker:
        return work(args.worker, args.n)
    url = prepare(args.database)
    port, received = _free_port(), Path(tempfile.mkdtemp()) / "received.txt"
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from bench.marketing_send import serve; serve({port}, {str(received)!r})",
        ]
    )
    os.environ["TRELLIS_SMTP_URL"] = f"smtp+plain://127.0.0.1:{port}"
    os.environ["TRELLIS_MAIL_FROM"] = "news@example.com"
    time.sleep(1.0)
    try:
        with app().app_context():
            from sqlalchemy import func, select

            from core.api import db, utcnow
            from core.migrate import upgrade
            from plugins.marketing.models import Campaign, Recipient
            from plugins.marketing.services.campaigns import sending

            upgrade()
            campaign_id = load(args.n)
            began = time.perf_counter()
            resolved = sending.start(db.session.get(Campaign, campaign_id))
            resolve_s = time.perf_counter() - began
            if args.kill:
                worker = [
                    sys.executable,
                    "-m",
                    "bench.marketing_send",
                    "--worker",
                    str(campaign_id),
                    "--n",
                    str(args.n),
                ]
                first = subprocess.Popen(worker)
                while sum(_received(received).values()) < args.n // 3:
                    time.sleep(0.05)
                first.send_signal(signal.SIGKILL)
                first.wait()
                killed_at = sum(_received(received).values())
                began = time.perf_counter()
                subprocess.run(worker, check=True)
                # the row the dead worker left claimed: in doubt, settled as failed, not resent
                db.session.execute(
                    Recipient.__table__.update()
                    .where(Recipient.status == "sending")
                    .values(claimed_at=utcnow() - sending.INTERRUPTED_AFTER * 2)
                )
                db.session.commit()
                sending.run(campaign_id, budget=args.n, pace=False)
            else:
                began, cpu = time.perf_counter(), time.process_time()
                outcome = sending.run(campaign_id, budget=args.n, pace=False)
                cpu = time.process_time() - cpu
                print(outcome)
            send_s = time.perf_counter() - began
            time.sleep(0.5)
            got = _received(received)
            states = dict(
                db.session.execute(
                    select(Recipient.status, func.count()).group_by(Recipient.status)
                ).all()
            )
            duplicates = sum(c - 1 for c in got.values() if c > 1)
            failed = set(
                db.session.scalars(select(Recipient.email).where(Recipient.status == "failed"))
            )
            lost = len(failed - set(got))
            print(
                f"| {backend(url)} | {args.n:,} | {resolved:,} recipients in {resolve_s:.2f} s "
                f"| {sum(got.values()):,} received | {states} | duplicates {duplicates} "
                f"| failed (in doubt) {len(failed)}, of which never received {lost} |"
            )
            if args.kill:
                print(
                    f"killed after {killed_at:,} received; restart sent the rest in {send_s:.2f} s"
                )
            else:
                print(
                    f"sending: {args.n / send_s:,.0f} messages/s ({send_s:.2f} s); the worker's "
                    f"CPU: {cpu:.2f} s, {args.n / cpu:,.0f} messages per CPU-second; "
                    f"load average {os.getloadavg()[0]:.1f}"
                )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
