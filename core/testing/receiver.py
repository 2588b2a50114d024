"""A real local HTTP receiver for the tests of what Trellis POSTs (webhooks).

:class:`Receiver` listens on a free port of 127.0.0.1 and records every
request (path, headers, body); it answers per a script a test sets —
:attr:`Receiver.answers`, one entry per request, each an HTTP status
(``200``, ``500`` …) or ``"hang"`` (say nothing until the test ends: a
timeout for the sender); once the script is used up, :attr:`Receiver.then`
(200). The fixture ``trellis_webhook_receiver`` starts one and stops it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

HANG = "hang"


@dataclass(frozen=True)
class Received:
    """One request as it arrived."""

    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """A thread server answering POSTs per a script (see the module)."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.answers: list[int | str] = []
        self.then: int | str = 200
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"

    def _next(self, received: Received) -> int | str:
        with self._lock:
            self.requests.append(received)
            return self.answers.pop(0) if self.answers else self.then

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                size = int(self.headers.get("Content-Length") or 0)
                received = Received(self.path, dict(self.headers.items()), self.rfile.read(size))
                answer = owner._next(received)
                if answer == HANG:
                    owner._released.wait()
                    return
                data = json.dumps({"received": True}).encode()
                self.send_response(int(answer))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Quiet: the test asserts what arrived."""

        return Handler

    def start(self) -> Receiver:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._released.set()  # the hanging requests end
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def trellis_webhook_receiver() -> Iterator[Receiver]:
    """A started :class:`Receiver`; stopped after the test."""
    receiver = Receiver().start()
    yield receiver
    receiver.stop()
