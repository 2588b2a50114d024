"""Persons (被保险人, 受益人): the people around a policy, each filed under
a customer (``customer_id``, the policyholder's file) and seen by whoever
sees that customer.

Rules:

- a person is filed under a customer the actor may see (else 404 naming
  ``customer_id``) and credited to that customer's owner (a customer in the
  shared pool: to the actor), with the owner's team — so the customer's
  agent and their managers see the person, as they see the customer
  (``services/access.visible_persons``);
- a resident identity card number (``id_type`` ``cn_ric``, the default when
  a number is given) is checked with core's ``normalize_national_id`` and
  the birth date it holds must equal ``birth_date`` when both are given
  (422 ``national_id``); a passport or other document number is kept as
  typed. The model encrypts the number and keeps its look-up hash; its last
  four characters stay plain (``national_id_tail``) for lists;
- the number is shown masked (``110***********1234``) unless the reader
  holds ``insurance.pii.read``; a reader who does sees it whole, and each
  such reading is audited (action ``disclose``, the number masked in the
  log). Lists never disclose: a person is opened to read their number;
- a person is found by the exact number through the look-up hash
  (``pii_match``), never by decrypting and scanning; by name through the
  search index, within the reader's scope.
"""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, fields, post_load, validate
from sqlalchemy import Select, select

from core.api import (
    Customer,
    MissingReferenceError,
    NotBlank,
    NotFoundError,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    load,
    mask_pii,
    normalize_national_id,
    pii_match,
    refuse,
    save,
    search_match,
    transaction,
    translator,
    visible_customer,
)

from ..models import ID_TYPES, Household, Person
from .access import visible_persons

_, _l = translator("insurance")
_ID = validate.Range(1, 2**31 - 1)
#: a name: 1 to 120 characters, not only blanks
NAME = [validate.Length(min=1, max=120), NotBlank()]
#: who may read a national ID number whole
PII_READ = "insurance.pii.read"
#: genders as stored (one letter)
GENDERS = ("f", "m")


class InsurancePersonChange(Schema):
    """What a PATCH may change; :class:`InsurancePersonInput` requires the customer and name."""

    name = fields.String(validate=NAME)
    gender = fields.String(allow_none=True, validate=validate.OneOf(GENDERS))
    birth_date = fields.Date(allow_none=True)
    id_type = fields.String(allow_none=True, validate=validate.OneOf(ID_TYPES))
    national_id = fields.String(
        allow_none=True,
        validate=validate.Length(max=40),
        metadata={
            "description": "身份证号; kept encrypted, shown masked without insurance.pii.read"
        },
    )
    person_customer_id = fields.Integer(
        allow_none=True,
        validate=_ID,
        metadata={"description": "the person's own customer file, when they are a customer too"},
    )

    @post_load
    def tidy(self, data: dict, **kwargs) -> dict:
        for name in ("name", "national_id", "gender", "id_type"):
            if isinstance(data.get(name), str):
                data[name] = data[name].strip() or None
        return data


class InsurancePersonInput(InsurancePersonChange):
    customer_id = fields.Integer(
        required=True,
        validate=_ID,
        metadata={"description": "the customer file the person is kept under"},
    )
    name = fields.String(required=True, validate=NAME)


def birth_date_in(number: str) -> date | None:
    """The birth date a (normalised) resident identity card number holds."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def check_national_id(
    id_type: str | None, number: str | None, birth_date: date | None
) -> tuple[str | None, str | None]:
    """``(id_type, number)`` as stored, or a 422 naming ``national_id``: a
    resident identity card number normalised (compact, upper-case X) and its
    birth date the person's; no number, no document type."""
    if not number:
        return None, None
    id_type = id_type or "cn_ric"
    if id_type != "cn_ric":
        return id_type, number
    try:
        number = normalize_national_id(number)
    except ValueError as exc:
        raise ValidationError({"national_id": [str(exc)]}) from None
    if birth_date is not None and birth_date_in(number) != birth_date:
        message = _("the birth date in the number is not the person's birth date")
        raise ValidationError({"national_id": [message]})
    return id_type, number


def credit_for(customer: Customer, actor: User | None) -> dict:
    """The agent and team a record of ``customer`` is credited to: the
    customer's owner (a pool customer: the actor) and that user's team."""
    owner = db.session.get(User, customer.owner_id) if customer.owner_id else actor
    return {
        "agent_id": owner.id if owner else None,
        "team_id": owner.team_id if owner else customer.team_id,
    }


def customer_to_file(customer_id: int, actor: User | None, field: str) -> Customer:
    try:
        return visible_customer(customer_id, actor)
    except NotFoundError:
        raise MissingReferenceError({field: [_("no customer with this id")]}) from None


