"""The SLA settings a service admin keeps (服务时效): the policies (business
hours to respond and to resolve, by category and priority) and the business
calendar they are counted in — time zone, working weekdays, opening hours,
and the holidays and 调休 make-up working days of the year.
"""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import marshmallow
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from core.api import (
    Flag,
    NotFoundError,
    TakenError,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    delete_record,
    instance_timezone,
    load,
    save,
    snapshot,
    transaction,
    translator,
)

from ..models import PRIORITIES, BusinessCalendar, CalendarDay, SlaPolicy
from .business_hours import DEFAULT_CLOSES, DEFAULT_OPENS, DEFAULT_WORKDAYS
from .validation import Whole

_, _l = translator("service_dispatch")
CLOCK = re.compile(r"^(\d{1,2}):([0-5]\d)$")
WEEKDAY_LABELS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))
HOURS = validate.Range(1, 10_000)


# ------------------------------------------------------------------- policies


class SlaPolicyInput(Schema):
    category = fields.String(
        load_default="",
        validate=validate.Length(max=60),
        metadata={"description": "empty: the default for categories without their own row"},
    )
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    response_hours = Whole(
        required=True,
        validate=HOURS,
        metadata={"description": "business hours until an engineer has accepted"},
    )
    resolution_hours = Whole(
        required=True,
        validate=HOURS,
        metadata={"description": "business hours until the job is completed"},
    )


class SlaPolicyChange(Schema):
    response_hours = Whole(validate=HOURS)
    resolution_hours = Whole(validate=HOURS)


def policies() -> list[SlaPolicy]:
    """Every policy: the defaults first, then by category, then by priority."""
    rows = db.session.scalars(select(SlaPolicy)).all()
    return sorted(rows, key=lambda p: (p.category != "", p.category, -PRIORITIES.index(p.priority)))


def get_policy(policy_id: int) -> SlaPolicy:
    policy = db.session.get(SlaPolicy, policy_id)
    if policy is None:
        raise NotFoundError(_("SLA policy %(id)s not found", id=policy_id))
    return policy


def _check_hours(response: int, resolution: int) -> None:
    if resolution < response:
        raise ValidationError(
            {"resolution_hours": [_("resolving cannot take fewer hours than responding")]}
        )


def create_policy(payload: dict, actor: User | None) -> SlaPolicy:
    data = load(SlaPolicyInput(), payload)
    data["category"] = (data.get("category") or "").strip()
    _check_hours(data["response_hours"], data["resolution_hours"])
    if db.session.scalar(
        select(SlaPolicy.id).where(  # "Repair" is the policy of "repair"
            func.lower(SlaPolicy.category) == data["category"].lower(),
            SlaPolicy.priority == data["priority"],
        )
    ):
        raise TakenError({"priority": [_("this category already has a policy for this priority")]})
    return save(SlaPolicy, None, data, actor)


def update_policy(
    policy: SlaPolicy, payload: dict, actor: User | None, expected_version: int | None = None
) -> SlaPolicy:
    """Change the hours (a new category or priority is a new policy)."""
    data = load(SlaPolicyChange(), payload, partial=True)
    _check_hours(
        data.get("response_hours", policy.response_hours),
        data.get("resolution_hours", policy.resolution_hours),
    )
    check_version(policy, expected_version)
    return save(SlaPolicy, policy, data, actor)


def delete_policy(policy: SlaPolicy, actor: User | None) -> None:
    """Orders opened before keep their deadlines."""
    delete_record(policy, actor)


# ------------------------------------------------------------------- calendar


#: the time zone names this server knows (the OpenAPI document lists them)
TIMEZONES = sorted(available_timezones())


def known_timezone(name: str) -> None:
    try:
        if name not in TIMEZONES:
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise marshmallow.ValidationError(
            _("not a known time zone; use a name like Asia/Shanghai")
        ) from None


def clock_minute(text: str, allow_midnight: bool = False) -> int:
    """ "09:30" → 570; "24:00" only as a closing time."""
    match = CLOCK.match(text or "")
    minute = int(match[1]) * 60 + int(match[2]) if match else -1
    if not 0 <= minute < 24 * 60 + (1 if allow_midnight else 0):
        raise marshmallow.ValidationError(_("a time of day like 09:00"))
    return minute


def clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


