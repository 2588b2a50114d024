"""Persons (``/api/v1/insurance/persons`` and the person page): a resident
ID number checked and agreeing with the birth date (422 ``national_id``),
kept encrypted, shown masked — whole only to a holder of
``insurance.pii.read`` opening the one person, and that reading audited —
found by the exact number through its look-up hash, found by name, each in
the caller's scope."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from core.api import Team, db
from plugins.insurance.models import Person

#: valid resident identity card numbers and the birth dates they hold
HEAD_ID, HEAD_BORN = "110101198202120048", "1982-02-12"
OLD_ID, OLD_BORN = "11010519491231002X", "1949-12-31"
MASKED_HEAD = "110***********0048"


@pytest.fixture
def people(make_user, make_customer):
    """Agent Ann (team Motor) with customer 王伟, agent Bob (team Marine)
    with his own customer, and Meg, Ann's manager (who may read IDs)."""
    motor, marine = Team(name="Motor desk"), Team(name="Marine desk")
    db.session.add_all([motor, marine])
    db.session.commit()
    ann = make_user(role="insurance_agent", team=motor, name="Ann Agent")
    bob = make_user(role="insurance_agent", team=marine, name="Bob Agent")
    meg = make_user(role="manager", team=motor, name="Meg Manager")
    wang = make_customer(name="王伟", owner_id=ann.id, team_id=motor.id)
    elsewhere = make_customer(name="Elsewhere Ltd", owner_id=bob.id, team_id=marine.id)
    return type("People", (), dict(ann=ann, bob=bob, meg=meg, wang=wang, elsewhere=elsewhere))


def _new(client, customer, **fields):
    body = {"customer_id": customer.id, "name": "王伟", **fields}
    return client.post("/api/v1/insurance/persons", json=body)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"national_id": "110101198202120049"}, "check digit"),
        ({"national_id": "12345"}, "18 characters"),
        ({"national_id": HEAD_ID, "birth_date": "1982-02-13"}, "birth date"),
    ],
)
def test_a_bad_or_disagreeing_national_id_is_refused(as_user, people, fields, message):
    answer = _new(as_user(people.ann), people.wang, **fields)
    assert answer.status_code == 422
    assert list(answer.json["errors"]) == ["national_id"]
    assert message in answer.json["errors"]["national_id"][0]
    assert fields["national_id"] not in answer.text  # the error never repeats the number
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_a_person_is_kept_encrypted_and_shown_masked(as_user, people):
    answer = _new(
        as_user(people.ann), people.wang, national_id=HEAD_ID.lower(), birth_date=HEAD_BORN
    )
    assert answer.status_code == 201, answer.json
    assert answer.json["national_id"] == MASKED_HEAD and answer.json["id_type"] == "cn_ric"
    assert answer.json["agent_id"] == people.ann.id  # credited to the customer's owner
    person = db.session.get(Person, answer.json["id"])
    assert person.national_id == HEAD_ID and person.national_id_tail == "0048"
    raw = db.session.execute(
        text("SELECT national_id FROM insurance_person WHERE id = :i"), {"i": person.id}
    ).scalar()
    assert HEAD_ID not in raw and "0048" not in raw
    # a passport number is kept as typed, not checked as a resident ID
    passport = _new(
        as_user(people.ann), people.wang, name="Li Na", id_type="passport", national_id="E1234"
    )
    assert passport.status_code == 201 and passport.json["national_id"] == "*****"


def test_the_full_number_only_with_the_permission_and_audited(as_user, people):
    made = _new(as_user(people.ann), people.wang, national_id=HEAD_ID).json

    def disclosures() -> int:
        return db.session.execute(
            text(
                "SELECT count(*) FROM audit_entry WHERE entity = 'insurance_person'"
                " AND entity_id = :i AND action = 'disclose'"
            ),
            {"i": made["id"]},
        ).scalar()

    agent = as_user(people.ann).get(f"/api/v1/insurance/persons/{made['id']}")
    assert agent.status_code == 200 and agent.json["national_id"] == MASKED_HEAD
    assert disclosures() == 0
    manager = as_user(people.meg).get(f"/api/v1/insurance/persons/{made['id']}")
    assert manager.json["national_id"] == HEAD_ID
    assert disclosures() == 1
    logged = db.session.execute(
        text("SELECT after FROM audit_entry WHERE action = 'disclose' AND entity_id = :i"),
        {"i": made["id"]},
    ).scalar()
    assert MASKED_HEAD in str(logged) and HEAD_ID not in str(logged)
    # a list never discloses, not even to the manager
    listed = as_user(people.meg).get("/api/v1/insurance/persons").json["items"]
    assert [p["national_id"] for p in listed] == [MASKED_HEAD]
    assert disclosures() == 1


