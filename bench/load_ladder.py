"""The ladder of a load test, as a locust load shape: steps of more and
more simulated users, each measured on its own (``bench/locustfile.py``
imports it; ``bench/load_test.py`` reads what it writes).

For each number of users in ``--ladder`` the users are started at
``--ramp-rate`` per second (those of the step before stay, signed in), the
shape waits until every new user has signed in (``Ladder.signed_in``, which
the users count up) and ``--settle-seconds`` more (``--warmup-seconds``
before the first step), resets the figures and measures for
``--step-seconds``. Each step's figures — the total and each request type:
requests, failures, requests/s, p50, p95, max; the errors — are written to
``--results-json`` as a list, step by step. A failure during the ramp (a
sign-in, say) counts for the step. The ladder stops after the first step
whose p95 is over ``--p95-limit-ms`` or that had a failure.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import psutil  # locust's own dependency
from locust import LoadTestShape, events


@events.init_command_line_parser.add_listener
def _options(parser) -> None:
    group = parser.add_argument_group("Trellis ladder")
    group.add_argument("--ladder", default="5,10,20", help="users per step, comma separated")
    group.add_argument("--step-seconds", type=float, default=30, help="measured seconds per step")
    group.add_argument("--settle-seconds", type=float, default=3, help="pause before measuring")
    group.add_argument(
        "--warmup-seconds", type=float, default=30, help="unmeasured traffic before the first step"
    )
    group.add_argument("--ramp-rate", type=float, default=10, help="users started per second")
    group.add_argument("--p95-limit-ms", type=float, default=200)
    group.add_argument("--results-json", default="", help="where each step's figures go")
    group.add_argument("--app-pids", default="", help="app server processes, to count their CPU")
    group.add_argument("--pg-database", default="", help="the database, to count its backends")


def _used(proc) -> float:
    times = proc.cpu_times()
    return times.user + times.system


class Cpu:
    """CPU time, to say per step who used the cores: the app servers (the
    processes ``--app-pids`` and their children), PostgreSQL's backends
    serving database ``--pg-database``, locust, and the whole machine — the
    rest of which is other work (the job worker and Redis: next to nothing)."""

    def __init__(self, app_pids: str, database: str) -> None:
        self.pids = [int(p) for p in app_pids.split(",") if p.strip()]
        self.database = database
        self.start = self.read()

    def read(self) -> dict:
        app = {}
        for pid in self.pids:
            try:
                root = psutil.Process(pid)
                app.update({p.pid: _used(p) for p in [root, *root.children(recursive=True)]})
            except psutil.Error:
                continue
        pg = {}
        if self.database:
            for proc in psutil.process_iter(["name", "cmdline"]):
                line = " ".join(proc.info["cmdline"] or ())
                if proc.info["name"] == "postgres" and f" {self.database} " in f"{line} ":
                    with contextlib.suppress(psutil.Error):
                        pg[proc.pid] = _used(proc)
        machine = psutil.cpu_times()  # (guest time is inside user time: not added)
        keys = ("user", "nice", "system", "irq", "softirq", "steal")
        return {
            "app": app,
            "pg": pg,
            "locust": _used(psutil.Process()),
            "machine": sum(getattr(machine, k, 0.0) for k in keys),
            "at": time.monotonic(),
        }

    def since_start(self) -> dict:
        """Cores used since this was made (1.0 = one core busy all along);
        a process that started since counts from zero."""
        end, start = self.read(), self.start
        wall = max(end["at"] - start["at"], 1e-9)
        grew = lambda key: sum(t - start[key].get(pid, 0.0) for pid, t in end[key].items())  # noqa: E731
        cores = {
            "app_cores": grew("app") / wall,
            "pg_cores": grew("pg") / wall,
            "locust_cores": (end["locust"] - start["locust"]) / wall,
            "machine_cores": (end["machine"] - start["machine"]) / wall,
        }
        ours = cores["app_cores"] + cores["pg_cores"] + cores["locust_cores"]
        cores["other_cores"] = max(cores["machine_cores"] - ours, 0.0)
        return cores


def figures(stats, seconds: float) -> dict:
    """One step's figures: the total and each request type."""

    def row(entry) -> dict:
        return {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": entry.num_requests / seconds if seconds else 0.0,
            "p50": entry.get_response_time_percentile(0.5) if entry.num_requests else 0,
            "p95": entry.get_response_time_percentile(0.95) if entry.num_requests else 0,
            "max": entry.max_response_time if entry.num_requests else 0,
        }

    return {
        "seconds": seconds,
        "total": row(stats.total),
        "types": {
            name: row(entry)
            for (name, _method), entry in sorted(stats.entries.items())
            if entry.num_requests
        },
        "errors": [
            {"name": e.name, "error": str(e.error), "occurrences": e.occurrences}
            for e in stats.errors.values()
        ],
    }


