"""Engineers (工程师) and dispatching (派工): who can take a job, and who should.

An engineer has skills (the order categories they handle) and regions (the
customer regions they cover). Assigning outside them is refused unless the
dispatcher gives an override reason, which the order's history keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marshmallow import Schema, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from core.api import (
    Flag,
    MissingReferenceError,
    TakenError,
    User,
    ValidationError,
    check_version,
    customer_live,
    db,
    load,
    save,
    translator,
)

from ..models import OPEN_FOR_ENGINEER, Engineer, WorkOrder
from .validation import Id

_, _l = translator("service_dispatch")


def _names(max_length: int) -> fields.List:
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=max_length)),
        load_default=list,
        validate=validate.Length(max=50),
    )


class EngineerInput(Schema):
    user_id = Id(required=True)
    skills = _names(60)
    regions = _names(80)
    active = Flag(load_default=True)


class EngineerChange(Schema):
    skills = _names(60)
    regions = _names(80)
    active = Flag()


def _clean(data: dict) -> dict:
    for key in ("skills", "regions"):
        if key in data:
            data[key] = list(dict.fromkeys(v.strip() for v in data[key] if v.strip()))
    return data


def engineers(active_only: bool = False) -> list[Engineer]:
    query = (
        select(Engineer)
        .join(User, User.id == Engineer.user_id)
        .options(contains_eager(Engineer.user))
        .order_by(User.name, Engineer.id)
    )
    if active_only:
        query = query.where(
            Engineer.active.is_(True), User.active.is_(True), User.deleted_at.is_(None)
        )
    return list(db.session.scalars(query))


def engineer_of(user_id: int) -> Engineer | None:
    return db.session.scalar(select(Engineer).where(Engineer.user_id == user_id))


def create_engineer(payload: dict, actor: User | None) -> Engineer:
    data = _clean(load(EngineerInput(), payload))
    user = db.session.get(User, data["user_id"])
    if user is None or not user.is_active:
        raise MissingReferenceError({"user_id": [_("no active user with this id")]})
    if engineer_of(user.id) is not None:
        raise TakenError({"user_id": [_("this user is already an engineer")]})
    return save(Engineer, None, data, actor)


def update_engineer(
    engineer: Engineer, payload: dict, actor: User | None, expected_version: int | None = None
) -> Engineer:
    data = _clean(load(EngineerChange(), payload, partial=True))
    check_version(engineer, expected_version)
    return save(Engineer, engineer, data, actor)


def mismatches(order: WorkOrder, engineer: Engineer) -> list[str]:
    """Why ``engineer`` does not fit ``order`` (empty when they do)."""
    found = []
    if order.category and order.category not in (engineer.skills or ()):
        found.append(
            _(
                "%(name)s has no skill for %(category)s",
                name=engineer.user.name,
                category=order.category,
            )
        )
    region = order.customer.region
    if region and region not in (engineer.regions or ()):
        found.append(
            _(
                "%(name)s does not cover the region %(region)s",
                name=engineer.user.name,
                region=region,
            )
        )
    return found


def check_assignment(order: WorkOrder, user_id: int, override_reason: str | None) -> Engineer:
    """The engineer ``user_id`` may take ``order``: active, and skilled for
    its category and covering its customer's region — or overridden."""
    engineer = engineer_of(user_id)
    if engineer is None or not engineer.active or not engineer.user.is_active:
        raise MissingReferenceError({"engineer_id": [_("no active engineer with this id")]})
    problems = mismatches(order, engineer)
    if problems and not override_reason:
        raise ValidationError(
            {"engineer_id": [*problems, _("give an override reason to assign anyway")]}
        )
    return engineer


@dataclass
class Suggestion:
    engineer_id: int
    name: str
    skill_match: bool
    region_match: bool
    workload: int
    reasons: list[str] = field(default_factory=list)


def workloads(user_ids: list[int]) -> dict[int, int]:
    """Open orders (assigned, not yet completed) per engineer; an order of a
    customer in the recycle bin is hidden everywhere, so it is no workload."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(WorkOrder.engineer_id, func.count())
        .where(
            WorkOrder.engineer_id.in_(user_ids),
            WorkOrder.status.in_(OPEN_FOR_ENGINEER),
            WorkOrder.deleted_at.is_(None),
            customer_live(WorkOrder.customer_id),
        )
        .group_by(WorkOrder.engineer_id)
    )
    return dict(rows.all())


def suggested_engineers(
    order: WorkOrder,
    limit: int = 10,
    pool: list[Engineer] | None = None,
    loads: dict[int, int] | None = None,
) -> list[Suggestion]:
    """Active engineers ranked by skill match, then region match, then the
    fewest open orders; each with the reasons for its place. A page ranking
    many orders passes the ``pool`` and their ``loads`` once."""
    pool = engineers(active_only=True) if pool is None else pool
    loads = workloads([e.user_id for e in pool]) if loads is None else loads
    region = order.customer.region
    ranked = []
    for engineer in pool:
        skill = not order.category or order.category in (engineer.skills or ())
        in_region = not region or region in (engineer.regions or ())
        ranked.append(
            (skill, in_region, loads.get(engineer.user_id, 0), engineer.user.name, engineer.user_id)
        )
    ranked.sort(key=lambda r: (not r[0], not r[1], r[2], r[3]))
    # the reasons of the shown ones only, each distinct set translated once
    # (a board ranks 200 engineers for each of its orders)
    said: dict[tuple[bool, bool, int], list[str]] = {}
    out = []
    for skill, in_region, work, name, user_id in ranked[:limit]:
        if (skill, in_region, work) not in said:
            said[skill, in_region, work] = _reasons(order.category, region, skill, in_region, work)
        out.append(
            Suggestion(user_id, name, skill, in_region, work, list(said[skill, in_region, work]))
        )
    return out


def _reasons(
    category: str | None, region: str | None, skill: bool, in_region: bool, work: int
) -> list[str]:
    return [
        (
            _("skilled in %(category)s", category=category)
            if skill
            else _("no skill for %(category)s", category=category)
        )
        if category
        else _("no category to match"),
        (
            _("covers %(region)s", region=region)
            if in_region
            else _("outside %(region)s", region=region)
        )
        if region
        else _("no region to match"),
        _("open orders: %(count)s", count=work),
    ]
