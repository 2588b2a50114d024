"""Rules on the clock: a ``schedule`` (cron) trigger and a ``date`` trigger.

- ``{"kind": "schedule", "cron": "0 9 * * 1"}``: five cron fields (minute,
  hour, day of month, month, day of week), read in the instance's time zone
  (:func:`~core.i18n.instance_timezone`). With no ``record_type`` a slot
  stages one run about no record; with one (``"customer"``) it stages a run
  for each record that meets the conditions — at most
  :data:`MAX_RECORDS_PER_SLOT`; the rest are logged as one ``skipped`` run.
- ``{"kind": "date", "record_type": "contact", "field": "birthday",
  "offset_days": -7, "hour": 9, "yearly": true}``: once a day at ``hour``
  (instance time), a run for each record whose date plus ``offset_days`` is
  today (−7: a week before the date; 30: a month after). A datetime column
  is compared by its day in the instance's time zone. ``yearly`` matches
  the month and day of every year (a birthday; a 29 February is kept on 28
  February in other years; date columns only).

A rule's next slot is ``next_run_at``, computed with croniter. The periodic
``core.run_schedules`` job (every minute) takes each due rule with a
conditional ``UPDATE … SET next_run_at = <the slot after now> WHERE
next_run_at = <the slot>`` and stages its runs in that same transaction, so
two workers never run one slot twice. A date run's ``slot`` is the date it
fired for, unique per (rule, record): a date fires once, a changed date again.

Slots missed while no worker ran are caught up as anacron and Odoo's cron
(without ``doall``) do: a schedule rule due for several slots runs **once**,
for the latest, and logs a ``skipped`` run saying how many slots that one
run stands for; a date rule works through each missed day (at most
:data:`MAX_CATCH_UP_DAYS`), so a record whose date fell on a missed day
still fires — once, by the (rule, record, date) guard.

A date trigger's ``field`` may also be a date custom field of the record
type, ``custom_fields.<key>``: its value is the ISO text the custom field
keeps (``2026-12-06``), read from the JSON with SQLAlchemy's JSON index
(``custom_fields[key].as_string()``, as the segments read it) on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter
from sqlalchemy import extract, or_, select, update

from core.automation.conditions import holds
from core.automation.records import Entity, entity_of
from core.automation.runs import start_after_commit
from core.automation.triggers import CUSTOM, custom_date_fields, date_field_choices, events
from core.events import transaction
from core.extensions import db
from core.i18n import _, instance_timezone
from core.models import AutomationRule, AutomationRun, utcnow

SCHEDULE, DATE = "@schedule", "@date"
#: the ``event`` a clock rule stores, by trigger kind (no emitted event has these names)
CLOCK_EVENTS = {"schedule": SCHEDULE, "date": DATE}
RUN_SCHEDULES = "core.run_schedules"
#: runs one slot of a schedule may stage; the rest are logged as skipped
MAX_RECORDS_PER_SLOT = 1000
DEFAULT_HOUR = 9
MAX_OFFSET = 365
OVER_CAP = "skipped: over the cap"
#: the days a date rule works through after the worker was down; older ones are dropped
MAX_CATCH_UP_DAYS = 365
#: missed slots counted for the log; more are logged as "more than"
MAX_COUNTED = 10_000
_BATCH = 500
log = logging.getLogger(__name__)


def record_types() -> dict[str, Entity]:
    """The record types a clock rule may name: those core's and the
    plugins' events are about (a customer, a contact, a deal, a policy)."""
    found = {e.entity.type: e.entity for e in events() if e.entity is not None}
    for name in ("customer", "contact"):
        entity = entity_of(name)
        if entity is not None:
            found.setdefault(name, entity)
    return dict(sorted(found.items()))


