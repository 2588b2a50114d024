"""Pipelines set up by an administrator: in the browser and through the API."""

from __future__ import annotations

import re

from core.api import db
from plugins.sales.models import Pipeline
from plugins.sales.services import pipelines as pipeline_service


def token(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_an_admin_creates_a_pipeline_and_renames_a_stage_in_the_browser(make_user, login_as):
    client = login_as(make_user(role="admin"))
    created = client.post(
        "/sales/pipelines",
        data={
            "csrf_token": token(client, "/sales/pipelines"),
            "name": "Renewals",
            "open-0-name": "Due",
            "open-0-probability": "40",
            "open-1-name": "",  # an empty row is left out
            "open-2-name": "Quoted",
            "open-2-probability": "70",
            "won-name": "Renewed",
            "lost-name": "Not renewed",
        },
    )
    assert created.status_code == 302
    db.session.expire_all()
    pipeline = db.session.query(Pipeline).one()
    assert [(s.name, s.probability, s.outcome) for s in pipeline.stages] == [
        ("Due", 40, "open"),
        ("Quoted", 70, "open"),
        ("Renewed", 100, "won"),
        ("Not renewed", 0, "lost"),
    ]
    due = pipeline.stages[0]
    edited = client.post(
        f"/sales/pipelines/{pipeline.id}",
        data={
            "csrf_token": token(client, "/sales/pipelines"),
            "version": str(pipeline.version),
            "name": "Renewals",
            f"stage-{due.id}-name": "Renewal due",
            f"stage-{due.id}-probability": "45",
        },
    )
    assert edited.status_code == 302
    db.session.expire_all()
    assert (
        db.session.get(Pipeline, pipeline.id).stages[0].name,
        db.session.get(Pipeline, pipeline.id).stages[0].probability,
    ) == ("Renewal due", 45)


def test_a_bad_stage_is_named_at_its_row_and_nothing_is_created(make_user, login_as):
    client = login_as(make_user(role="admin"))
    form = client.get("/sales/pipelines").text
    assert 'value="Qualification"' in form and 'value="Negotiation"' in form  # a start
    bad = client.post(
        "/sales/pipelines",
        data={
            "csrf_token": token(client, "/sales/pipelines"),
            "name": "Odd",
            "open-0-name": "Only",
            "open-0-probability": "140",
            "won-name": "Won",
            "lost-name": "",
        },
    )
    assert bad.status_code == 422
    assert 'id="e-open-0-probability"' in bad.text and 'id="e-lost-name"' in bad.text
    assert re.search(r'name="open-0-name"[^>]* value="Only"', bad.text)  # the input is kept
    assert '<details class="card on-demand" open>' in bad.text
    assert db.session.query(Pipeline).count() == 0


def test_stages_are_edited_through_the_api_but_never_moved_to_another_pipeline(make_user, as_user):
    stages = [
        {"name": "Open", "probability": 10},
        {"name": "Won", "probability": 100, "outcome": "won"},
        {"name": "Lost", "probability": 0, "outcome": "lost"},
    ]
    one = pipeline_service.create_pipeline({"name": "One", "stages": stages}, None)
    two = pipeline_service.create_pipeline({"name": "Two", "stages": stages}, None)
    api = as_user(make_user(role="admin"))
    foreign = api.patch(
        f"/api/v1/sales/pipelines/{one.id}",
        json={"stages": [{"id": two.stages[0].id, "name": "Hijack"}]},
    )
    assert foreign.status_code == 404 and "stages.0.id" in foreign.json["errors"]
    ok = api.patch(
        f"/api/v1/sales/pipelines/{one.id}",
        json={"version": one.version, "stages": [{"id": one.stages[0].id, "probability": 15}]},
    )
    assert ok.status_code == 200 and ok.json["stages"][0]["probability"] == 15
    stale = api.patch(
        f"/api/v1/sales/pipelines/{one.id}", json={"version": one.version, "name": "Late"}
    )
    assert stale.status_code == 409
    assert (
        as_user(make_user())
        .patch(f"/api/v1/sales/pipelines/{one.id}", json={"name": "X"})
        .status_code
        == 403
    )


def test_a_stage_edit_without_its_id_is_named_not_a_crash(make_user, as_user):
    stages = [
        {"name": "Open", "probability": 10},
        {"name": "Won", "probability": 100, "outcome": "won"},
        {"name": "Lost", "probability": 0, "outcome": "lost"},
    ]
    one = pipeline_service.create_pipeline({"name": "One", "stages": stages}, None)
    api = as_user(make_user(role="admin"))
    refused = api.patch(f"/api/v1/sales/pipelines/{one.id}", json={"stages": [{}]})
    assert refused.status_code == 422 and refused.json["errors"]
