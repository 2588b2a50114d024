"""What a quote is made of besides its product and dates — the people
(被保险人, 受益人), the things insured (保险标的) and the coverages (保障责任)
— as the API and the form send them, checked and written to a policy term.

Rules:

- an insured person or beneficiary is an existing insurance person the
  actor may see (``person_id``) or a new one given inline (name, birth date,
  gender, identity document). A resident identity card number (``cn_ric``,
  the default when a number is given) is checked with core's
  ``normalize_national_id`` and its birth date must be the person's (422
  ``insured.<i>.national_id``); the model encrypts it and keeps its look-up
  hash, the last four characters stay plain for lists;
- beneficiaries only on a life or accident product; the shares of each
  rank (1 primary, 2 contingent) total exactly 100.00 (422 ``beneficiaries``);
- the coverages are the product's cover codes with a sum insured and a
  deductible (empty: the cover's default); the premium comes from
  ``services/pricing.py`` on the first insured's birth date and the first
  vehicle's class.
"""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, validate, validates
from marshmallow import ValidationError as FieldError
from sqlalchemy import delete, select

from core.api import Amount, User, ValidationError, db, refuse, translator

from ...models import (
    ID_TYPES,
    OBJECT_KINDS,
    RELATIONS,
    Beneficiary,
    Coverage,
    Insured,
    InsuredObject,
    Person,
    Policy,
)
from ..access import visible_persons
from ..parties import check_national_id

_, _l = translator("insurance")
_ID = validate.Range(1, 2**31 - 1)
HUNDRED = Decimal("100.00")
#: the lines whose policies name beneficiaries
BENEFICIARY_LINES = ("life", "accident")


class PersonInput(Schema):
    """A person: an existing one (``person_id``) or a new one given inline."""

    person_id = fields.Integer(strict=True, allow_none=True, validate=_ID)
    name = fields.String(allow_none=True, validate=validate.Length(max=120))
    birth_date = fields.Date(allow_none=True)
    gender = fields.String(allow_none=True, validate=validate.OneOf(("f", "m")))
    id_type = fields.String(allow_none=True, validate=validate.OneOf(ID_TYPES))
    national_id = fields.String(allow_none=True, validate=validate.Length(max=40))


class InsuredInput(PersonInput):
    relation = fields.String(load_default="self", validate=validate.OneOf(RELATIONS))


class BeneficiaryInput(PersonInput):
    rank = fields.Integer(strict=True, load_default=1, validate=validate.Range(1, 2))
    share = Amount(positive=True, required=True)  # a percentage, "50.00"

    @validates("share")
    def _share(self, value: Decimal, **kwargs) -> None:
        if value > 100:
            raise FieldError(_("a share is at most 100"))


class ObjectInput(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(OBJECT_KINDS))
    description = fields.String(required=True, validate=validate.Length(min=1, max=200))
    plate = fields.String(allow_none=True, validate=validate.Length(max=20))
    vin = fields.String(allow_none=True, validate=validate.Length(max=17))
    vehicle_class = fields.String(allow_none=True, validate=validate.Length(max=20))
    year = fields.Integer(allow_none=True, validate=validate.Range(1900, 2200))
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    value = Amount(allow_none=True)


class CoverageInput(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=30))
    sum_insured = Amount(allow_none=True, load_default=None)
    deductible = Amount(allow_none=True, load_default=None)


def check_people(
    customer_id: int, line: str, insured: list[dict], beneficiaries: list[dict], actor: User | None
) -> None:
    """Refuse (422, by field) an unknown person, an inline person without a
    name, a bad identity number, beneficiaries on the wrong line or shares
    that do not make 100 per rank. Inline numbers are normalised in place."""
    errors: dict[str, list[str]] = {}
    for prefix, rows in (("insured", insured), ("beneficiaries", beneficiaries)):
        for i, row in enumerate(rows):
            errors |= _person_errors(f"{prefix}.{i}", row, actor)
    if beneficiaries and line not in BENEFICIARY_LINES:
        errors["beneficiaries"] = [_("only a life or accident policy names beneficiaries")]
    elif share_problem(beneficiaries):
        errors["beneficiaries"] = [share_problem(beneficiaries) or ""]
    refuse(errors)


def share_problem(beneficiaries: list[dict] | list[Beneficiary]) -> str | None:
    """Why the shares are wrong (a sentence), or None: per rank Σ = 100.00."""
    totals: dict[int, Decimal] = {}
    for row in beneficiaries:
        rank = row["rank"] if isinstance(row, dict) else row.rank
        share = row["share"] if isinstance(row, dict) else row.share
        totals[rank] = totals.get(rank, Decimal("0")) + Decimal(share)
    wrong = sorted(rank for rank, total in totals.items() if total != HUNDRED)
    if wrong:
        return _(
            "the shares of each rank must total exactly 100 (rank %(ranks)s does not)",
            ranks=", ".join(str(r) for r in wrong),
        )
    return None


