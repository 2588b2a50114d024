"""A periodic job runs at most once per scheduled slot, however many
processes (Huey consumers' schedulers, cron'd ``trellis jobs run-due`` on
several servers) reach for it: real processes, one database, one Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from core.api import Job
from core.jobs import queue, run_all_periodic, run_in_slot
from core.models import SiteSetting
from core.ops.claims import slot_of
from core.testing import plugin_module

REDIS = "redis://127.0.0.1:6379/15"
#: a job whose every run leaves a row of its own: running it twice shows
PROBE = """
import os
from core.api import Job, db
from core.models import SiteSetting
from core.testing import plugin_module


def leave_a_row():
    db.session.add(SiteSetting(key=f"probe-{os.getpid()}-{os.urandom(4).hex()}", value="ran"))
    db.session.commit()
    return "left a row"


PROBE = plugin_module(
    "probe", trellis_jobs=lambda: [Job("probe.daily", "Daily", leave_a_row, every_minutes=1440)]
)
"""
#: builds the app, says it is ready, waits for the word, runs the due jobs for one moment
RUNNER = (
    PROBE
    + """
import sys, time
from datetime import datetime
from pathlib import Path
from core import create_app
from core.jobs import run_all_periodic

folder, name, moment = Path(sys.argv[1]), sys.argv[2], datetime.fromisoformat(sys.argv[3])
app = create_app({"TRELLIS_EXTRA_PLUGINS": [PROBE]})
(folder / f"ready-{name}").touch()
while not (folder / "go").exists():
    time.sleep(0.01)
with app.app_context():
    for code, outcome in run_all_periodic(moment):
        print(f"{code}: {outcome}")
"""
)
namespace: dict = {}
exec(PROBE, namespace)  # the same probe, for the in-process tests


def rows(db) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(SiteSetting).where(SiteSetting.key.like("probe-%"))
    )


def test_two_processes_at_the_same_moment_run_a_slot_once(app, db, trellis_database, tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TRELLIS_")}
    environ.update(
        TRELLIS_DATABASE_URL=trellis_database,
        TRELLIS_REDIS_URL=REDIS,
        TRELLIS_SECRET_KEY="test-secret",
        TRELLIS_REGION="CN",
    )
    moment = datetime.now(UTC).isoformat()
    runners = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(RUNNER), str(tmp_path), name, moment],
            env={**environ, "TRELLIS_INSTANCE_PATH": str(tmp_path / name)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("one", "two")
    ]
    try:
        deadline = time.monotonic() + 120
        while not all((tmp_path / f"ready-{n}").exists() for n in ("one", "two")):
            assert time.monotonic() < deadline and all(r.poll() is None for r in runners)
            time.sleep(0.05)
        (tmp_path / "go").touch()
        outputs = [r.communicate(timeout=120) for r in runners]
    finally:
        for runner in runners:
            runner.kill()
    assert [r.returncode for r in runners] == [0, 0], outputs
    said = [out.splitlines() for out, _err in outputs]
    assert rows(db) == 1
    assert sorted(lines.count("probe.daily: left a row") for lines in said) == [0, 1]
    assert sorted(lines.count("probe.daily: None") for lines in said) == [0, 1]
    # core's jobs as well: each ran in exactly one of the two
    for code in ("core.follow_ups", "core.pool_recycle"):
        ran = [
            any(line.startswith(f"{code}: ") and "None" not in line for line in lines)
            for lines in said
        ]
        assert sorted(ran) == [False, True], said


def test_the_schedulers_of_two_consumers_run_a_slot_once(register_plugin, db, tmp_path):
    """Huey's periodic task, queued by two schedulers into one queue and run by its workers."""
    register_plugin(namespace["PROBE"], TRELLIS_JOBS="queue", TRELLIS_REDIS_URL=REDIS)
    huey = queue()
    huey.flush()
    midnight = datetime(2026, 3, 2, 0, 0)
    first = datetime.now(UTC)
    for _scheduler in range(2):
        for task in huey.read_periodic(midnight):
            if task.name == "trellis.every.probe.daily":
                huey.enqueue(task)
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
    last = datetime.now(UTC)
    # the two runs fell in one slot (the day) unless midnight passed between them
    assert rows(db) == (1 if slot_of(1440, first) == slot_of(1440, last) else 2)


def test_a_failed_run_gives_its_slot_back(register_plugin, db):
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the first try fails")
        return "done"

    job = Job("probe.flaky", "Flaky", flaky, every_minutes=15)
    register_plugin(plugin_module("probe", trellis_jobs=lambda: [job]))
    moment = datetime(2026, 3, 2, 10, 20, tzinfo=UTC)
    with pytest.raises(RuntimeError):
        run_in_slot(job, moment)
    assert run_in_slot(job, moment) == "done"
    assert run_in_slot(job, moment.replace(minute=29)) is None  # same slot
    assert run_in_slot(job, moment.replace(minute=30)) == "done"  # the next
    assert len(calls) == 3


def test_run_due_says_which_jobs_another_process_ran(register_plugin, db):
    register_plugin(namespace["PROBE"])
    moment = datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
    first = dict(run_all_periodic(moment))
    again = dict(run_all_periodic(moment))
    assert first["probe.daily"] == "left a row" and again["probe.daily"] is None
    assert again["core.follow_ups"] is None
    assert rows(db) == 1


@pytest.mark.parametrize(
    "every, moment, slot",
    [
        (
            15,
            datetime(2026, 3, 2, 10, 29, 59, tzinfo=UTC),
            datetime(2026, 3, 2, 10, 15, tzinfo=UTC),
        ),
        (60, datetime(2026, 3, 2, 10, 0, 0, tzinfo=UTC), datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
        (1440, datetime(2026, 3, 2, 23, 59, tzinfo=UTC), datetime(2026, 3, 2, 0, 0, tzinfo=UTC)),
        (7, datetime(2026, 3, 2, 0, 15, tzinfo=UTC), datetime(2026, 3, 2, 0, 14, tzinfo=UTC)),
    ],
)
def test_a_slot_is_the_scheduled_minute_a_run_stands_for(every, moment, slot):
    assert slot_of(every, moment) == slot
