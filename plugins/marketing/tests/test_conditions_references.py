"""Conditions beyond the customer's own row: facts other plugins declare
(``fact.<key>``) and membership of another segment — with the fact's
permission and the segment's visibility checked, and a segment that would
include itself refused, naming the condition."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Integer, func, literal, select, union_all

from core.api import Activity, CustomerFact, Role, User, db, utcnow
from core.testing import plugin_module
from plugins.marketing.models import Segment

API = "/api/v1/marketing"


def _activity_count():
    return select(Activity.customer_id, func.count()).group_by(Activity.customer_id)


def _last_activity():
    return select(Activity.customer_id, func.max(Activity.occurred_at)).group_by(
        Activity.customer_id
    )


def _tiers(tiers: dict[int, str]):
    def values():
        return union_all(
            *(
                select(literal(cid, Integer).label("cid"), literal(tier).label("tier"))
                for cid, tier in tiers.items()
            )
        )

    return values


@pytest.fixture
def facts(make_customer, register_plugin):
    """Three customers: one with three activities (the latest 5 days ago),
    one with one (100 days ago), one with none; tiers gold / silver / none."""
    tiers: dict[int, str] = {}
    register_plugin(
        plugin_module(
            "probe",
            trellis_customer_facts=lambda: [
                CustomerFact("probe.count", "Touches", "number", _activity_count, missing=0),
                CustomerFact("probe.last", "Last touch", "date", _last_activity),
                CustomerFact(
                    "probe.tier",
                    "Tier",
                    "choice",
                    _tiers(tiers),
                    choices=(("gold", "Gold"), ("silver", "Silver")),
                ),
                CustomerFact(
                    "probe.secret",
                    "Secret",
                    "number",
                    _activity_count,
                    missing=0,
                    permission="probe.secret.read",
                ),
            ],
        )
    )
    busy, quiet = make_customer(name="Busy"), make_customer(name="Quiet")
    idle = make_customer(name="Idle")
    now = utcnow()
    for customer, ages in ((busy, (5, 20, 40)), (quiet, (100,))):
        for age in ages:
            db.session.add(
                Activity(
                    customer_id=customer.id,
                    kind="note",
                    subject="x",
                    occurred_at=now - timedelta(days=age),
                )
            )
    db.session.commit()
    tiers.update({busy.id: "gold", quiet.id: "silver"})
    return {"busy": busy, "quiet": quiet, "idle": idle}


def _names(api, conditions, match="all"):
    body = {"name": "S", "match": match, "conditions": conditions}
    created = api.post(f"{API}/segments", json=body)
    assert created.status_code == 201, created.json
    members = api.get(f"{API}/segments/{created.json['id']}/members?per_page=200").json
    asked = {"match": match, "conditions": conditions}
    preview = api.post(f"{API}/segments/preview", json=asked).json["count"]
    names = sorted(m["name"] for m in members["items"])
    assert preview == len(names)
    return names


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"field": "fact.probe.count", "op": "at_least", "value": 2}, ["Busy"]),
        # a customer without a row has the fact's missing value (0): "at most 1" holds for Idle
        ({"field": "fact.probe.count", "op": "at_most", "value": 1}, ["Idle", "Quiet"]),
        ({"field": "fact.probe.count", "op": "at_most", "value": 1, "negate": True}, ["Busy"]),
        ({"field": "fact.probe.last", "op": "within_days", "value": 30}, ["Busy"]),
        ({"field": "fact.probe.last", "op": "older_than_days", "value": 30}, ["Quiet"]),
        ({"field": "fact.probe.last", "op": "empty"}, ["Idle"]),
        ({"field": "fact.probe.tier", "op": "in", "value": ["gold", "silver"]}, ["Busy", "Quiet"]),
        ({"field": "fact.probe.tier", "op": "is", "value": "silver"}, ["Quiet"]),
        ({"field": "fact.probe.tier", "op": "empty"}, ["Idle"]),
    ],
)
def test_a_fact_condition_matches_the_customers_whose_value_compares(
    facts, make_user, as_user, condition, expected
):
    api = as_user(make_user(role="admin"))
    assert _names(api, [condition]) == expected


def test_facts_are_offered_and_checked_by_their_permission(facts, make_user, as_user):
    rep = as_user(make_user(role="sales"))
    offered = {f["key"]: f for f in rep.get(f"{API}/segments/fields").json}
    assert offered["fact.probe.count"]["kind"] == "number"
    assert offered["fact.probe.tier"]["choices"] == ["gold", "silver"]
    assert "fact.probe.secret" not in offered
    secret = [{"field": "fact.probe.secret", "op": "at_least", "value": 1}]
    refused = rep.post(f"{API}/segments", json={"name": "S", "conditions": secret})
    assert refused.status_code == 422
    assert "conditions.0.field" in refused.json["errors"]
    wrong = [{"field": "fact.probe.tier", "op": "is", "value": "bronze"}]
    answer = rep.post(f"{API}/segments/preview", json={"conditions": wrong})
    assert answer.status_code == 422 and "conditions.0.value" in answer.json["errors"]


def test_a_segment_of_segments_and_its_cycle(facts, make_user, as_user):
    api = as_user(make_user(role="admin"))
    touched = [{"field": "fact.probe.count", "op": "at_least", "value": 1}]
    inner = api.post(f"{API}/segments", json={"name": "Touched", "conditions": touched}).json
    outer_conditions = [
        {"field": "segment", "op": "is", "value": inner["id"]},
        {"field": "fact.probe.tier", "op": "is", "value": "silver", "negate": True},
    ]
    assert _names(api, outer_conditions) == ["Busy"]
    outer = db.session.scalar(select(Segment).order_by(Segment.id.desc()))
    # Touched may not now include the segment that includes it
    cyclic = [{"field": "segment", "op": "is", "value": outer.id}]
    answer = api.patch(
        f"{API}/segments/{inner['id']}", json={"version": inner["version"], "conditions": cyclic}
    )
    assert answer.status_code == 422
    assert answer.json["errors"]["conditions.0.value"] == ["A segment cannot include itself."]
    itself = [{"field": "segment", "op": "is", "value": inner["id"]}]
    answer = api.patch(f"{API}/segments/{inner['id']}", json={"conditions": itself})
    assert answer.status_code == 422 and "conditions.0.value" in answer.json["errors"]
    assert db.session.get(Segment, inner["id"]).conditions[0]["field"] == "fact.probe.count"


def test_a_segment_one_cannot_see_cannot_be_included(facts, make_user, as_user):
    owner, other = make_user(role="sales"), make_user(role="sales")
    private = (
        as_user(owner)
        .post(f"{API}/segments", json={"name": "Mine", "shared": False, "conditions": []})
        .json
    )
    answer = as_user(other).post(
        f"{API}/segments/preview",
        json={"conditions": [{"field": "segment", "op": "is", "value": private["id"]}]},
    )
    assert answer.status_code == 422
    assert answer.json["errors"]["conditions.0.value"] == ["Unknown segment."]


def test_an_included_segment_gone_to_the_bin_has_no_members(facts, make_user, as_user):
    api = as_user(make_user(role="admin"))
    inner = api.post(f"{API}/segments", json={"name": "All", "conditions": []}).json
    outer = api.post(
        f"{API}/segments",
        json={
            "name": "Of all",
            "conditions": [{"field": "segment", "op": "is", "value": inner["id"]}],
        },
    ).json
    assert api.get(f"{API}/segments/{outer['id']}/count").json == {"count": 3}
    assert api.delete(f"{API}/segments/{inner['id']}").status_code == 204
    assert api.get(f"{API}/segments/{outer['id']}/count").json == {"count": 0}


def test_the_industry_plugins_facts_are_offered_by_permission(make_user, as_user):
    """The built-in plugins' facts reach the condition builder with no code
    of marketing's naming them; a role without a plugin's read permission
    does not get its facts."""
    keys = {f["key"] for f in as_user(make_user(role="admin")).get(f"{API}/segments/fields").json}
    for key in (
        "fact.sales.won_amount",
        "fact.service.open_work_orders",
        "fact.insurance.policies_in_force",
        "fact.his.last_visit_at",
    ):
        assert key in keys, key
    empty = db.session.get(Role, make_user(role="sales").role_id)
    empty.permissions = ["marketing.segment.read", "customer.read"]
    db.session.commit()
    user = db.session.scalar(select(User).where(User.role_id == empty.id))
    offered = {f["key"] for f in as_user(user).get(f"{API}/segments/fields").json}
    assert not {k for k in offered if k.startswith("fact.")}
