"""Webhook outbox benchmark (issue 23): N waiting deliveries drained to a
local receiver by the worker's job, in deliveries per second.

    .venv/bin/python -m bench.webhooks --n 2000            # SQLite, a fresh file
    .venv/bin/python -m bench.webhooks --n 2000 --db postgresql+psycopg://postgres@127.0.0.1/webhooks_bench
    .venv/bin/python -m bench.webhooks --n 2000 --workers 2   # two workers racing for the rows

The receiver is a ``http.server`` in a process of its own (so it does not
share the sender's interpreter) answering 200 and writing each
``Trellis-Delivery`` key it gets to a file. One subscription (an internal
host, allowed) wants ``customer_created``; N deliveries of it are written
as :func:`core.webhooks.outbox.stage` writes them (the payload of a real
customer), then drained by ``core.retry_webhooks`` — ``retry_due()``, what
the worker runs every minute — each one claimed, signed, POSTed and settled
in its own commits. The figure is deliveries per second from the first
worker's first query to the last worker's end (their start-up left out);
every key must arrive exactly once.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.common import backend, prepare


def serve(port: int, path: str) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    out = open(path, "a", buffering=1)  # noqa: SIM115 - open while the server runs

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            out.write(self.headers.get("Trellis-Delivery", "?") + "\n")
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app():
    from core import create_app

    return create_app({"TRELLIS_JOBS": "immediate"})


def load(n: int, url: str) -> None:
    """A subscription and ``n`` waiting deliveries of one customer's creation."""
    import uuid
    from datetime import timedelta

    from core.api import db, utcnow
    from core.models import Customer, WebhookDelivery
    from core.webhooks import save_subscription
    from core.webhooks.payloads import build

    customer = Customer(name="Bench Trading 基准贸易", city="Hangzhou")
    db.session.add(customer)
    db.session.commit()
    hook = save_subscription(
        {"name": "bench", "url": url, "events": ["customer_created"], "allow_internal": True},
        None,
        None,
    )
    now = utcnow()
    rows = []
    for _ in range(n):
        key = str(uuid.uuid4())
        rows.append(
            WebhookDelivery(
                subscription_id=hook.id,
                event="customer_created",
                key=key,
                payload=build("customer_created", {"customer": customer}, key, None),
                status="pending",
                attempts=0,
                next_attempt_at=now,
                retry_until=now + timedelta(days=1),
            )
        )
    db.session.add_all(rows)
    db.session.commit()


def drain() -> None:
    """A worker: run the periodic job until nothing is due."""
    from sqlalchemy import func, select

    from core.api import db
    from core.models import WebhookDelivery
    from core.webhooks import retry_due

    with app().app_context():
        began = time.time()
        while True:
            retry_due()
            waiting = db.session.scalar(
                select(func.count(WebhookDelivery.id)).where(
                    WebhookDelivery.status.in_(("pending", "sending"))
                )
            )
            if not waiting:
                print(f"span {began} {time.time()}", flush=True)
                return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="deliveries to drain")
    parser.add_argument("--db", "--database", dest="database", default=None)
    parser.add_argument("--workers", type=int, default=1, help="worker processes draining")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return drain()
    database = prepare(args.database)
    port, received = _free_port(), Path(tempfile.mkdtemp()) / "received.txt"
    code = f"from bench.webhooks import serve; serve({port}, {str(received)!r})"
    server = subprocess.Popen([sys.executable, "-c", code])
    time.sleep(1.0)
    try:
        with app().app_context():
            from sqlalchemy import func, select

            from core.api import db
            from core.migrate import upgrade
            from core.models import WebhookDelivery

            upgrade()
            load(args.n, f"http://127.0.0.1:{port}/hooks")
            worker = [sys.executable, "-m", "bench.webhooks", "--worker"]
            workers = [
                subprocess.Popen(worker, stdout=subprocess.PIPE, text=True)
                for _ in range(args.workers)
            ]
            spans = [
                [float(x) for x in process.communicate()[0].split("span ", 1)[1].split()]
                for process in workers
            ]
            seconds = max(end for _, end in spans) - min(start for start, _ in spans)
            db.session.expire_all()
            states = dict(
                db.session.execute(
                    select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
                ).all()
            )
        time.sleep(0.3)
        keys = Counter(received.read_text().split())
        print(f"database: {backend(database)}; workers: {args.workers}")
        print(f"deliveries: {args.n}; states: {states}")
        print(f"received: {sum(keys.values())} requests, {len(keys)} distinct keys")
        print(f"drained in {seconds:.1f} s: {args.n / seconds:.0f} deliveries/s")
        assert len(keys) == args.n and max(keys.values()) == 1, "a key missing or sent twice"
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
