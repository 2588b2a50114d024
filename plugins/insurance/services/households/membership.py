"""A household and who is in it.

(``customer_id``) and credited like a person (the customer's owner). A
person is in one household at a time: adding one who is in another is a
409 naming ``person_id``; removing one who is not a member likewise. Only
persons the actor may see are added (else 404 ``person_id``).
"""

from __future__ import annotations

from marshmallow import Schema, fields, post_load, validate
from sqlalchemy import Select

from core.api import (
    NotFoundError,
    StateError,
    User,
    audit,
    check_version,
    db,
    load,
    refuse,
    save,
    snapshot,
    text_contains,
    transaction,
    translator,
)

from ...models import Household, Person
from ..access import visible_households, visible_persons
from ..parties import credit_for, customer_to_file
from .rules import NAME

_, _l = translator("insurance")
_ID = validate.Range(1, 2**31 - 1)


class HouseholdChange(Schema):
    name = fields.String(validate=NAME)

    @post_load
    def tidy(self, data: dict, **kwargs) -> dict:
        if isinstance(data.get("name"), str):
            data["name"] = data["name"].strip()
        return data


class HouseholdInput(HouseholdChange):
    name = fields.String(required=True, validate=NAME)
    customer_id = fields.Integer(
        required=True, validate=_ID, metadata={"description": "the head's customer file"}
    )


class MembersInput(Schema):
    person_ids = fields.List(
        fields.Integer(validate=_ID), required=True, validate=validate.Length(min=1, max=50)
    )


def create_household(payload: dict, actor: User | None) -> Household:
    """A household under a customer the actor may see (404 ``customer_id``)."""
    data = load(HouseholdInput(), payload)
    if not data["name"]:
        refuse({"name": [_("give the household a name")]})
    customer = customer_to_file(data["customer_id"], actor, "customer_id")
    return save(Household, None, data | credit_for(customer, actor), actor)


def update_household(
    household: Household, payload: dict, actor: User | None, expected_version: int | None = None
) -> Household:
    data = load(HouseholdChange(), payload)
    if "name" in data and not data["name"]:
        refuse({"name": [_("give the household a name")]})
    check_version(household, expected_version)
    return save(Household, household, data, actor)


def visible_household(household_id: int, user: User | None) -> Household:
    household = db.session.scalar(visible_households(user).where(Household.id == household_id))
    if household is None:
        raise NotFoundError(_("household %(id)s not found", id=household_id))
    return household


def search_households(user: User | None, args: dict) -> Select:
    """The households ``user`` may see, by ``customer_id`` and name (``q``)."""
    query = visible_households(user)
    if args.get("customer_id"):
        query = query.where(Household.customer_id == args["customer_id"])
    if args.get("q"):
        query = query.where(text_contains(Household.name, args["q"].strip()))
    return query


def members_of(household: Household, user: User | None) -> list[Person]:
    return list(
        db.session.scalars(
            visible_persons(user)
            .where(Person.household_id == household.id)
            .order_by(Person.name, Person.id)
        )
    )


def _persons(person_ids: list[int], actor: User | None) -> list[Person]:
    """The persons named, each one the actor may see (else 404 ``person_id``)."""
    wanted = list(dict.fromkeys(person_ids))
    found = {
        p.id: p for p in db.session.scalars(visible_persons(actor).where(Person.id.in_(wanted)))
    }
    missing = [i for i in wanted if i not in found]
    if missing:
        refuse(
            missing={
                "person_id": [
                    _("no person with id %(ids)s", ids=", ".join(str(i) for i in missing))
                ]
            }
        )
    return [found[i] for i in wanted]


def _move(person: Person, household_id: int | None, actor: User | None) -> None:
    before = snapshot(person)
    person.household_id = household_id
    db.session.flush()
    audit(actor, person, "update", before, snapshot(person))


def add_members(household: Household, payload: dict, actor: User | None) -> list[Person]:
    """Put persons into the household; one already in another household is a
    409 naming ``person_id`` (remove them there first); already a member:
    nothing to do."""
    ids = load(MembersInput(), payload)["person_ids"]
    persons = _persons(ids, actor)
    elsewhere = [p for p in persons if p.household_id not in (None, household.id)]
    if elsewhere:
        raise StateError(
            {
                "person_id": [
                    _(
                        "%(names)s already belong to another household: remove them there first",
                        names=", ".join(p.name for p in elsewhere),
                    )
                ]
            }
        )
    with transaction():
        for person in persons:
            if person.household_id != household.id:
                _move(person, household.id, actor)
    return persons


def remove_members(household: Household, payload: dict, actor: User | None) -> list[Person]:
    """Take persons out of the household; one who is not a member is a 409
    naming ``person_id``."""
    ids = load(MembersInput(), payload)["person_ids"]
    persons = _persons(ids, actor)
    strangers = [p for p in persons if p.household_id != household.id]
    if strangers:
        raise StateError(
            {
                "person_id": [
                    _(
                        "%(names)s are not members of this household",
                        names=", ".join(p.name for p in strangers),
                    )
                ]
            }
        )
    with transaction():
        for person in persons:
            _move(person, None, actor)
    return persons
