"""Households (``/api/v1/insurance/households``, ``/cross-sell``): a person
in one household at a time (409 naming ``person_id``), persons and
households in the caller's scope, each member's live cover by line, every
gap rule on a fixture family, and the cross-sell list — most gaps first,
paged, an agent's own households only, in a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event

from core.api import Team, db
from plugins.insurance.models import Household, Insured, Person
from plugins.insurance.services import households as homes
from plugins.insurance.services.terms import today

from .factories import make_policy, product_named


def term(customer, agent, number: str, line: str, insured=(), status="in_force", **fields):
    """A term of ``line`` held by ``customer``, insuring ``insured`` ((person, relation) pairs)."""
    product_named(f"Test {line}", line)
    day = today()
    policy = make_policy(
        customer,
        agent,
        number,
        day - timedelta(days=30),
        day + timedelta(days=334),
        product=f"Test {line}",
        status=status,
        team_id=agent.team_id,
        **fields,
    )
    db.session.flush()
    for person, relation in insured:
        db.session.add(Insured(policy_id=policy.id, person_id=person.id, relation=relation))
    db.session.commit()
    return policy


def person(customer, name: str, born: date | None = None, household=None, **fields) -> Person:
    found = Person(
        customer_id=customer.id,
        name=name,
        birth_date=born,
        household_id=household.id if household else None,
        agent_id=customer.owner_id,
        team_id=fields.pop("team_id", customer.team_id),
        **fields,
    )
    db.session.add(found)
    db.session.commit()
    return found


@pytest.fixture
def family(make_user, make_customer):
    """Agent Ann's customer 王伟 heading household 王家: himself (the
    customer), his wife 李娜, their son 王小明 (a minor) and his mother
    王秀英 (whose relationship a lapsed policy of his states) — no policies
    yet; agent Bob with a customer and a household of his own; Meg, Ann's manager."""
    motor, marine = Team(name="Motor desk"), Team(name="Marine desk")
    db.session.add_all([motor, marine])
    db.session.commit()
    ann = make_user(role="insurance_agent", team=motor, name="Ann Agent")
    bob = make_user(role="insurance_agent", team=marine, name="Bob Agent")
    meg = make_user(role="manager", team=motor, name="Meg Manager")
    wang = make_customer(name="王伟", owner_id=ann.id, team_id=motor.id)
    other = make_customer(name="Elsewhere Ltd", owner_id=bob.id, team_id=marine.id)
    home = Household(name="王家", customer_id=wang.id, agent_id=ann.id, team_id=motor.id)
    theirs = Household(name="Bob's family", customer_id=other.id, agent_id=bob.id)
    db.session.add_all([home, theirs])
    db.session.commit()
    day = today()
    head = person(wang, "王伟", date(1982, 2, 12), home, person_customer_id=wang.id)
    wife = person(wang, "李娜", date(1985, 7, 4), home)
    son = person(wang, "王小明", day.replace(year=day.year - 10), home)
    mother = person(wang, "王秀英", date(1949, 12, 31), home)
    loose = person(wang, "王芳", date(1990, 3, 7))
    stranger = person(other, "Zed", date(1970, 1, 1), theirs)
    term(wang, ann, "P-OLD-LIFE", "life", [(mother, "parent"), (wife, "spouse")], status="lapsed")
    return SimpleNamespace(
        ann=ann,
        bob=bob,
        meg=meg,
        wang=wang,
        other=other,
        home=home,
        theirs=theirs,
        head=head,
        wife=wife,
        son=son,
        mother=mother,
        loose=loose,
        stranger=stranger,
    )


def gaps(cover) -> list[tuple[str, str | None]]:
    return [(g.code, g.person_name) for g in cover.gaps]


def cover_of(family, user=None):
    return homes.cover_of(family.home, user or family.ann)


# -- membership ----------------------------------------------------------


