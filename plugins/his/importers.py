"""What the hospital plugin lets core's imports bring in
(``trellis_importers``): patients from a spreadsheet — each row registered
through the same service as the registration desk, "a person first, then a
patient": a new customer of kind person and its numbered medical record,
the national ID checked against sex and birth date, a minor's guardian
required, audit and the ``his_patient_registered`` event as always.

A row is a duplicate of the patient holding its national ID; a row without
one, of the patient with the same phone **and** name (a phone alone is
often a family's). Updating a duplicate changes its medical record (sex,
birth date, guardian, allergies …), never the person's name or phone —
those are the customer's. Undoing an import moves the people it registered
to the recycle bin (their record with them) and gives the records it
changed their values back.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from core.api import (
    Customer,
    Importer,
    User,
    ValidationError,
    db,
    delete_customer,
    find_duplicates,
    load,
    pii_match,
    translator,
)

from .models import Patient
from .services.patients import PatientInput, register, update, visible_patients
from .services.patients.identity import check_guardian, check_identity

_, _l = translator("his")

FIELDS = {
    "name": _l("Name"),
    "sex": _l("Sex"),
    "birth_date": _l("Birth date"),
    "national_id": _l("National ID"),
    "phone": _l("Phone"),
    "address": _l("Address"),
    "guardian_name": _l("Guardian"),
    "guardian_phone": _l("Guardian's phone"),
    "allergies": _l("Allergies"),
    "chronic_conditions": _l("Chronic conditions"),
}
ALIASES = {
    "姓名": "name",
    "名称": "name",
    "患者姓名": "name",
    "病人姓名": "name",
    "性别": "sex",
    "gender": "sex",
    "出生日期": "birth_date",
    "生日": "birth_date",
    "birthday": "birth_date",
    "date of birth": "birth_date",
    "身份证号": "national_id",
    "身份证": "national_id",
    "身份证号码": "national_id",
    "证件号码": "national_id",
    "id number": "national_id",
    "手机": "phone",
    "手机号": "phone",
    "电话": "phone",
    "联系电话": "phone",
    "mobile": "phone",
    "地址": "address",
    "住址": "address",
    "家庭住址": "address",
    "监护人": "guardian_name",
    "监护人姓名": "guardian_name",
    "监护人电话": "guardian_phone",
    "过敏史": "allergies",
    "过敏": "allergies",
    "药物过敏": "allergies",
    "慢性病": "chronic_conditions",
    "慢病": "chronic_conditions",
}
#: how a spreadsheet writes the sex (anything else: the schema names ``sex``)
SEX_WORDS = {
    **dict.fromkeys(("m", "male", "男", "男性"), "M"),
    **dict.fromkeys(("f", "female", "女", "女性"), "F"),
    **dict.fromkeys(("u", "unknown", "未知"), "U"),
}
#: a day as spreadsheets write it: 1990-3-7, 1990/03/07, 1990.3.7, 1990年3月7日
DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T][\d:.]+)?$")


def _day(text: str) -> str:
    found = DAY.match(text.strip())
    if found is None:
        return text  # the schema names ``birth_date``
    year, month, day = found.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _validate(payload: dict[str, Any], actor: User | None) -> dict[str, Any]:
    values = {k: v.strip() if isinstance(v, str) else v for k, v in payload.items()}
    if not values.get("name"):
        raise ValidationError({"name": [_("give the patient's name")]})
    if "sex" in values:
        values["sex"] = SEX_WORDS.get(values["sex"].lower(), values["sex"])
    if "birth_date" in values:
        values["birth_date"] = _day(values["birth_date"])
    data = load(PatientInput(), values)
    checked = dict(data)
    invalid, _taken = check_identity(checked, None)  # a number held: a duplicate, not an error
    invalid |= check_guardian(checked, None)
    if invalid:
        raise ValidationError(invalid)
    clean = {k: v for k, v in data.items() if k in values}
    if "birth_date" in clean:
        clean["birth_date"] = clean["birth_date"].isoformat()
    if checked.get("national_id"):
        clean["national_id"] = checked["national_id"]
    return clean


def _live(query):
    return query.join(Customer, Customer.id == Patient.customer_id).where(
        Customer.deleted_at.is_(None)
    )


def _find(values: dict[str, Any], actor: User | None) -> Patient | None:
    if values.get("national_id"):
        return db.session.scalar(
            _live(select(Patient)).where(
                pii_match(Patient.national_id_lookup, values["national_id"])
            )
        )
    if not values.get("phone"):
        return None
    same_phone = [c.id for c in find_duplicates("", [values["phone"]], [], limit=50)]
    return db.session.scalar(
        _live(select(Patient))
        .where(
            Patient.customer_id.in_(same_phone), func.lower(Customer.name) == values["name"].lower()
        )
        .order_by(Patient.id)
        .limit(1)
    )


def _keys(values: dict[str, Any]) -> list[str]:
    if values.get("national_id"):
        return [f"id:{values['national_id']}"]
    if values.get("phone"):
        return [f"phone:{values['phone']}|{values['name'].lower()}"]
    return []  # neither: never a duplicate (as :func:`_find` says)


def _visible(patient: Patient, actor: User | None) -> bool:
    query = visible_patients(actor, per_row=True).where(Patient.id == patient.id)
    return db.session.scalar(query.with_only_columns(Patient.id)) is not None


def to_recycle_bin(patient: Patient, actor: User | None) -> None:
    """The person an import registered to the recycle bin, their record with them."""
    delete_customer(patient.customer, actor)


PATIENTS = Importer(
    name="his.patient",
    label=_l("Patients"),
    schema=PatientInput,
    model=Patient,
    fields=FIELDS,
    aliases=ALIASES,
    list_fields=("allergies", "chronic_conditions"),
    validate=_validate,
    find=_find,
    keys=_keys,
    create=register,
    update=lambda patient, values, actor: update(patient, values, actor),
    delete=to_recycle_bin,
    visible=_visible,
    permission="his.patient.write",
    order=50,
)

#: the hospital plugin's import targets (``trellis_importers``)
IMPORTERS = [PATIENTS]
