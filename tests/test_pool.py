"""The customer pool (公海): claim, release, cool-off, recycle, reminders,
transfer of a departing employee's records."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.errors import ValidationError
from core.models import Activity, PoolRule, utcnow
from core.services.activities import log_activity
from core.services.pool import claim, recycle_due, release, transfer_all
from core.services.tokens import create_token


@pytest.fixture
def rule(db):
    row = PoolRule(
        team_id=None, claim_limit=2, cool_off_days=7, recycle_after_days=30, remind_days_before=3
    )
    db.session.add(row)
    db.session.commit()
    return row


def age(db, customer, days):
    customer.created_at = utcnow() - timedelta(days=days)
    db.session.commit()


def test_a_rep_claims_up_to_the_limit(rule, make_user, make_customer):
    rep = make_user()
    first, second, third = (make_customer(name=n) for n in "ABC")
    claim(first, rep)
    claim(second, rep)
    assert first.owner_id == rep.id
    with pytest.raises(ValidationError, match="limit"):
        claim(third, rep)
    assert third.owner_id is None


def test_an_owned_customer_cannot_be_claimed(rule, make_user, make_customer):
    owner = make_user()
    customer = make_customer(owner_id=owner.id)
    with pytest.raises(ValidationError):
        claim(customer, make_user())
    assert customer.owner_id == owner.id


def test_a_released_customer_cools_off_for_the_same_rep_only(rule, make_user, make_customer):
    rep, colleague = make_user(), make_user()
    customer = make_customer(owner_id=rep.id)
    release(customer, rep)
    assert customer.owner_id is None
    with pytest.raises(ValidationError, match="less than 7 days"):
        claim(customer, rep)
    assert claim(customer, colleague).owner_id == colleague.id


def test_customers_not_contacted_for_n_days_return_to_the_pool(
    rule, db, make_user, make_customer, events
):
    rep = make_user()
    stale, fresh, contacted = (
        make_customer(name=n, owner_id=rep.id) for n in ("Stale", "Fresh", "Contacted")
    )
    age(db, stale, 40)
    age(db, contacted, 40)
    log_activity({"kind": "call", "subject": "hi", "customer_id": contacted.id}, rep)
    events.clear()
    report = recycle_due()
    assert report.recycled == 1 and stale.owner_id is None
    assert fresh.owner_id == rep.id and contacted.owner_id == rep.id
    assert events.of("customer_owner_changed")[0]["previous_owner_id"] == rep.id
    assert recycle_due().recycled == 0
    with pytest.raises(ValidationError):
        claim(stale, rep)  # recycled counts as released: the cool-off applies


def test_owners_are_reminded_before_a_customer_is_recycled_once(rule, db, make_user, make_customer):
    rep = make_user()
    soon = make_customer(name="Soon", owner_id=rep.id)
    age(db, soon, 28)
    assert recycle_due().reminded == 1
    assert recycle_due().reminded == 0
    task = db.session.scalar(select(Activity).where(Activity.link_type == "pool_rule"))
    assert task.owner_id == rep.id and task.is_open and "Soon" in task.subject
    assert soon.owner_id == rep.id


def test_a_teams_own_rule_overrides_the_default(rule, db, make_user, make_customer):
    from core.services.users import create_team

    patient = create_team("Patient team", None)
    db.session.add(PoolRule(team_id=patient.id, recycle_after_days=365))
    db.session.commit()
    rep = make_user(team=patient)
    customer = make_customer(owner_id=rep.id)
    age(db, customer, 40)
    recycle_due()
    assert customer.owner_id == rep.id


def test_sales_adds_no_won_deal_for_m_days(db, make_user, make_customer):
    from plugins.sales.models import Deal, Pipeline, Stage

    rep = make_user()
    pipeline = Pipeline(name="P")
    db.session.add(pipeline)
    db.session.flush()
    won = Stage(pipeline_id=pipeline.id, name="Won", position=9, probability=100, outcome="won")
    db.session.add(won)
    db.session.add(
        PoolRule(team_id=None, conditions={"sales_no_won_deal": {"days": 90}}, remind_days_before=0)
    )
    db.session.commit()
    winner, loser = (
        make_customer(name="Winner", owner_id=rep.id),
        make_customer(name="Loser", owner_id=rep.id),
    )
    age(db, winner, 200)
    age(db, loser, 200)
    db.session.add_all(
        [  # won last week, and won half a year ago (too long ago to count)
            Deal(
                title="Big",
                customer_id=winner.id,
                pipeline_id=pipeline.id,
                stage_id=won.id,
                amount=Decimal("100"),
                owner_id=rep.id,
                closed_at=utcnow() - timedelta(days=7),
            ),
            Deal(
                title="Old",
                customer_id=loser.id,
                pipeline_id=pipeline.id,
                stage_id=won.id,
                amount=Decimal("100"),
                owner_id=rep.id,
                closed_at=utcnow() - timedelta(days=180),
            ),
        ]
    )
    db.session.commit()
    assert recycle_due().recycled == 1
    assert (winner.owner_id, loser.owner_id) == (rep.id, None)


def test_a_departing_reps_customers_tasks_and_deals_go_to_a_colleague(db, make_user, make_customer):
    from plugins.sales.models import Deal, Pipeline, Stage

    leaver, heir = make_user(), make_user()
    customers = [make_customer(owner_id=leaver.id) for _ in range(3)]
    log_activity(
        {
            "kind": "task",
            "subject": "call back",
            "customer_id": customers[0].id,
            "due_at": utcnow().isoformat(),
        },
        leaver,
    )
    pipeline = Pipeline(name="P")
    db.session.add(pipeline)
    db.session.flush()
    stage = Stage(pipeline_id=pipeline.id, name="S", position=0, probability=10)
    db.session.add(stage)
    db.session.flush()
    db.session.add(
        Deal(
            title="D",
            customer_id=customers[0].id,
            pipeline_id=pipeline.id,
            stage_id=stage.id,
            owner_id=leaver.id,
        )
    )
    db.session.commit()
    counts = transfer_all(leaver, heir, None)
    assert counts == {"customers": 3, "tasks": 1, "plugin_records": 1}
    db.session.expire_all()
    assert {c.owner_id for c in customers} == {heir.id}
    assert db.session.scalar(select(Deal.owner_id)) == heir.id


def test_transfer_to_a_deactivated_user_is_refused_and_changes_nothing(
    db, make_user, make_customer
):
    leaver, gone = make_user(), make_user()
    gone.active = False
    db.session.commit()
    customer = make_customer(owner_id=leaver.id)
    with pytest.raises(ValidationError) as err:
        transfer_all(leaver, gone, None)
    assert "to_user_id" in err.value.errors and customer.owner_id == leaver.id


def test_pool_through_the_api(app, rule, make_user, make_customer, db):
    from core.services.users import create_team

    east, west = create_team("East", None), create_team("West", None)
    rep = make_user(team=east)
    _t, secret = create_token(rep, "t", None)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    ours = make_customer(name="East pool", team_id=east.id)
    make_customer(name="Open pool")
    theirs = make_customer(name="West pool", team_id=west.id)
    names = [c["name"] for c in client.get("/api/v1/pool?sort=name").json["items"]]
    assert names == ["East pool", "Open pool"]
    assert client.post(f"/api/v1/pool/{theirs.id}/claim").status_code == 404
    claimed = client.post(f"/api/v1/pool/{ours.id}/claim")
    assert claimed.status_code == 200 and claimed.json["owner_id"] == rep.id
    assert client.get(f"/api/v1/customers/{ours.id}").status_code == 200
    assert client.post(f"/api/v1/pool/{ours.id}/claim").status_code == 404
    released = client.post(f"/api/v1/customers/{ours.id}/release")
    assert released.status_code == 200 and released.json["owner_id"] is None
    again = client.post(f"/api/v1/pool/{ours.id}/claim")
    assert again.status_code == 422 and "7 days" in again.json["errors"]["id"][0]


def test_only_admins_transfer_through_the_api(app, make_user, make_customer):
    leaver, heir, admin = make_user(), make_user(), make_user(role="admin")
    make_customer(owner_id=leaver.id)
    client = app.test_client()
    for user, status in ((make_user(role="manager"), 403), (admin, 200)):
        _t, secret = create_token(user, "t", None)
        response = client.post(
            f"/api/v1/users/{leaver.id}/transfer",
            json={"to_user_id": heir.id},
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert response.status_code == status
    assert response.json == {"customers": 1, "tasks": 0, "plugin_records": 0}


def test_pool_rules_are_configured_per_team_through_the_api(as_user, make_user, db):
    from core.models import AuditEntry, PoolRule
    from core.services.users import create_team

    admin, rep = make_user(role="admin"), make_user(role="manager")
    east = create_team("East", None)
    api = as_user(admin)
    saved = api.put(
        "/api/v1/pool/rules",
        json={
            "team_id": east.id,
            "claim_limit": 50,
            "cool_off_days": 7,
            "recycle_after_days": 30,
            "conditions": {"sales_no_won_deal": {"days": 90}},
        },
    )
    assert saved.status_code == 200, saved.json
    assert saved.json["conditions"] == {"sales_no_won_deal": {"days": 90}}
    again = api.put(
        "/api/v1/pool/rules", json={"team_id": east.id, "claim_limit": 60, "cool_off_days": 7}
    )
    assert again.json["id"] == saved.json["id"] and again.json["claim_limit"] == 60
    assert [r["team_id"] for r in api.get("/api/v1/pool/rules").json] == [east.id]
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "pool_rule")
        )
        == 2
    )

    bad = api.put(
        "/api/v1/pool/rules",
        json={
            "team_id": 999,
            "claim_limit": -1,
            "cool_off_days": 7,
            "conditions": {"nope": {}, "sales_no_won_deal": {"days": 0}},
        },
    )
    assert bad.status_code == 422
    errors = bad.json["errors"]
    assert "claim_limit" in errors
    bad = api.put(
        "/api/v1/pool/rules",
        json={
            "team_id": 999,
            "claim_limit": 1,
            "cool_off_days": 7,
            "conditions": {"nope": {}, "sales_no_won_deal": {"days": 0}},
        },
    )
    assert set(bad.json["errors"]) == {"team_id", "conditions.nope", "conditions.sales_no_won_deal"}
    assert db.session.scalar(select(func.count()).select_from(PoolRule)) == 1
    assert (
        as_user(rep)
        .put("/api/v1/pool/rules", json={"claim_limit": 1, "cool_off_days": 1})
        .status_code
        == 403
    )
