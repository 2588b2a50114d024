"""Who may move a deal or a lead, and who may write a commission rule.

Handing a deal or a lead to another owner needs ``customer.transfer`` (a
rep's role lacks it, a manager's has it), through the API and the pages,
and the change is audited with the owner and team before and after (issue
16, item 5). A team's manager writes only their own team's commission rules;
the company-wide ones and other teams' are read-only to them (item 7).
Uses ``test_targets``'s ``world``: rep Wang (East), Li (East-North, a
sub-team of East), Zhao (West), East's manager and an administrator."""

from __future__ import annotations

import pytest

from core.api import db
from plugins.sales.models import CommissionRule, Deal, Lead
from plugins.sales.services import commission, deals, leads
from plugins.sales.tests.test_targets import TIERED, count, token, world  # noqa: F401 (fixture)


def audit_entries(as_user, admin, entity: str, entity_id: int) -> list[dict]:
    got = as_user(admin).get(f"/api/v1/audit?entity={entity}&entity_id={entity_id}&per_page=100")
    assert got.status_code == 200, got.json
    return got.json["items"]


@pytest.fixture
def open_deal(world, make_customer):
    customer = make_customer(name="Open Co", owner_id=world["wang"].id)
    return deals.create_deal(
        {
            "title": "Open one",
            "customer_id": customer.id,
            "amount": "1000",
            "pipeline_id": world["new"].id,
        },
        world["wang"],
    )


def fresh(model, record_id: int):
    db.session.expire_all()
    return db.session.get(model, record_id)


# -- item 5: deals and leads ----------------------------------------------------------------------


def test_a_rep_cannot_hand_their_deal_to_someone_else(world, open_deal, as_user):
    before = len(audit_entries(as_user, world["admin"], "sales_deal", open_deal.id))
    got = as_user(world["wang"]).patch(
        f"/api/v1/sales/deals/{open_deal.id}", json={"title": "Gone", "owner_id": world["zhao"].id}
    )
    assert got.status_code == 403, got.json
    assert "customer.transfer" in got.json["detail"] and "owner_id" in got.json["detail"]
    saved = fresh(Deal, open_deal.id)
    assert (saved.title, saved.owner_id, saved.team_id) == (
        "Open one",
        world["wang"].id,
        world["east"].id,
    )
    assert len(audit_entries(as_user, world["admin"], "sales_deal", open_deal.id)) == before
    assert as_user(world["manager"]).get(f"/api/v1/sales/deals/{open_deal.id}").status_code == 200


def test_a_manager_hands_a_deal_over_and_the_change_is_audited(world, open_deal, as_user):
    got = as_user(world["manager"]).patch(
        f"/api/v1/sales/deals/{open_deal.id}", json={"owner_id": world["li"].id}
    )
    assert got.status_code == 200, got.json
    saved = fresh(Deal, open_deal.id)
    assert (saved.owner_id, saved.team_id) == (world["li"].id, world["north"].id)
    update = next(
        e
        for e in audit_entries(as_user, world["admin"], "sales_deal", open_deal.id)
        if e["action"] == "update"
    )
    assert update["user_id"] == world["manager"].id
    assert update["before"]["owner_id"] == world["wang"].id
    assert update["after"]["owner_id"] == world["li"].id
    assert update["before"]["team_id"] == world["east"].id
    assert update["after"]["team_id"] == world["north"].id


def test_the_deal_form_cannot_hand_a_deal_over_without_the_permission(world, open_deal, login_as):
    client = login_as(world["wang"])
    path = f"/sales/deals/{open_deal.id}/edit"
    form = {
        "csrf_token": token(client, path),
        "version": str(open_deal.version),
        "title": "Open one",
        "amount": "1000",
        "currency": "CNY",
    }
    refused = client.post(path, data={**form, "owner_id": str(world["zhao"].id)})
    assert refused.status_code == 403
    assert "customer.transfer" in refused.text
    assert fresh(Deal, open_deal.id).owner_id == world["wang"].id
    saved = client.post(path, data={**form, "title": "Renamed"})
    assert saved.status_code == 302
    deal = fresh(Deal, open_deal.id)
    assert (deal.title, deal.owner_id) == ("Renamed", world["wang"].id)


