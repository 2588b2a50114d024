"""The gunicorn settings ``trellis serve`` passes (``--config
python:core.ops.gunicorn_config``); the command line adds the bind address,
the workers and the control socket.

- JSON log lines for gunicorn's own logs when ``TRELLIS_LOG_FORMAT=json``
  (``trellis serve`` exports the instance's setting to its children);
- a worker that exits takes its live gauges out of the metrics.
"""

from __future__ import annotations

import os
from typing import Any

from core.ops.logs import gunicorn_logconfig
from core.ops.metrics import process_gone

if os.environ.get("TRELLIS_LOG_FORMAT") == "json":
    logconfig_dict = gunicorn_logconfig()


def child_exit(server: Any, worker: Any) -> None:
    process_gone(worker.pid)
