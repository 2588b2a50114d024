"""Who is booking online. A resident identity card number is required and
checked as at the desk (core's ``normalize_national_id``). The patient who
holds that number is the visitor — then the phone must be one the hospital
has for them and the name theirs, so nobody books in another's name —
else a new person, an adult (a child is registered at the desk, with a
guardian), who becomes a patient when the booking is made.

:func:`identify` reads the form alone (what any number answers the same);
:func:`check_visitor` holds the visitor against the hospital's record and
runs only once the texted code is verified, so that a stranger cannot tell
from the answers whether a number belongs to a patient."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from core.api import ValidationError, db, load, normalize_national_id, pii_match, translator

from ...models import Patient
from ..patients import age_on, today
from ..patients.identity import ADULT_AGE, born_in
from .inputs import VisitorInput

_, _l = translator("his")


@dataclass(frozen=True)
class Visitor:
    name: str
    national_id: str
    phone: str
    #: the patient holding the national ID (None: a new person)
    patient: Patient | None

    @property
    def code_key(self) -> str:
        """What the one-time code is bound to: this phone and this ID."""
        digest = hashlib.sha256(self.national_id.encode()).hexdigest()[:16]
        return f"{self.phone}:{digest}"


def _same_name(a: str, b: str) -> bool:
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


def identify(payload: dict, schema: VisitorInput | None = None) -> tuple[Visitor, dict]:
    """The visitor the form describes, and the loaded form; a
    ``ValidationError`` naming ``name``, ``national_id`` or ``phone`` for
    what the form itself gets wrong — never for what the record holds."""
    data = load(schema or VisitorInput(), payload)
    try:
        number = normalize_national_id(data["national_id"])
    except ValueError as exc:
        raise ValidationError({"national_id": [str(exc)]}) from None
    patient = db.session.scalar(
        select(Patient).where(pii_match(Patient.national_id_lookup, number))
    )
    return Visitor(data["name"], number, data["phone"], patient), data


def holds_phone(visitor: Visitor) -> bool:
    """Whether the visitor is a live patient and gave a phone the hospital has for them."""
    if visitor.patient is None:
        return False
    customer = visitor.patient.customer
    return customer.deleted_at is None and visitor.phone in (customer.phones or [])


def check_visitor(visitor: Visitor) -> None:
    """Hold the visitor against the record (after the code is verified):
    a known patient's phone and name, a new person's age."""
    patient = visitor.patient
    if patient is not None:
        customer = patient.customer
        if not holds_phone(visitor):
            raise ValidationError(
                {
                    "phone": [
                        _(
                            "This is not the phone number the hospital has for this ID. "
                            "Please change it at the registration desk."
                        )
                    ]
                }
            )
        if not _same_name(customer.name, visitor.name):
            raise ValidationError({"name": [_("The name does not match this ID.")]})
    else:
        born = born_in(visitor.national_id)
        if born is not None and age_on(born, today()) < ADULT_AGE:
            raise ValidationError(
                {
                    "national_id": [
                        _("A patient under 18 is registered at the desk, with a guardian.")
                    ]
                }
            )
