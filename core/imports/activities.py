"""Activities as an import target: a call, meeting, note … of a customer's
timeline brought over from a spreadsheet, each row through
:func:`~core.services.activities.log_activity` — so the timeline, the
customer's last-contacted date, the audit log and the ``activity_logged``
event see it as they see one logged by hand.

A row names its **customer** by name, phone or e-mail (any of them, looked
up as customers are deduplicated: :func:`row_customer`); a customer the
importing user may not see is "no such customer", as one that does not
exist. Its **type** is an activity kind's code or its label in English or
Chinese; its **date and time** one of the common ways of writing them
(``2026-03-01 14:30``, ``2026/3/1``, ``2026年3月1日``, ISO as a spreadsheet's
date cells are read, an Excel serial number), in the importing user's time
zone unless it carries an offset. A row is a duplicate of the live activity
of the same customer, type, time and subject; updating one changes its
notes and owner. Undoing an import moves the activities it logged to the
recycle bin.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import func, select

from core.access import visible_customer_ids
from core.errors import ValidationError
from core.events import transaction
from core.extensions import db
from core.i18n import _, _l, instance_timezone
from core.imports.declaration import Importer
from core.models import Activity, Customer, User
from core.normalize import normalize_email, normalize_phone
from core.registry import current_registry
from core.schemas import ActivityInput
from core.services.activities import log_activity, refresh_customer_dates
from core.services.base import apply, audit, load, move_to_bin, snapshot
from core.services.customers import find_duplicates

FIELDS = {
    "customer": _l("Customer (name)"),
    "customer_phone": _l("Customer's phone"),
    "customer_email": _l("Customer's e-mail"),
    "kind": _l("Type"),
    "subject": _l("Subject"),
    "body": _l("Notes"),
    "occurred_at": _l("Date and time"),
    "owner": _l("Owner (e-mail)"),
}
ALIASES = {
    "客户": "customer",
    "客户名称": "customer",
    "公司": "customer",
    "公司名称": "customer",
    "company": "customer",
    "customer name": "customer",
    "手机": "customer_phone",
    "电话": "customer_phone",
    "客户电话": "customer_phone",
    "联系电话": "customer_phone",
    "phone": "customer_phone",
    "mobile": "customer_phone",
    "邮箱": "customer_email",
    "电子邮件": "customer_email",
    "客户邮箱": "customer_email",
    "email": "customer_email",
    "e-mail": "customer_email",
    "类型": "kind",
    "跟进方式": "kind",
    "跟进类型": "kind",
    "活动类型": "kind",
    "type": "kind",
    "activity type": "kind",
    "主题": "subject",
    "标题": "subject",
    "跟进主题": "subject",
    "备注": "body",
    "内容": "body",
    "跟进内容": "body",
    "note": "body",
    "description": "body",
    "时间": "occurred_at",
    "日期": "occurred_at",
    "跟进时间": "occurred_at",
    "date": "occurred_at",
    "time": "occurred_at",
    "when": "occurred_at",
    "负责人": "owner",
    "跟进人": "owner",
}
#: the row's fields that name things rather than hold the activity's values
_NAMING = ("customer", "customer_phone", "customer_email", "owner")
_SCHEMA = ActivityInput()

#: a date (year first: 2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日), an
#: optional time (14:30, 14:30:00, ISO's T) and an optional UTC offset
_DATE_TIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:T|\s+)(\d{1,2})[:：](\d{2})(?:[:：](\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
#: an Excel serial date (days since 1899-12-30), as a CSV saved by Excel may hold
_EXCEL_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")
_EXCEL_EPOCH = datetime(1899, 12, 30)


def _zone(actor: User | None) -> ZoneInfo:
    """The zone a time without an offset is read in: the importing user's,
    else the instance's."""
    for name in (getattr(actor, "timezone", None), instance_timezone()):
        if name:
            try:
                return ZoneInfo(name)
            except (ValueError, KeyError):
                continue
    return ZoneInfo("UTC")


def parse_when(text: str, actor: User | None) -> datetime:
    """``text`` as an aware UTC datetime; ``ValueError`` when it is no date."""
    text = text.strip()
    if _EXCEL_SERIAL.match(text):
        local = _EXCEL_EPOCH + timedelta(seconds=round(float(text) * 86400))
        return local.replace(tzinfo=_zone(actor)).astimezone(UTC)
    found = _DATE_TIME.match(text)
    if found is None:
        raise ValueError(text)
    year, month, day, hour, minute, second, offset = found.groups()
    local = datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
    )
    if offset is None:
        return local.replace(tzinfo=_zone(actor)).astimezone(UTC)
    zone = datetime.fromisoformat(f"2000-01-01T00:00:00{offset.replace('Z', '+00:00')}").tzinfo
    return local.replace(tzinfo=zone).astimezone(UTC)


def kind_code(text: str) -> str:
    """An activity kind given as its code or its label in English or
    Chinese; the text itself when it is none of them (then refused)."""
    wanted = text.strip().lower()
    kinds = current_registry().activity_kinds
    if wanted in kinds:
        return wanted
    for locale in ("en", "zh_CN"):
        with force_locale(locale):
            for code, kind in kinds.items():
                if str(kind.label).strip().lower() == wanted:
                    return code
    return text