def _whole(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not str(value).lstrip("-").isdigit():
        return None
    number = int(value)
    return number if low <= number <= high else None


def check_clock(trigger: dict[str, Any]) -> tuple[dict[str, list[str]], Entity | None]:
    """Errors by field of a ``schedule`` or ``date`` trigger, and its record type."""
    errors: dict[str, list[str]] = {}
    entity = None
    kind = trigger["kind"]
    trigger["event"] = CLOCK_EVENTS[kind]
    name = trigger.get("record_type")
    if name not in (None, ""):
        entity = record_types().get(str(name))
        if entity is None:
            errors["trigger.record_type"] = [_("no such record type: %(name)s", name=name)]
    else:
        trigger.pop("record_type", None)
    if kind == "date" and not name:
        errors["trigger.record_type"] = [_("name the record type whose date to watch")]
    if kind == "schedule":
        cron = str(trigger.get("cron") or "").strip()
        trigger["cron"] = cron
        if len(cron.split()) != 5 or not croniter.is_valid(cron):
            errors["trigger.cron"] = [
                _("expected five cron fields (minute hour day month weekday), e.g. 0 9 * * 1")
            ]
        return errors, entity
    offset = _whole(trigger.get("offset_days", 0), -MAX_OFFSET, MAX_OFFSET)
    hour = _whole(trigger.get("hour", DEFAULT_HOUR), 0, 23)
    if offset is None:
        errors["trigger.offset_days"] = [_("expected a whole number from -365 to 365")]
    if hour is None:
        errors["trigger.hour"] = [_("expected an hour from 0 to 23")]
    trigger.update(offset_days=offset, hour=hour, yearly=bool(trigger.get("yearly")))
    dates = [f for f, _label in date_field_choices(entity)] if entity is not None else []
    if entity is not None and trigger.get("field") not in dates:
        errors["trigger.field"] = [
            _(
                "no such date field of %(record)s: %(field)s",
                record=entity.type,
                field=trigger.get("field"),
            )
        ]
    elif (
        entity is not None
        and trigger["yearly"]
        and trigger["field"] not in custom_date_fields(entity)
        and entity.is_datetime(trigger["field"])
    ):
        errors["trigger.yearly"] = [_("a yearly date trigger needs a date field")]
    return errors, entity


def cron_of(trigger: dict[str, Any]) -> str:
    if trigger["kind"] == "schedule":
        return str(trigger["cron"])
    return f"0 {int(trigger.get('hour', DEFAULT_HOUR))} * * *"


def next_slot(trigger: dict[str, Any], after: datetime) -> datetime:
    """The first slot of ``trigger`` after ``after``, in UTC (read in the instance's zone)."""
    local = after.astimezone(ZoneInfo(instance_timezone()))
    found: datetime = croniter(cron_of(trigger), local).get_next(datetime)
    return found.astimezone(ZoneInfo("UTC"))


def run_schedules(now: datetime | None = None) -> str:
    """The periodic job: stage the runs of every clock rule whose slot is due."""
    now = now or utcnow()
    due = list(
        db.session.execute(
            select(AutomationRule.id, AutomationRule.next_run_at)
            .where(
                AutomationRule.active.is_(True),
                AutomationRule.deleted_at.is_(None),
                AutomationRule.event.in_((SCHEDULE, DATE)),
                AutomationRule.next_run_at <= now,
            )
            .order_by(AutomationRule.next_run_at, AutomationRule.id)
        )
    )
    db.session.rollback()
    taken = staged = 0
    for rule_id, slot in due:
        count = run_slot(rule_id, slot, now) if slot is not None else None
        if count is not None:
            taken, staged = taken + 1, staged + count
    return f"{taken} of {len(due)} due schedules run, {staged} runs staged"


def run_slot(rule_id: int, slot: datetime, now: datetime) -> int | None:
    """Claim ``slot`` of rule ``rule_id`` and stage its runs, in one
    transaction: the runs staged, or None when another worker had it.
    Slots missed since ``slot`` are caught up (the module's docstring)."""
    with transaction():
        rule = db.session.get(AutomationRule, rule_id, populate_existing=True)
        if rule is None:
            return None
        following = next_slot(rule.trigger, max(now, slot))
        claimed = db.session.execute(
            update(AutomationRule)
            .where(AutomationRule.id == rule_id, AutomationRule.next_run_at == slot)
            .values(next_run_at=following)
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            return None
        if rule.event == DATE:
            runs = _date_catch_up(rule, slot, now)
        else:
            runs = _schedule_catch_up(rule, slot, now)
        db.session.add_all(runs)
        db.session.flush()
        start_after_commit([r.id for r in runs if r.status == "queued"])
        return len(runs)


def _due_slots(
    trigger: dict[str, Any], slot: datetime, now: datetime
) -> tuple[list[datetime], bool]:
    """``slot`` and the slots after it up to ``now`` (at most
    :data:`MAX_COUNTED`), and whether there were more."""
    zone = ZoneInfo(instance_timezone())
    following = croniter(cron_of(trigger), slot.astimezone(zone))
    found = [slot]
    while len(found) < MAX_COUNTED:
        upcoming = following.get_next(datetime).astimezone(ZoneInfo("UTC"))
        if upcoming > now:
            return found, False
        found.append(upcoming)
    return found, next_slot(trigger, found[-1]) <= now


def _latest_slot(trigger: dict[str, Any], now: datetime) -> datetime:
    """The last slot of ``trigger`` at or before ``now``."""
    local = (now + timedelta(seconds=1)).astimezone(ZoneInfo(instance_timezone()))
    found: datetime = croniter(cron_of(trigger), local).get_prev(datetime)
    return found.astimezone(ZoneInfo("UTC"))


def _key(slot: datetime) -> str:
    return slot.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%MZ")


def _schedule_catch_up(rule: AutomationRule, slot: datetime, now: datetime) -> list[AutomationRun]:
    """The runs of the due slot; when several slots were missed, of the
    latest only, and a ``skipped`` run saying how many it stands for."""
    missed, more = _due_slots(rule.trigger, slot, now)
    if len(missed) == 1:
        return _schedule_runs(rule, slot)
    latest = _latest_slot(rule.trigger, now) if more else missed[-1]
    count = f"{MAX_COUNTED}+" if more else str(len(missed))
    log.warning(
        "automation rule %s: %s missed slots (%s to %s) caught up by one run",
        rule.id,
        count,
        _key(slot),
        _key(latest),
    )
    runs = _schedule_runs(rule, latest)
    note = _run(rule, _key(latest))
    note.status, note.finished_at = "skipped", utcnow()
    note.error = _(
        "caught up: %(n)s slots were missed while no worker ran (%(first)s to %(last)s); "
        "one run, at %(last)s, stands for them",
        n=count,
        first=_key(slot),
        last=_key(latest),
    )[:500]
    return [*runs, note]


def _date_catch_up(rule: AutomationRule, slot: datetime, now: datetime) -> list[AutomationRun]:
    """The runs of each day from ``slot`` to ``now`` (the last
    :data:`MAX_CATCH_UP_DAYS`), a record at most once."""
    oldest = now - timedelta(days=MAX_CATCH_UP_DAYS)
    start = slot if slot > oldest else next_slot(rule.trigger, oldest)
    days, _more = _due_slots(rule.trigger, min(start, now), now)
    if len(days) > 1 or start != slot:
        log.warning(
            "automation rule %s: catching up %d missed days from %s (%s)",
            rule.id,
            len(days),
            _key(days[0]),
            "older ones dropped" if start != slot else "none dropped",
        )
    runs: list[AutomationRun] = []
    seen: set[int | None] = set()
    for day in days:
        for run in _date_runs(rule, day):
            if run.record_id not in seen:
                seen.add(run.record_id)
                runs.append(run)
    return runs


def _run(rule: AutomationRule, slot: str, record: Any = None) -> AutomationRun:
    return AutomationRun(
        rule_id=rule.id,
        event=rule.event,
        record_type=record.__tablename__ if record is not None else None,
        record_id=record.id if record is not None else None,
        slot=slot,
        status="queued",
        depth=0,
        attempts=0,
        next_attempt_at=utcnow(),
        results=[],
    )


def _records(entity: Entity, *where: Any):
    """The records of ``entity`` (less soft-deleted ones) by id, in batches."""
    model = entity.model
    query = select(model).where(*where).order_by(model.id)
    if hasattr(model, "deleted_at"):
        query = query.where(model.deleted_at.is_(None))
    return db.session.scalars(query.execution_options(yield_per=_BATCH))


def _schedule_runs(rule: AutomationRule, slot: datetime) -> list[AutomationRun]:
    key = _key(slot)
    entity = entity_of(rule.trigger.get("record_type") or "")
    if entity is None:
        return [_run(rule, key)]
    runs: list[AutomationRun] = []
    over = 0
    for record in _records(entity):
        if not holds(rule.conditions, record):
            continue
        if len(runs) < MAX_RECORDS_PER_SLOT:
            runs.append(_run(rule, key, record))
        else:
            over += 1
    if over:
        skipped = _run(rule, key)
        skipped.status, skipped.finished_at = "skipped", utcnow()
        skipped.error = f"{OVER_CAP}: {over} more of {entity.type}"
        runs.append(skipped)
    return runs


def _date_runs(rule: AutomationRule, slot: datetime) -> list[AutomationRun]:
    """A run for each record whose date plus ``offset_days`` is the slot's day."""
    trigger = rule.trigger
    entity = entity_of(trigger["record_type"])
    field = str(trigger.get("field"))
    if entity is None or field not in [f for f, _label in date_field_choices(entity)]:
        return []  # its plugin was switched off, or the column or custom field is gone
    zone = ZoneInfo(instance_timezone())
    target = slot.astimezone(zone).date() - timedelta(days=int(trigger.get("offset_days", 0)))
    done = set(
        db.session.scalars(
            select(AutomationRun.record_id).where(
                AutomationRun.rule_id == rule.id,
                AutomationRun.record_type == entity.type,
                AutomationRun.slot == target.isoformat(),
            )
        )
    )
    runs = []
    for record in _records(entity, _on_day(target, zone, entity, trigger)):
        if record.id not in done and holds(rule.conditions, record):
            runs.append(_run(rule, target.isoformat(), record))
    return runs


def _on_day(target: date, zone: ZoneInfo, entity: Entity, trigger: dict) -> Any:
    field = trigger["field"]
    if field.startswith(CUSTOM):
        return _custom_on_day(
            entity.model.custom_fields[field[len(CUSTOM) :]].as_string(), target, trigger
        )
    column = getattr(entity.model, field)
    if trigger.get("yearly"):
        day = extract("day", column) == target.day
        same = (extract("month", column) == target.month) & day
        if (target.month, target.day) == (2, 28) and not _leap(target.year):
            leap_day = (extract("month", column) == 2) & (extract("day", column) == 29)
            return or_(same, leap_day)
        return same
    if entity.is_datetime(field):
        start = datetime.combine(target, time(), zone)
        return (column >= start) & (column < start + timedelta(days=1))
    return column == target


def _custom_on_day(value: Any, target: date, trigger: dict) -> Any:
    """A custom date is kept as ISO text (``YYYY-MM-DD``): the day is the
    text, every year its ``-MM-DD`` ending."""
    if not trigger.get("yearly"):
        return value == target.isoformat()
    same = value.like(f"%-{target:%m-%d}")
    if (target.month, target.day) == (2, 28) and not _leap(target.year):
        return or_(same, value.like("%-02-29"))
    return same


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
