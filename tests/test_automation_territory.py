"""Assignment by territory: ``assign_owner`` with ``method`` ``territory``
reads the record's region (or city), takes the first line "value → team"
it matches and gives the record to the team's members in turn — each team
keeping its own turn — else to the fallback user or team; lines naming an
unknown team, or written wrong, are refused naming ``territories``."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.api import db
from core.automation import save_rule, try_rule
from core.errors import ValidationError
from core.models import AutomationRun, Customer
from core.services.customers import create_customer
from core.services.users import create_team

LINES = "# province → team\n浙江, 上海 → Sales East\n广东 -> Sales South\n"


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", email="ada@example.com", name="Ada Admin")


@pytest.fixture
def teams(admin, make_user):
    east, south = create_team("Sales East", admin), create_team("Sales South", admin)
    made = {
        "east": [make_user(name=f"East {i}", team_id=east.id) for i in (1, 2)],
        "south": [make_user(name=f"South {i}", team_id=south.id) for i in (1, 2)],
        "desk": make_user(name="Front desk"),
    }
    return made


def rule(admin, params):
    action = {"type": "assign_owner", "params": {"method": "territory", **params}}
    return save_rule(
        {
            "name": "By province",
            "trigger": {"kind": "event", "event": "customer_created"},
            "actions": [action],
        },
        None,
        admin,
    )


def owner_of(admin, **values) -> int | None:
    customer = create_customer({"name": values.pop("name", "Acme"), **values}, admin).customer
    db.session.expire_all()
    return db.session.get(Customer, customer.id).owner_id


def test_each_province_goes_to_its_team_in_turn_and_the_rest_to_the_fallback(admin, teams):
    rule(admin, {"territories": LINES, "user_id": teams["desk"].id})
    east, south = [u.id for u in teams["east"]], [u.id for u in teams["south"]]
    owners = [
        owner_of(admin, name="Hangzhou Co", region="浙江省"),
        owner_of(admin, name="Guangzhou Co", region="广东"),
        owner_of(admin, name="Shanghai Co", region="上海"),
        owner_of(admin, name="Ningbo Co", region="浙江"),
        owner_of(admin, name="Shenzhen Co", region="广东"),
        owner_of(admin, name="Beijing Co", region="北京"),
        owner_of(admin, name="Nowhere Co"),
    ]
    assert owners == [east[0], south[0], east[1], east[0], south[1], teams["desk"].id] + [
        teams["desk"].id
    ]
    details = [r.results[0]["detail"] for r in db.session.scalars(select(AutomationRun)).all()]
    assert details[0] == "assigned to East 1 (浙江省 → Sales East)"
    assert details[5] == "assigned to Front desk (no territory matches 北京)"


def test_the_city_picks_the_team_and_a_fallback_team_takes_turns(admin, teams, make_user):
    north = create_team("Sales North", admin)
    rep = make_user(name="North 1", team_id=north.id)
    rule(
        admin,
        {"territory_field": "city", "territories": "Hangzhou → Sales East", "team_id": north.id},
    )
    assert owner_of(admin, city="hangzhou ") == teams["east"][0].id
    assert owner_of(admin, city="Wuhan", region="浙江") == rep.id


def test_a_dry_run_says_which_territory_without_assigning(admin, teams):
    made = rule(admin, {"territories": LINES, "user_id": teams["desk"].id})
    save_rule({"active": False, "version": made.version}, made, admin)
    customer = create_customer({"name": "Guangzhou Co", "region": "广东"}, admin).customer
    tried = try_rule(made, customer.id, admin)
    assert "South 1 (广东 → Sales South)" in str(tried)
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).owner_id is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"territories": "浙江 → Sales Nowhere", "user_id": "desk"}, "territories"),
        ({"territories": "just a province", "user_id": "desk"}, "territories"),
        ({"territories": "", "user_id": "desk"}, "territories"),
        ({"territories": LINES, "territory_field": "street", "user_id": "desk"}, "territory_field"),
        ({"territories": LINES}, "user_id"),
    ],
)
def test_wrong_territories_are_refused_naming_the_parameter(admin, teams, params, field):
    if params.get("user_id") == "desk":
        params = {**params, "user_id": teams["desk"].id}
    with pytest.raises(ValidationError) as refused:
        rule(admin, params)
    assert f"actions.0.params.{field}" in refused.value.errors
    if "Nowhere" in params["territories"]:
        assert "Sales Nowhere" in refused.value.errors["actions.0.params.territories"][0]


def test_territory_lines_without_the_territory_method_are_refused(admin, teams):
    with pytest.raises(ValidationError) as refused:
        save_rule(
            {
                "name": "Mixed",
                "trigger": {"kind": "event", "event": "customer_created"},
                "actions": [
                    {
                        "type": "assign_owner",
                        "params": {"team_id": teams["east"][0].team_id, "territories": LINES},
                    }
                ],
            },
            None,
            admin,
        )
    assert "actions.0.params.method" in refused.value.errors
