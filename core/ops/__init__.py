"""Running an instance: what operators and their tools look at.

- :mod:`core.ops.logs` — request ids, and JSON log lines (``TRELLIS_LOG_FORMAT``)
- :mod:`core.ops.metrics` — Prometheus metrics (``TRELLIS_METRICS_TOKEN``)
- :mod:`core.ops.claims` — a periodic job runs once per slot, whichever process gets there first
- :mod:`core.ops.heartbeat` — the job worker says it is alive; ``/readyz`` reads it
- :mod:`core.ops.models` — the two tables behind claims and heartbeats
- :mod:`core.ops.gunicorn_config` — the gunicorn settings ``trellis serve`` passes
- :mod:`core.ops.retention` — old automation runs, webhook deliveries and import files,
  deleted nightly

The endpoints that expose them (``/healthz``, ``/readyz``, ``/metrics``) are
:mod:`core.web.health`.
"""