def _person_errors(prefix: str, row: dict, actor: User | None) -> dict[str, list[str]]:
    if row.get("person_id") is not None:
        found = db.session.scalar(
            visible_persons(actor).where(Person.id == row["person_id"], Person.deleted_at.is_(None))
        )
        if found is None:
            return {f"{prefix}.person_id": [_("no person with this id")]}
        return {}
    if not (row.get("name") or "").strip():
        return {f"{prefix}.name": [_("give the person's name or choose a person")]}
    problem = id_problem(row)
    return {f"{prefix}.national_id": [problem]} if problem else {}


def id_problem(row: dict) -> str | None:
    """Why an identity number is refused (the rule of
    :func:`..parties.check_national_id`), or None; a good one is stored in
    ``row`` as kept (compact, upper-case X)."""
    try:
        row["id_type"], row["national_id"] = check_national_id(
            row.get("id_type"),
            (row.get("national_id") or "").strip() or None,
            row.get("birth_date"),
        )
    except ValidationError as exc:
        return exc.errors["national_id"][0]
    return None


def write_parties(
    policy: Policy,
    insured: list[dict] | None,
    beneficiaries: list[dict] | None,
    objects: list[dict] | None,
) -> None:
    """Replace the term's insured, beneficiaries and objects with those
    given (None: keep what is there); new inline persons are filed under the
    policyholder and credited to the policy's agent."""
    if insured is not None:
        db.session.execute(delete(Coverage).where(Coverage.policy_id == policy.id))
        db.session.execute(delete(Insured).where(Insured.policy_id == policy.id))
        seen: set[int] = set()
        for row in insured:
            person = _person(policy, row)
            if person.id in seen:
                continue
            seen.add(person.id)
            db.session.add(
                Insured(policy_id=policy.id, person_id=person.id, relation=row["relation"])
            )
    if beneficiaries is not None:
        db.session.execute(delete(Beneficiary).where(Beneficiary.policy_id == policy.id))
        for row in beneficiaries:
            person = _person(policy, row)
            db.session.add(
                Beneficiary(
                    policy_id=policy.id, person_id=person.id, rank=row["rank"], share=row["share"]
                )
            )
    if objects is not None:
        db.session.execute(delete(Coverage).where(Coverage.policy_id == policy.id))
        db.session.execute(delete(InsuredObject).where(InsuredObject.policy_id == policy.id))
        for row in objects:
            db.session.add(InsuredObject(policy_id=policy.id, **_clean(row)))
    db.session.flush()


def _clean(row: dict) -> dict:
    return {
        k: (v.strip() or None) if isinstance(v, str) and k != "kind" else v for k, v in row.items()
    }


def _person(policy: Policy, row: dict) -> Person:
    if row.get("person_id") is not None:
        found = db.session.get(Person, row["person_id"])
        assert found is not None  # checked by check_people
        return found
    number = row.get("national_id")
    person = Person(
        customer_id=policy.customer_id,
        name=row["name"].strip(),
        birth_date=row.get("birth_date"),
        gender=row.get("gender"),
        id_type=row.get("id_type") if number else None,
        national_id=number,
        national_id_tail=number[-4:] if number else None,
        household_id=policy.household_id,
        agent_id=policy.agent_id,
        team_id=policy.team_id,
    )
    db.session.add(person)
    db.session.flush()
    return person


def insured_of(policy_id: int) -> list[Insured]:
    return list(
        db.session.scalars(
            select(Insured).where(Insured.policy_id == policy_id).order_by(Insured.id)
        )
    )


def beneficiaries_of(policy_id: int) -> list[Beneficiary]:
    return list(
        db.session.scalars(
            select(Beneficiary)
            .where(Beneficiary.policy_id == policy_id)
            .order_by(Beneficiary.rank, Beneficiary.id)
        )
    )


def objects_of(policy_id: int) -> list[InsuredObject]:
    return list(
        db.session.scalars(
            select(InsuredObject)
            .where(InsuredObject.policy_id == policy_id)
            .order_by(InsuredObject.id)
        )
    )


def coverages_of(policy_id: int) -> list[Coverage]:
    return list(
        db.session.scalars(
            select(Coverage).where(Coverage.policy_id == policy_id).order_by(Coverage.id)
        )
    )
