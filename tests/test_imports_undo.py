"""An import's undo runs on the job queue (a large one outlasts a
request): asked for once, checked again when it runs — refused then, the
import keeps its state and says why — and queued again if its worker
stopped."""

from __future__ import annotations

import importlib
import io
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.api import db
from core.imports import resume_stalled, run_undo
from core.models import Customer, ImportJob, utcnow


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", email="ada@example.com", name="Ada Admin")


@pytest.fixture
def api(admin, as_user):
    return as_user(admin)


@pytest.fixture
def held(monkeypatch):
    """The undo jobs asked for, held back: what a queue holds until a worker
    takes it (the job itself is then run by the test)."""
    asked: list[dict] = []
    undo_module = importlib.import_module(
        "core.imports.undo"
    )  # the package's ``undo`` is the function
    monkeypatch.setattr(undo_module, "enqueue_after_commit", lambda code, **kw: asked.append(kw))
    return asked


def imported(api, rows: str) -> int:
    job = api.post(
        "/api/v1/imports/jobs",
        data={"file": (io.BytesIO(rows.encode()), "c.csv"), "target": "customers"},
        content_type="multipart/form-data",
    ).json
    assert api.put(f"/api/v1/imports/jobs/{job['id']}/mapping", json={}).status_code == 200
    assert api.post(f"/api/v1/imports/jobs/{job['id']}/run").status_code == 202
    return job["id"]


def named(name: str) -> Customer:
    return db.session.scalars(select(Customer).where(Customer.name == name)).one()


def test_an_undo_is_asked_for_once_and_runs_as_a_job(api, admin, held):
    job_id = imported(api, "name,phone\nQueued Co,13800138090\n")
    asked = api.post(f"/api/v1/imports/jobs/{job_id}/undo")
    assert asked.status_code == 200 and asked.json["status"] == "undoing"
    assert named("Queued Co").deleted_at is None  # nothing undone before the job runs
    again = api.post(f"/api/v1/imports/jobs/{job_id}/undo")
    assert again.status_code == 409 and "status" in again.json["errors"]
    assert held == [{"job_id": job_id, "user_id": admin.id}]
    assert run_undo(**held[0]) == "1 records undone"
    db.session.expire_all()
    assert db.session.get(ImportJob, job_id).status == "undone"
    assert named("Queued Co").deleted_at is not None
    assert run_undo(**held[0]) == "nothing to undo"


def test_an_undo_refused_when_it_runs_leaves_the_import_and_says_why(api, admin, held):
    from core.services.customers import update_customer

    job_id = imported(api, "name,phone\nEdited Co,13800138091\nOther Co,13800138092\n")
    assert api.post(f"/api/v1/imports/jobs/{job_id}/undo").json["status"] == "undoing"
    edited = named("Edited Co")
    update_customer(edited, {"city": "Xiamen"}, admin)  # between the request and the job
    outcome = run_undo(**held[0])
    assert outcome.startswith("undo refused") and f"customers {edited.id}" in outcome
    db.session.expire_all()
    job = db.session.get(ImportJob, job_id)
    assert (job.status, job.undone_at) == ("done", None)
    assert f"customers {edited.id}" in job.undo_error
    assert edited.city == "Xiamen" and edited.deleted_at is None
    assert named("Other Co").deleted_at is None  # nothing half undone
    shown = api.get(f"/api/v1/imports/jobs/{job_id}").json
    assert shown["undo_error"] == job.undo_error


def test_an_undo_whose_worker_stopped_is_queued_again(api, admin, held, monkeypatch):
    job_id = imported(api, "name,phone\nStalled Co,13800138093\n")
    api.post(f"/api/v1/imports/jobs/{job_id}/undo")
    assert resume_stalled() == "0 stalled imports queued again"  # not stalled yet
    db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id)
        .values(updated_at=utcnow() - timedelta(minutes=11))
    )
    db.session.commit()
    # resumed through the queue (immediate in tests: it runs now)
    assert resume_stalled() == "1 stalled imports queued again"
    db.session.expire_all()
    assert db.session.get(ImportJob, job_id).status == "undone"
    assert named("Stalled Co").deleted_at is not None


def test_the_progress_panel_polls_while_undoing_and_then_reloads_the_page(
    api, admin, held, login_as
):
    job_id = imported(api, "name,phone\nPanel Co,13800138094\n")
    api.post(f"/api/v1/imports/jobs/{job_id}/undo")
    client = login_as(admin)
    waiting = client.get(f"/imports/{job_id}/progress?was=undoing")
    text = waiting.get_data(as_text=True)
    assert 'data-status="undoing"' in text and 'hx-trigger="every 2s"' in text
    assert "HX-Refresh" not in waiting.headers
    run_undo(**held[0])
    done = client.get(f"/imports/{job_id}/progress?was=undoing")
    assert done.headers.get("HX-Refresh") == "true"
    assert 'data-status="undone"' in done.get_data(as_text=True)