class Ladder(LoadTestShape):
    """Steps of ``--ladder`` users: ramp, wait for sign-ins, settle, measure."""

    #: users signed in so far (the users that sign in count themselves)
    signed_in = 0

    def __init__(self) -> None:
        super().__init__()
        self.steps: list[int] | None = None
        self.index = 0
        self.phase = "ramp"
        self.since = time.monotonic()
        self.results: list[dict] = []
        self.ramp: dict = {}
        self.cpu: Cpu | None = None
        self.ramp_started = self.since

    def options(self):
        return self.runner.environment.parsed_options

    def tick(self):
        options = self.options()
        if self.steps is None:
            self.steps = [int(n) for n in options.ladder.split(",") if n.strip()]
        if self.index >= len(self.steps):
            return None
        users = self.steps[self.index]
        now = time.monotonic()
        if self.phase == "ramp":
            counts = self.runner.user_classes_count
            signing = counts.get("Rep", 0) + counts.get("Dispatcher", 0)
            ramped = self.runner.user_count >= users and self.runner.state != "spawning"
            if ramped and (Ladder.signed_in >= signing or now - self.since > 120):
                self.phase, self.since = "settle", now
        elif self.phase == "settle" and now - self.since >= self.settle_seconds():
            stats = self.runner.stats
            self.ramp = figures(stats, now - self.ramp_started)
            stats.reset_all()
            self.cpu = Cpu(options.app_pids, options.pg_database)
            self.phase, self.since = "measure", now
        elif self.phase == "measure" and now - self.since >= options.step_seconds:
            return self.finish_step(users, now - self.since)
        return users, options.ramp_rate

    def settle_seconds(self) -> float:
        """Before the first step the servers warm up: each gunicorn worker
        compiles its templates and fills its caches on its first requests."""
        options = self.options()
        if self.index == 0:
            return max(options.settle_seconds, options.warmup_seconds)
        return options.settle_seconds

    def finish_step(self, users: int, seconds: float):
        options = self.options()
        step = figures(self.runner.stats, seconds)
        step["cpu"] = self.cpu.since_start()
        step["users"] = users
        step["user_classes"] = dict(self.runner.user_classes_count)
        step["ramp_failures"] = self.ramp["total"]["failures"]
        step["ramp_errors"] = self.ramp["errors"]
        step["sign_in"] = self.ramp["types"].get("sign in")
        self.results.append(step)
        total = step["total"]
        print(
            f"step {users:4d} users: {total['rps']:6.1f} req/s  p50 {total['p50']:5.0f} ms  "
            f"p95 {total['p95']:5.0f} ms  failures {total['failures'] + step['ramp_failures']}  "
            f"cores: app {step['cpu']['app_cores']:.2f}, pg {step['cpu']['pg_cores']:.2f}, "
            f"other {step['cpu']['other_cores']:.2f}",
            flush=True,
        )
        if options.results_json:
            Path(options.results_json).write_text(json.dumps(self.results, indent=1))
        broken = total["p95"] > options.p95_limit_ms or total["failures"] or step["ramp_failures"]
        self.runner.stats.reset_all()  # the next ramp counts apart
        self.index += 1
        self.phase = "ramp"
        self.since = self.ramp_started = time.monotonic()
        if broken or self.index >= len(self.steps):
            return None
        return self.steps[self.index], options.ramp_rate