#: what ``clock_minute`` reads, for the OpenAPI document: "9:00" or "09:00"
#: to "23:59"; a closing time may be "24:00"
OPENS_PATTERN = r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$"
CLOSES_PATTERN = r"^(([01]?[0-9]|2[0-3]):[0-5][0-9]|24:00)$"


class CalendarInput(Schema):
    timezone = fields.String(
        validate=known_timezone, metadata={"example": "Asia/Shanghai", "enum": TIMEZONES}
    )
    workdays = fields.List(
        Whole(validate=validate.Range(0, 6)),
        validate=validate.Length(min=1, max=7),
        metadata={"description": "working weekdays, 0 = Monday"},
    )
    opens = fields.String(
        validate=clock_minute, metadata={"example": "09:00", "pattern": OPENS_PATTERN}
    )
    closes = fields.String(
        validate=lambda t: clock_minute(t, True),
        metadata={"example": "18:00", "pattern": CLOSES_PATTERN},
    )


def calendar_row() -> BusinessCalendar:
    """The stored calendar, or an unsaved one with the defaults (the
    instance's time zone)."""
    return db.session.get(BusinessCalendar, 1) or BusinessCalendar(
        id=1,
        timezone=instance_timezone(),
        workdays=list(DEFAULT_WORKDAYS),
        opens_minute=DEFAULT_OPENS,
        closes_minute=DEFAULT_CLOSES,
    )


def calendar_dict(row: BusinessCalendar) -> dict:
    return {
        "timezone": row.timezone,
        "workdays": sorted(row.workdays),
        "opens": clock(row.opens_minute),
        "closes": clock(row.closes_minute),
        "version": row.version,
    }


def update_calendar(
    payload: dict, actor: User | None, expected_version: int | None = None
) -> BusinessCalendar:
    """Change the time zone, the working weekdays or the opening hours
    (opening before closing). Deadlines of orders already open stay."""
    data = load(CalendarInput(), payload, partial=True)
    row = calendar_row()
    opens = clock_minute(data["opens"]) if "opens" in data else row.opens_minute
    closes = clock_minute(data["closes"], True) if "closes" in data else row.closes_minute
    if opens >= closes:
        raise ValidationError(
            {
                "closes" if "closes" in data else "opens": [
                    _("the office must open before it closes")
                ]
            }
        )
    if row.version is not None:
        check_version(row, expected_version)
    with transaction():
        before = snapshot(row) if row.version is not None else None
        row.opens_minute, row.closes_minute = opens, closes
        if "timezone" in data:
            row.timezone = data["timezone"]
        if "workdays" in data:
            row.workdays = sorted(set(data["workdays"]))
        db.session.add(row)
        db.session.flush()
        audit(actor, row, "update" if before else "create", before, snapshot(row))
    return row


class CalendarDayInput(Schema):
    day = fields.Date(required=True)
    working = Flag(
        load_default=False,
        metadata={"description": "true: a make-up working day (调休); false: a holiday"},
    )
    name = fields.String(allow_none=True, validate=validate.Length(max=120))


def calendar_days(year: int | None = None) -> list[CalendarDay]:
    query = select(CalendarDay).order_by(CalendarDay.day)
    if year is not None:
        query = query.where(
            CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)
        )
    return list(db.session.scalars(query))


def add_calendar_day(payload: dict, actor: User | None) -> CalendarDay:
    data = load(CalendarDayInput(), payload)
    data["name"] = (data.get("name") or "").strip() or None
    if db.session.scalar(select(CalendarDay.id).where(CalendarDay.day == data["day"])):
        raise TakenError({"day": [_("this date is already in the calendar")]})
    with transaction():
        day = CalendarDay(**data)
        db.session.add(day)
        db.session.flush()
        audit(actor, day, "create", None, snapshot(day))
    return day


def get_calendar_day(day: str) -> CalendarDay:
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        raise ValidationError({"day": [_("a date like 2026-10-01")]}) from None
    found = db.session.scalar(select(CalendarDay).where(CalendarDay.day == wanted))
    if found is None:
        raise NotFoundError(_("%(day)s is not in the calendar", day=day))
    return found


def remove_calendar_day(day: CalendarDay, actor: User | None) -> None:
    with transaction():
        audit(actor, day, "delete", snapshot(day), None)
        db.session.delete(day)