def test_members_join_one_household_at_a_time(as_user, family):
    client = as_user(family.ann)
    url = f"/api/v1/insurance/households/{family.home.id}/members"
    added = client.post(url, json={"person_ids": [family.loose.id]})
    assert added.status_code == 200
    assert "王芳" in [m["name"] for m in added.json["members"]]
    again = client.post(url, json={"person_ids": [family.loose.id]})
    assert again.status_code == 200  # already a member: nothing to do
    other = client.post(
        "/api/v1/insurance/households", json={"name": "王芳家", "customer_id": family.wang.id}
    )
    assert other.status_code == 201 and other.json["agent_id"] == family.ann.id
    taken = client.post(
        f"/api/v1/insurance/households/{other.json['id']}/members",
        json={"person_ids": [family.loose.id]},
    )
    assert taken.status_code == 409 and list(taken.json["errors"]) == ["person_id"]
    assert "王芳" in taken.json["errors"]["person_id"][0]
    db.session.expire_all()
    assert db.session.get(Person, family.loose.id).household_id == family.home.id
    stranger = client.post(url, json={"person_ids": [family.stranger.id]})
    assert stranger.status_code == 404 and "person_id" in stranger.json["errors"]


def test_removing_a_member_and_one_who_is_not(as_user, family):
    client = as_user(family.ann)
    url = f"/api/v1/insurance/households/{family.home.id}/members"
    gone = client.delete(url, json={"person_ids": [family.mother.id]})
    assert gone.status_code == 200
    assert "王秀英" not in [m["name"] for m in gone.json["members"]]
    again = client.delete(url, json={"person_ids": [family.mother.id]})
    assert again.status_code == 409 and "person_id" in again.json["errors"]
    db.session.expire_all()
    assert db.session.get(Person, family.mother.id).household_id is None


def test_households_are_the_callers_scope(as_user, family):
    ann = as_user(family.ann)
    listed = ann.get("/api/v1/insurance/households").json
    assert [h["name"] for h in listed["items"]] == ["王家"]
    assert ann.get(f"/api/v1/insurance/households/{family.theirs.id}").status_code == 404
    assert ann.get(f"/api/v1/insurance/households/{family.theirs.id}/cover").status_code == 404
    refused = ann.post(
        "/api/v1/insurance/households", json={"name": "x", "customer_id": family.other.id}
    )
    assert refused.status_code == 404 and "customer_id" in refused.json["errors"]
    renamed = ann.patch(
        f"/api/v1/insurance/households/{family.home.id}",
        json={"name": "王伟家", "version": family.home.version},
    )
    assert renamed.status_code == 200 and renamed.json["name"] == "王伟家"
    stale = ann.patch(
        f"/api/v1/insurance/households/{family.home.id}",
        json={"name": "again", "version": family.home.version - 1},
    )
    assert stale.status_code == 409


# -- relationships and cover ---------------------------------------------


def test_relationships_are_read_from_the_book(family):
    cover = cover_of(family)
    relations = {m.name: m.relation for m in cover.members}
    # the customer is the head; stated on the lapsed policy; a minor; the rest unknown
    assert relations == {"王伟": "self", "李娜": "spouse", "王秀英": "parent", "王小明": "child"}
    assert cover.head is not None and cover.head.name == "王伟"


def test_cover_by_line_as_insured_or_holder(as_user, family):
    car = term(family.wang, family.ann, "P-CAR", "motor")
    term(family.wang, family.ann, "P-HEALTH", "health", [(family.son, "child")])
    term(family.wang, family.bob, "P-BOBS", "life", [(family.head, "self")])  # not Ann's
    answer = as_user(family.ann).get(f"/api/v1/insurance/households/{family.home.id}/cover")
    assert answer.status_code == 200
    members = {m["name"]: m for m in answer.json["members"]}
    assert members["王伟"]["lines"] == ["motor"]  # holds the car; holds, not insured on, health
    held = {(p["number"], p["role"]) for p in members["王伟"]["policies"]}
    assert held == {("P-CAR", "holder"), ("P-HEALTH", "holder")}
    assert members["王小明"]["lines"] == ["health"]
    assert members["王小明"]["policies"][0]["role"] == "insured"
    assert members["王秀英"]["lines"] == []  # her life policy lapsed
    assert answer.json["lines"] == ["health", "motor"]
    assert car.id in {p["policy_id"] for p in members["王伟"]["policies"]}


# -- each gap rule -------------------------------------------------------


def test_motor_but_no_home(family):
    term(family.wang, family.ann, "P-CAR", "motor")
    assert ("motor_no_home", "王伟") in gaps(cover_of(family))
    term(family.wang, family.ann, "P-HOME", "property")
    assert "motor_no_home" not in [g[0] for g in gaps(cover_of(family))]