def _identity(data: dict, person: Person | None) -> None:
    """Check the identity document as it will be after the write, and put
    the stored number, its type and its tail into ``data``."""
    touched = {"national_id", "id_type", "birth_date"} & set(data)
    if not touched:
        return
    number = data["national_id"] if "national_id" in data else (person and person.national_id)
    id_type = data["id_type"] if "id_type" in data else (person and person.id_type)
    born = data["birth_date"] if "birth_date" in data else (person and person.birth_date)
    id_type, number = check_national_id(id_type, number, born)
    if "national_id" in data or (person and number != person.national_id):
        data["national_id"] = number
        data["national_id_tail"] = number[-4:] if number else None
    data["id_type"] = id_type


def create_person(payload: dict, actor: User | None) -> Person:
    """File a new person under a customer the actor may see."""
    data = load(InsurancePersonInput(), payload)
    customer = customer_to_file(data["customer_id"], actor, "customer_id")
    if data.get("person_customer_id") is not None:
        customer_to_file(data["person_customer_id"], actor, "person_customer_id")
    _identity(data, None)
    return save(Person, None, data | credit_for(customer, actor), actor)


def update_person(
    person: Person, payload: dict, actor: User | None, expected_version: int | None = None
) -> Person:
    """Change a person (their number checked again against their birth date)."""
    data = load(InsurancePersonChange(), payload)
    if "name" in data and not data["name"]:
        refuse({"name": [_("give the person's name")]})
    if data.get("person_customer_id") not in (None, person.person_customer_id):
        customer_to_file(data["person_customer_id"], actor, "person_customer_id")
    _identity(data, person)
    check_version(person, expected_version)
    return save(Person, person, data, actor)


def visible_person(person_id: int, user: User | None) -> Person:
    """The person if ``user`` may see them, else a 404."""
    person = db.session.scalar(visible_persons(user).where(Person.id == person_id))
    if person is None:
        raise NotFoundError(_("person %(id)s not found", id=person_id))
    return person


def search_persons(user: User | None, args: dict) -> Select:
    """The persons ``user`` may see, narrowed by ``customer_id``,
    ``household_id``, an exact ``national_id`` (through its look-up hash:
    a number that is not a valid resident identity card number is looked
    up as typed) and ``q`` (the name, through the search index)."""
    query = visible_persons(user)
    for key in ("customer_id", "household_id"):
        if args.get(key):
            query = query.where(getattr(Person, key) == args[key])
    number = (args.get("national_id") or "").strip()
    if number:
        try:
            number = normalize_national_id(number)
        except ValueError:
            pass  # a passport number, or a typo: it simply finds nothing
        query = query.where(pii_match(Person.national_id_lookup, number))
    if args.get("q"):
        query = query.where(search_match(Person, args["q"].strip(), user))
    return query


def masked_id(person: Person) -> str | None:
    """The person's number masked: what lists and readers without
    ``insurance.pii.read`` see."""
    return mask_pii(person.national_id)


def shown_id(person: Person, user: User | None) -> str | None:
    """The person's number as ``user`` may read it: whole with
    ``insurance.pii.read`` — and then the reading is audited (in its own
    transaction) — else masked."""
    number = person.national_id
    if number is None or user is None or not user.can(PII_READ):
        return mask_pii(number)
    with transaction():
        audit(user, person, "disclose", None, {"national_id": mask_pii(number)})
    return number


def household_of(person: Person) -> Household | None:
    return db.session.get(Household, person.household_id) if person.household_id else None


def persons_of(customer_id: int, user: User | None) -> list[Person]:
    """The persons filed under a customer that ``user`` may see, by name."""
    return list(
        db.session.scalars(
            visible_persons(user)
            .where(Person.customer_id == customer_id)
            .order_by(Person.name, Person.id)
        )
    )


def choosable_persons(user: User | None, household: Household) -> list[Person]:
    """Persons ``user`` may add to ``household``: those filed under the
    household's customer, or a customer one of its members is, not yet in a
    household."""
    files = select(Person.person_customer_id).where(
        Person.household_id == household.id, Person.person_customer_id.is_not(None)
    )
    return list(
        db.session.scalars(
            visible_persons(user)
            .where(
                Person.household_id.is_(None),
                (Person.customer_id == household.customer_id) | Person.customer_id.in_(files),
            )
            .order_by(Person.name, Person.id)
            .limit(200)
        )
    )


__all__ = [
    "PII_READ",
    "InsurancePersonChange",
    "InsurancePersonInput",
    "check_national_id",
    "create_person",
    "masked_id",
    "search_persons",
    "shown_id",
    "update_person",
    "visible_person",
]