def test_found_by_the_exact_number_through_its_hash_and_by_name(as_user, people):
    client = as_user(people.ann)
    head = _new(client, people.wang, national_id=HEAD_ID).json
    _new(client, people.wang, name="王秀英", national_id=OLD_ID, birth_date=OLD_BORN)
    stored = db.session.get(Person, head["id"]).national_id_lookup
    assert stored and len(stored) == 64 and HEAD_ID not in stored
    url = "/api/v1/insurance/persons"
    found = client.get(url, query_string={"national_id": HEAD_ID.lower()}).json
    assert [p["id"] for p in found["items"]] == [head["id"]]
    assert client.get(url, query_string={"national_id": "110101199003071233"}).json["total"] == 0
    by_name = client.get(url, query_string={"q": "秀英"}).json["items"]
    assert [p["name"] for p in by_name] == ["王秀英"]
    # Bob sees none of Ann's customer's persons, by number or at all
    bob = as_user(people.bob)
    assert bob.get(url, query_string={"national_id": HEAD_ID}).json["total"] == 0
    assert bob.get(f"{url}/{head['id']}").status_code == 404


def test_a_person_out_of_scope_or_under_an_unseen_customer(as_user, people):
    answer = _new(as_user(people.ann), people.elsewhere)
    assert answer.status_code == 404 and "customer_id" in answer.json["errors"]


def test_a_change_checks_the_number_against_the_birth_date_and_the_version(as_user, people):
    client = as_user(people.ann)
    made = _new(client, people.wang, national_id=HEAD_ID, birth_date=HEAD_BORN).json
    url = f"/api/v1/insurance/persons/{made['id']}"
    wrong = client.patch(url, json={"birth_date": "1990-01-01", "version": made["version"]})
    assert wrong.status_code == 422 and "national_id" in wrong.json["errors"]
    renamed = client.patch(url, json={"name": "王 伟", "version": made["version"]})
    assert renamed.status_code == 200 and renamed.json["name"] == "王 伟"
    stale = client.patch(url, json={"name": "again", "version": made["version"]})
    assert stale.status_code == 409
    moved = client.patch(
        url,
        json={"national_id": OLD_ID, "birth_date": OLD_BORN, "version": renamed.json["version"]},
    )
    assert moved.status_code == 200 and moved.json["national_id"] == "110***********002X"
    assert db.session.get(Person, made["id"]).national_id_tail == "002X"


def test_the_person_page_masks_and_shows_in_full_audited(login_as, as_user, people):
    made = _new(as_user(people.ann), people.wang, national_id=HEAD_ID).json
    page = login_as(people.ann).get(f"/insurance/persons/{made['id']}")
    assert page.status_code == 200 and MASKED_HEAD in page.text and HEAD_ID not in page.text
    assert "show=national_id" not in page.text  # an agent may not show it
    peek = login_as(people.ann).get(f"/insurance/persons/{made['id']}?show=national_id")
    assert HEAD_ID not in peek.text
    manager = login_as(people.meg)
    assert "show=national_id" in manager.get(f"/insurance/persons/{made['id']}").text
    shown = manager.get(f"/insurance/persons/{made['id']}?show=national_id")
    assert HEAD_ID in shown.text
    audited = db.session.execute(
        text("SELECT user_id FROM audit_entry WHERE action = 'disclose' AND entity_id = :i"),
        {"i": made["id"]},
    ).scalars()
    assert list(audited) == [people.meg.id]
    assert login_as(people.bob).get(f"/insurance/persons/{made['id']}").status_code == 404
