"""Who a patient is, as the record must hold it: the national ID checked
and agreeing with sex and birth date, the guardian of a minor, and the
number shown masked unless the reader may read it whole.

- a resident identity card number (``id_type`` ``cn_ric``, the default
  when a number is given) is checked with core's ``normalize_national_id``
  (length, region, birth date, check digit); the birth date and the sex it
  holds must be the patient's (422 naming ``birth_date`` or ``sex``), and
  fill them in when they are not given. A passport or other document number
  is kept as typed. The model encrypts it and keeps its look-up hash; its
  last four characters stay plain (``national_id_tail``);
- one number, one patient: a number another patient holds is a 409 naming
  ``national_id`` (found through the look-up hash);
- a minor (under 18 on the day) needs a guardian's name and phone (422
  naming ``guardian_name`` / ``guardian_phone``);
- the number is shown masked (``110***********1234``) unless the reader
  holds ``his.patient.pii``; a reader who does sees it whole on opening the
  one patient, and each such reading is audited (``disclose``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.api import (
    User,
    audit,
    db,
    instance_timezone,
    mask_pii,
    normalize_national_id,
    pii_match,
    transaction,
    translator,
)

from ...models import Patient

_, _l = translator("his")

#: who may read a national ID number whole
PII = "his.patient.pii"
#: the age from which a patient needs no guardian
ADULT_AGE = 18
#: the fields :func:`check_identity` reads, as a patient has them
IDENTITY = ("id_type", "national_id", "sex", "birth_date")

Errors = dict[str, list[str]]


def today() -> date:
    """Today in the instance's time zone (the day an age or a death counts for)."""
    return datetime.now(ZoneInfo(instance_timezone())).date()


def age_on(born: date, day: date) -> int:
    """Whole years from ``born`` to ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def born_in(number: str) -> date | None:
    """The birth date a (normalised) resident identity card number holds."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def sex_in(number: str) -> str:
    """The sex a resident identity card number holds: its 17th digit odd for a man."""
    return "M" if int(number[16]) % 2 else "F"


def _after(data: dict, patient: Patient | None, name: str) -> Any:
    """A field's value after the write: the input's, else the record's."""
    if name in data:
        return data[name]
    return getattr(patient, name) if patient is not None else None


def check_identity(data: dict, patient: Patient | None) -> tuple[Errors, Errors]:
    """Check the identity as it will be after the write and put the stored
    number, its type and tail (and the sex and birth date the number holds,
    when not given) into ``data``; the (invalid, taken) errors by field."""
    invalid: Errors = {}
    if not set(IDENTITY) & set(data) and patient is not None:
        return invalid, {}
    number = _after(data, patient, "national_id")
    id_type = _after(data, patient, "id_type")
    if not number:
        if "national_id" in data or "id_type" in data:
            data.update(national_id=None, national_id_tail=None, id_type=None)
        return invalid, {}
    id_type = id_type or "cn_ric"
    if id_type == "cn_ric":
        try:
            number = normalize_national_id(number)
        except ValueError as exc:
            return {"national_id": [str(exc)]}, {}
        for name, held in (("birth_date", born_in(number)), ("sex", sex_in(number))):
            given = _after(data, patient, name)
            if given in (None, "U") and name not in data:
                data[name] = held  # filled in from the number
            elif given not in (None, "U") and given != held:
                invalid[name] = [_mismatch(name)]
    if "national_id" in data or "id_type" in data or number != getattr(patient, "national_id", 0):
        data.update(national_id=number, national_id_tail=number[-4:], id_type=id_type)
    return invalid, _taken(number, patient)


def _mismatch(name: str) -> str:
    if name == "sex":
        return _("does not match the sex the national ID holds")
    return _("does not match the birth date the national ID holds")


def _taken(number: str, patient: Patient | None) -> Errors:
    """The number held by another patient: a 409 naming ``national_id``."""
    query = select(Patient.id).where(pii_match(Patient.national_id_lookup, number))
    if patient is not None:
        query = query.where(Patient.id != patient.id)
    if db.session.scalar(query.limit(1)) is None:
        return {}
    return {"national_id": [_("another patient holds this national ID")]}


def check_guardian(data: dict, patient: Patient | None) -> Errors:
    """A minor's guardian (name and phone), as the record will be; a birth
    date in the future is refused."""
    born = _after(data, patient, "birth_date")
    if born is None:
        return {}
    day = today()
    if born > day:
        return {"birth_date": [_("the birth date cannot be in the future")]}
    if age_on(born, day) >= ADULT_AGE:
        return {}
    return {
        name: [_("a patient under 18 needs a guardian: give their name and phone")]
        for name in ("guardian_name", "guardian_phone")
        if not _after(data, patient, name)
    }


def masked_id(patient: Patient) -> str | None:
    """The number masked: what lists and readers without ``his.patient.pii`` see."""
    return mask_pii(patient.national_id)


def shown_id(patient: Patient, user: User | None) -> str | None:
    """The number as ``user`` may read it: whole with ``his.patient.pii`` —
    the reading audited, in its own transaction — else masked."""
    number = patient.national_id
    if number is None or user is None or not user.can(PII):
        return mask_pii(number)
    with transaction():
        audit(user, patient, "disclose", None, {"national_id": mask_pii(number)})
    return number
