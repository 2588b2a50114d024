"""``enqueue_after_commit``: the job of rows just written starts once they
commit — right after the commit in immediate mode, through the outbox with
a queue — and never when their transaction, or the savepoint they were
written in, rolls back. A real probe job leaves a row each time it runs."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from core.api import Job, transaction
from core.errors import TrellisError
from core.extensions import db
from core.jobs import enqueue_after_commit, queue
from core.models import JobOutbox, SiteSetting
from core.testing import plugin_module

REDIS = "redis://127.0.0.1:6379/15"


def leave_a_row(tag: str = "") -> str:
    db.session.add(SiteSetting(key=f"ran-{uuid.uuid4().hex}", value=tag))
    db.session.commit()
    return "left a row"


PROBE = plugin_module("probe", trellis_jobs=lambda: [Job("probe.note", "Note", leave_a_row)])


def ran() -> list[str]:
    """The tags the probe job ran with, in order."""
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(SiteSetting.value).where(SiteSetting.key.like("ran-%")).order_by(SiteSetting.id)
        )
    )


def write(key: str) -> None:
    db.session.add(SiteSetting(key=key, value="x"))
    db.session.flush()


@pytest.fixture
def immediate(register_plugin):
    return register_plugin(PROBE)


def test_immediate_the_job_runs_after_the_commit_not_before(immediate):
    with transaction():
        write("saved-1")
        enqueue_after_commit("probe.note", tag="one")
        enqueue_after_commit("probe.note", tag="two")
        assert ran() == []  # the job would not see the row yet
    assert ran() == ["one", "two"]


def test_immediate_a_rollback_runs_nothing(immediate):
    with pytest.raises(RuntimeError), transaction():
        write("saved-1")
        enqueue_after_commit("probe.note", tag="rolled back")
        raise RuntimeError("undo")
    db.session.add(SiteSetting(key="saved-2", value="x"))
    db.session.commit()  # a later commit does not bring it back
    assert ran() == []


def test_immediate_a_savepoint_keeps_or_drops_its_own_jobs(immediate):
    with transaction():
        write("saved-outer")
        enqueue_after_commit("probe.note", tag="outer")
        with pytest.raises(RuntimeError), db.session.begin_nested():
            write("saved-undone")
            enqueue_after_commit("probe.note", tag="undone")
            raise RuntimeError("undo the savepoint")
        with db.session.begin_nested():
            write("saved-kept")
            enqueue_after_commit("probe.note", tag="kept")
        assert ran() == []  # a released savepoint is not a commit
    assert ran() == ["outer", "kept"]


def test_an_unknown_job_is_refused_at_once(immediate):
    with pytest.raises(TrellisError):
        enqueue_after_commit("probe.nothing")
    with pytest.raises(TypeError):
        enqueue_after_commit("probe.note", tag=object())


@pytest.fixture
def queued(register_plugin):
    register_plugin(PROBE, TRELLIS_JOBS="queue", TRELLIS_REDIS_URL=REDIS)
    huey = queue()
    huey.flush()
    yield huey
    huey.flush()


def outbox_rows() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(JobOutbox.id)))


def test_queued_the_job_goes_to_the_queue_when_the_write_commits(queued):
    with transaction():
        write("saved-1")
        enqueue_after_commit("probe.note", tag="one")
        assert queued.pending_count() == 0
    assert queued.pending_count() == 1 and outbox_rows() == 0


def test_queued_a_rollback_or_an_undone_savepoint_queues_nothing(queued):
    with pytest.raises(RuntimeError), transaction():
        write("saved-1")
        enqueue_after_commit("probe.note", tag="rolled back")
        raise RuntimeError("undo")
    assert queued.pending_count() == 0 and outbox_rows() == 0
    with transaction():
        write("saved-2")
        with pytest.raises(RuntimeError), db.session.begin_nested():
            enqueue_after_commit("probe.note", tag="undone")
            raise RuntimeError("undo the savepoint")
        with db.session.begin_nested():
            enqueue_after_commit("probe.note", tag="kept")
        assert queued.pending_count() == 0  # a released savepoint is not a commit
    assert queued.pending_count() == 1 and outbox_rows() == 0
    [task] = [t for t in iter(queued.dequeue, None)]
    assert task.args[:2] == ("probe.note", {"tag": "kept"})