def test_a_rep_cannot_hand_their_lead_away_a_manager_can(world, as_user):
    lead = leads.create_lead({"name": "Lead one", "owner_id": world["wang"].id}, None)
    assert lead.team_id == world["east"].id
    refused = as_user(world["wang"]).patch(
        f"/api/v1/sales/leads/{lead.id}", json={"owner_id": world["zhao"].id}
    )
    assert refused.status_code == 403, refused.json
    saved = fresh(Lead, lead.id)
    assert (saved.owner_id, saved.team_id, saved.status) == (
        world["wang"].id,
        world["east"].id,
        "new",
    )
    assert [e["action"] for e in audit_entries(as_user, world["admin"], "sales_lead", lead.id)] == [
        "create"
    ]
    moved = as_user(world["manager"]).patch(
        f"/api/v1/sales/leads/{lead.id}", json={"owner_id": world["li"].id}
    )
    assert moved.status_code == 200, moved.json
    saved = fresh(Lead, lead.id)
    assert (saved.owner_id, saved.team_id) == (world["li"].id, world["north"].id)
    update = next(
        e
        for e in audit_entries(as_user, world["admin"], "sales_lead", lead.id)
        if e["action"] == "update"
    )
    assert (update["before"]["owner_id"], update["after"]["owner_id"]) == (
        world["wang"].id,
        world["li"].id,
    )
    assert (update["before"]["team_id"], update["after"]["team_id"]) == (
        world["east"].id,
        world["north"].id,
    )


def test_a_lead_cannot_go_to_an_unknown_owner(world, as_user):
    lead = leads.create_lead({"name": "Lead two", "owner_id": world["wang"].id}, None)
    got = as_user(world["manager"]).patch(
        f"/api/v1/sales/leads/{lead.id}", json={"owner_id": 999999}
    )
    assert got.status_code == 404 and "owner_id" in got.json["errors"]
    assert fresh(Lead, lead.id).owner_id == world["wang"].id


# -- item 7: commission rules by team -------------------------------------------------------------


def rule_of(team=None, name="Team bonus") -> CommissionRule:
    return commission.create_rule(
        {**TIERED, "name": name, "team_id": team.id if team is not None else None}, None
    )


def test_a_manager_cannot_change_or_delete_a_company_wide_rule_through_the_api(world, as_user):
    company = rule_of(name="Company")
    west = rule_of(world["west"], name="West bonus")
    api = as_user(world["manager"])
    for rule in (company, west):
        changed = api.patch(
            f"/api/v1/sales/commission-rules/{rule.id}",
            json={"name": "Mine now", "tiers": [{"from_amount": "0", "rate_percent": "50"}]},
        )
        assert changed.status_code == 403, changed.json
        assert api.delete(f"/api/v1/sales/commission-rules/{rule.id}").status_code == 403
    db.session.expire_all()
    assert {r.name for r in commission.rules()} == {"Company", "West bonus"}
    assert fresh(CommissionRule, company.id).tiers == TIERED_SAVED
    listed = api.get("/api/v1/sales/commission-rules")
    assert listed.status_code == 200 and {r["team_id"] for r in listed.json} == {
        None,
        world["west"].id,
    }


TIERED_SAVED = [
    {"from_amount": "0.00", "rate_percent": "3.00"},
    {"from_amount": "100000.00", "rate_percent": "5.00"},
]