def row_customer(name: str | None, phone: str | None, email: str | None, actor: User | None) -> int:
    """The id of the live customer ``actor`` may see that a row names by
    ``name``, ``phone`` or ``email`` — looked up as customers are
    deduplicated (``find_duplicates``): the one matching most of what the
    row gives. A ``ValidationError`` naming ``customer`` when none (one the
    user may not see is none, never hinted at) or several match as well,
    ``customer_phone``/``customer_email`` when those are not valid."""
    found: list[list[Customer]] = []
    if name and name.strip():
        found.append(find_duplicates(name, [], [], limit=50))
    if phone and phone.strip():
        try:
            found.append(find_duplicates("", [normalize_phone(phone)], [], limit=50))
        except ValueError as exc:
            raise ValidationError({"customer_phone": [str(exc)]}) from None
    if email and email.strip():
        try:
            found.append(find_duplicates("", [], [normalize_email(email)], limit=50))
        except ValueError as exc:
            raise ValidationError({"customer_email": [str(exc)]}) from None
    if not found:
        raise ValidationError({"customer": [_("name the customer: its name, phone or e-mail")]})
    score = Counter(customer.id for customers in found for customer in customers)
    if score and actor is not None:
        seen = set(db.session.scalars(visible_customer_ids(actor).where(Customer.id.in_(score))))
        score = Counter({cid: n for cid, n in score.items() if cid in seen})
    if not score:
        raise ValidationError({"customer": [_("no such customer")]})
    best = max(score.values())
    top = [cid for cid, n in score.items() if n == best]
    if len(top) > 1:
        raise ValidationError(
            {"customer": [_("several customers match: add their phone or e-mail")]}
        )
    return top[0]


def _owner_id(email: str) -> int:
    owner = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if owner is None or not owner.is_active:
        raise ValidationError({"owner": [_("no active user with this e-mail")]})
    return owner.id


def _validate(payload: dict[str, Any], actor: User | None) -> dict[str, Any]:
    values = {k: v.strip() if isinstance(v, str) else v for k, v in payload.items()}
    errors: dict[str, list[str]] = {}
    if "kind" in values:
        values["kind"] = kind_code(values["kind"])
        if values["kind"] not in current_registry().activity_kinds:
            errors["kind"] = [_("no activity type %(kind)s", kind=values["kind"])]
    try:
        values["occurred_at"] = parse_when(values.get("occurred_at") or "", actor).isoformat()
    except ValueError:
        errors["occurred_at"] = [_("not a date and time: write it as 2026-03-01 14:30")]
    try:
        values["customer_id"] = row_customer(
            values.get("customer"),
            values.get("customer_phone"),
            values.get("customer_email"),
            actor,
        )
    except ValidationError as exc:
        errors |= exc.errors
    if values.get("owner"):
        try:
            values["owner_id"] = _owner_id(values["owner"])
        except ValidationError as exc:
            errors |= exc.errors
    clean = {k: v for k, v in values.items() if k not in _NAMING}
    try:
        load(_SCHEMA, {k: v for k, v in clean.items() if k not in errors})
    except ValidationError as exc:  # lengths, a missing subject: by field
        errors = exc.errors | errors
    if errors:
        raise ValidationError(errors)
    return clean


def _when(values: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(values["occurred_at"])


def _find(values: dict[str, Any], actor: User | None) -> Activity | None:
    return db.session.scalar(
        select(Activity)
        .where(
            Activity.customer_id == values["customer_id"],
            Activity.kind == values["kind"],
            Activity.occurred_at == _when(values),
            Activity.subject == values["subject"],
            Activity.deleted_at.is_(None),
        )
        .order_by(Activity.id)
        .limit(1)
    )


def _keys(values: dict[str, Any]) -> list[str]:
    return [
        f"activity:{values['customer_id']}|{values['kind']}|{values['occurred_at']}|"
        f"{values['subject']}"
    ]


def _visible(activity: Activity, actor: User | None) -> bool:
    if actor is None:
        return True
    query = visible_customer_ids(actor, per_row=True).where(Customer.id == activity.customer_id)
    return db.session.scalar(query) is not None


def _update(activity: Activity, values: dict[str, Any], actor: User | None) -> Activity:
    """Change a duplicate's notes and owner (or give them back, undoing)."""
    changes = dict(values)
    if "occurred_at" in changes:
        changes["occurred_at"] = datetime.fromisoformat(changes["occurred_at"])
    with transaction():
        before = snapshot(activity)
        apply(activity, changes)
        db.session.flush()
        if activity.customer_id:
            refresh_customer_dates(activity.customer_id)
        audit(actor, activity, "update", before, snapshot(activity))
    return activity


def _remove(activity: Activity, actor: User | None) -> None:
    """Undo an activity the import logged: to the recycle bin, the
    customer's last-contacted date recomputed without it."""
    with transaction():
        move_to_bin(activity, actor)
        if activity.customer_id:
            refresh_customer_dates(activity.customer_id)


ACTIVITIES = Importer(
    name="activities",
    label=_l("Activities"),
    schema=ActivityInput,
    model=Activity,
    fields=FIELDS,
    aliases=ALIASES,
    validate=_validate,
    find=_find,
    keys=_keys,
    create=log_activity,
    update=_update,
    delete=_remove,
    visible=_visible,
    permission="customer.write",
    order=25,
)