def test_parents_insured_but_a_child_not(family):
    term(family.wang, family.ann, "P-H1", "health", [(family.head, "self")])
    found = gaps(cover_of(family))
    assert ("child_uninsured", "王小明") in found
    assert [g for g in found if g[0] == "child_uninsured"] == [("child_uninsured", "王小明")]
    term(family.wang, family.ann, "P-H2", "health", [(family.son, "child")])
    assert "child_uninsured" not in [g[0] for g in gaps(cover_of(family))]


def test_no_child_gap_while_no_parent_is_covered(family):
    assert "child_uninsured" not in [g[0] for g in gaps(cover_of(family))]


def test_the_head_without_life_cover(family):
    assert ("head_no_life", "王伟") in gaps(cover_of(family))
    term(family.wang, family.ann, "P-LIFE", "life", [(family.head, "self")])
    assert "head_no_life" not in [g[0] for g in gaps(cover_of(family))]


def test_anyone_without_accident_or_health(family):
    before = [name for code, name in gaps(cover_of(family)) if code == "no_accident_health"]
    assert sorted(before) == sorted(["王伟", "李娜", "王小明", "王秀英"])
    term(family.wang, family.ann, "P-ACC", "accident", [(family.wife, "spouse")])
    term(family.wang, family.ann, "P-GRACE", "health", [(family.mother, "parent")], status="grace")
    after = [name for code, name in gaps(cover_of(family)) if code == "no_accident_health"]
    assert sorted(after) == sorted(["王伟", "王小明"])


def test_each_gap_has_a_code_a_label_and_the_line_to_quote(as_user, family):
    term(family.wang, family.ann, "P-CAR", "motor")
    answer = as_user(family.ann).get(f"/api/v1/insurance/households/{family.home.id}/cover")
    first = answer.json["gaps"][0]
    assert first == {
        "code": "motor_no_home",
        "label": "Motor cover but no home cover",
        "person_id": family.head.id,
        "person_name": "王伟",
        "line": "property",
    }


# -- cross-sell ----------------------------------------------------------


def test_cross_sell_most_gaps_first_paged_and_scoped(as_user, family):
    # 王家: 4 × no accident/health + head no life = 5; a second household of Ann's with 2 gaps
    small = Household(
        name="李家", customer_id=family.wang.id, agent_id=family.ann.id, team_id=family.home.team_id
    )
    db.session.add(small)
    db.session.commit()
    person(family.wang, "李雷", date(1980, 1, 1), small)
    covered = Household(name="全保家", customer_id=family.wang.id, agent_id=family.ann.id)
    db.session.add(covered)
    db.session.commit()
    fine = person(family.wang, "周全", date(1980, 1, 1), covered)
    term(family.wang, family.ann, "P-FINE", "health", [(fine, "other")])
    client = as_user(family.ann)
    listed = client.get("/api/v1/insurance/cross-sell").json
    assert [(h["name"], h["gap_count"]) for h in listed["items"]] == [("王家", 5), ("李家", 1)]
    assert listed["total"] == 2  # 全保家 has no gap; Bob's household is not Ann's
    second = client.get("/api/v1/insurance/cross-sell?per_page=1&page=2").json
    assert [h["name"] for h in second["items"]] == ["李家"] and second["total"] == 2
    bobs = as_user(family.bob).get("/api/v1/insurance/cross-sell").json
    assert [h["name"] for h in bobs["items"]] == ["Bob's family"]


def test_cross_sell_costs_the_same_queries_for_more_households(family):
    def statements() -> int:
        seen: list[str] = []

        def count(*_args):
            seen.append("x")

        engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            homes.cross_sell(family.ann)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    one = statements()
    for n in range(5):
        extra = Household(name=f"家{n}", customer_id=family.wang.id, agent_id=family.ann.id)
        db.session.add(extra)
        db.session.commit()
        person(family.wang, f"成员{n}", date(1980, 1, 1), extra)
        term(family.wang, family.ann, f"P-X{n}", "motor")
    assert statements() == one


def test_a_blank_household_name_is_refused(as_user, family):
    answer = as_user(family.ann).post(
        "/api/v1/insurance/households", json={"name": "   ", "customer_id": family.wang.id}
    )
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["name"]