def test_a_manager_writes_the_rules_of_their_team_and_its_sub_teams_only(world, as_user):
    api = as_user(world["manager"])
    company = api.post("/api/v1/sales/commission-rules", json=TIERED)
    assert company.status_code == 422 and "team_id" in company.json["errors"]
    west = api.post("/api/v1/sales/commission-rules", json={**TIERED, "team_id": world["west"].id})
    assert west.status_code == 422 and "team_id" in west.json["errors"]
    assert count(CommissionRule) == 0
    made = api.post("/api/v1/sales/commission-rules", json={**TIERED, "team_id": world["north"].id})
    assert made.status_code == 201, made.json
    assert made.json["team_id"] == world["north"].id
    rule_id, version = made.json["id"], made.json["version"]
    widen = api.patch(
        f"/api/v1/sales/commission-rules/{rule_id}", json={"version": version, "team_id": None}
    )
    assert widen.status_code == 422 and "team_id" in widen.json["errors"]
    assert fresh(CommissionRule, rule_id).team_id == world["north"].id
    renamed = api.patch(
        f"/api/v1/sales/commission-rules/{rule_id}",
        json={"version": version, "name": "North bonus", "team_id": world["east"].id},
    )
    assert renamed.status_code == 200, renamed.json
    assert (renamed.json["name"], renamed.json["team_id"]) == ("North bonus", world["east"].id)
    assert api.delete(f"/api/v1/sales/commission-rules/{rule_id}").status_code == 204
    assert count(CommissionRule) == 0


def test_an_administrator_writes_every_rule(world, as_user):
    company, west = rule_of(name="Company"), rule_of(world["west"], name="West bonus")
    api = as_user(world["admin"])
    for rule in (company, west):
        got = api.patch(
            f"/api/v1/sales/commission-rules/{rule.id}",
            json={"version": rule.version, "name": f"{rule.name} v2"},
        )
        assert got.status_code == 200, got.json
    assert api.delete(f"/api/v1/sales/commission-rules/{west.id}").status_code == 204
    db.session.expire_all()
    assert [r.name for r in commission.rules()] == ["Company v2"]


def test_the_rule_pages_keep_the_company_wide_rule_read_only_for_a_manager(world, login_as):
    company = rule_of(name="Company")
    client = login_as(world["manager"])
    page = client.get("/sales/commission?month=2026-03")
    assert page.status_code == 200
    assert f"/sales/commission/rules/{company.id}/edit" not in page.text
    csrf = token(client, "/sales/commission")
    edit = f"/sales/commission/rules/{company.id}/edit"
    assert client.get(edit).status_code == 403
    posted = client.post(
        edit,
        data={
            "csrf_token": csrf,
            "version": str(company.version),
            "name": "Taken over",
            "currency": "CNY",
            "tiers.0.from_amount": "0",
            "tiers.0.rate_percent": "50",
        },
    )
    assert posted.status_code == 403
    deleted = client.post(f"/sales/commission/rules/{company.id}/delete", data={"csrf_token": csrf})
    assert deleted.status_code == 403
    saved = fresh(CommissionRule, company.id)
    assert (saved.name, saved.tiers) == ("Company", TIERED_SAVED)
    made = client.post(
        "/sales/commission?month=2026-03",
        data={
            "csrf_token": csrf,
            "name": "East bonus",
            "team_id": str(world["east"].id),
            "currency": "CNY",
            "tiers.0.from_amount": "0",
            "tiers.0.rate_percent": "1",
        },
    )
    assert made.status_code == 302
    east = next(r for r in commission.rules() if r.name == "East bonus")
    assert east.team_id == world["east"].id
    listed = client.get("/sales/commission?month=2026-03").text
    assert f"/sales/commission/rules/{east.id}/edit" in listed
    assert client.get(f"/sales/commission/rules/{east.id}/edit").status_code == 200


def test_a_teams_rule_counts_for_its_reps_and_those_of_its_sub_teams(world):
    company = rule_of(name="Company")
    east = commission.create_rule(
        {
            "name": "East bonus",
            "currency": "CNY",
            "team_id": world["east"].id,
            "tiers": [{"from_amount": "0", "rate_percent": "1"}],
        },
        None,
    )
    west = rule_of(world["west"], name="West bonus")
    wang = commission.statement(world["admin"], world["wang"], "2026-03")
    assert {r["rule_id"] for r in wang["rules"]} == {company.id, east.id}
    li = commission.statement(world["admin"], world["li"], "2026-03")
    assert {r["rule_id"] for r in li["rules"]} == {company.id, east.id}
    by_rule = {r["rule_id"]: r for r in li["rules"]}
    assert str(by_rule[east.id]["commission"]) == "100.00"  # 1 % of Li's 10,000
    assert west.id not in by_rule
