"""The customer pool (公海): claim (领取), release (放入公海), recycle (回收)
and transfer (转移) — so no customer leaves with a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from marshmallow import Schema, fields, validate
from sqlalchemy import CursorResult, func, or_, select, update

from core.errors import MissingReferenceError, ValidationError, refuse
from core.events import emit, transaction
from core.extensions import db
from core.i18n import _
from core.models import Activity, Customer, PoolRelease, PoolRule, Team, User, utcnow
from core.registry import current_registry
from core.schemas import Flag, Id
from core.services.base import audit, load, missing_refs, save, snapshot

DEFAULT_RULE: dict[str, Any] = {
    "claim_limit": 200,
    "cool_off_days": 30,
    "recycle_after_days": None,
    "remind_days_before": 3,
    "conditions": {},
}


def rule_for(team_id: int | None) -> PoolRule:
    """The team's rule, else the default rule (team NULL), else built-in defaults."""
    rules = {
        r.team_id: r
        for r in db.session.scalars(
            select(PoolRule).where(
                PoolRule.active.is_(True),
                or_(PoolRule.team_id == team_id, PoolRule.team_id.is_(None)),
            )
        )
    }
    return rules.get(team_id) or rules.get(None) or PoolRule(**DEFAULT_RULE)


def claim(customer: Customer, user: User) -> Customer:
    """Take a pool customer; refused beyond the claim limit or within the cool-off.

    One transaction, and claims made at the same moment cannot beat either
    rule: the claimer's row is locked first, so one user's claims are
    counted one after another, and the customer is read again, locked, so
    of two users claiming it only the first finds it still in the pool.
    """
    with transaction():
        _hold_claims_of(user.id)
        fresh = _locked(customer.id)
        if fresh is None or fresh.owner_id is not None or fresh.deleted_at is not None:
            raise _refused(_("this customer is not in the customer pool"))
        customer, rule = fresh, rule_for(user.team_id)
        owned = cast(
            int,
            db.session.scalar(
                select(func.count())
                .select_from(Customer)
                .where(Customer.owner_id == user.id, Customer.deleted_at.is_(None))
            ),
        )  # a count is never NULL
        if owned >= rule.claim_limit:
            raise _refused(_("you already own %(n)d customers, the limit of your team", n=owned))
        since = utcnow() - timedelta(days=rule.cool_off_days)
        if db.session.scalar(
            select(PoolRelease.id)
            .where(
                PoolRelease.customer_id == customer.id,
                PoolRelease.user_id == user.id,
                PoolRelease.released_at > since,
            )
            .limit(1)
        ):
            raise _refused(
                _("you released this customer less than %(d)d days ago", d=rule.cool_off_days)
            )
        return _set_owner(customer, user, user, "claim")


def _refused(message: str) -> ValidationError:
    return ValidationError({"id": [message]})


def _hold_claims_of(user_id: int) -> None:
    """Lock the claimer's row until the transaction ends: a second claim of
    the same user waits here, then counts what the first one committed.

    A write that changes nothing, rather than ``SELECT … FOR UPDATE``:
    SQLite takes its one write lock only on a write, and the count that
    follows must be read under it. On PostgreSQL the UPDATE locks just this
    row (``FOR NO KEY UPDATE``, no key changes), so other users' claims and
    rows that refer to the user are not held up.
    """
    db.session.execute(
        update(User)
        .where(User.id == user_id)
        .values(session_version=User.session_version, updated_at=User.updated_at)
        .execution_options(synchronize_session=False)
    )


def _locked(customer_id: int) -> Customer | None:
    """The customer as the database holds it now, locked until the transaction
    ends (PostgreSQL; on SQLite the claimer's write lock already covers it)."""
    return db.session.scalar(
        select(Customer)
        .where(Customer.id == customer_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )


def release(customer: Customer, actor: User | None, reason: str = "released") -> Customer:
    """Put an owned customer back in the pool; the owner's cool-off starts."""
    if customer.owner_id is None:
        raise ValidationError({"id": [_("this customer is already in the customer pool")]})
    with transaction():
        db.session.add(
            PoolRelease(
                customer_id=customer.id,
                user_id=customer.owner_id,
                released_at=utcnow(),
                reason=reason,
            )
        )
        _set_owner(customer, None, actor, "release" if reason == "released" else "recycle")
    return customer


def move_open_tasks(from_user_id: int, to_user_id: int, customer_id: int | None = None) -> int:
    """Hand ``from_user_id``'s open tasks (on ``customer_id`` only, if given)
    to ``to_user_id``; the number moved. A colleague's task stays theirs."""
    query = update(Activity).where(
        Activity.owner_id == from_user_id,
        Activity.due_at.is_not(None),
        Activity.done_at.is_(None),
        Activity.deleted_at.is_(None),
    )
    if customer_id is not None:
        query = query.where(Activity.customer_id == customer_id)
    values = {"owner_id": to_user_id, "version": Activity.version + 1}
    return cast(CursorResult[Any], db.session.execute(query.values(values))).rowcount


def _set_owner(customer: Customer, owner: User | None, actor: User | None, action: str) -> Customer:
    with transaction():
        before = snapshot(customer)
        previous = customer.owner_id
        customer.owner_id = owner.id if owner else None
        if previous is not None and owner is not None and owner.id != previous:
            # Into the pool (owner None) the tasks stay with whoever had them.
            move_open_tasks(previous, owner.id, customer.id)
        if owner is not None:
            customer.team_id = owner.team_id
        audit(actor, customer, action, before, snapshot(customer))
        emit(
            "customer_owner_changed",
            customer=customer,
            previous_owner_id=previous,
            new_owner_id=customer.owner_id,
        )
    return customer


@dataclass
class RecycleReport:
    recycled: int = 0
    reminded: int = 0


def recycle_due(now: datetime | None = None) -> RecycleReport:
    """Return to the pool every owned customer that meets a rule's condition;
    remind owners ``remind_days_before`` days ahead. Idempotent."""
    now = now or utcnow()
    report = RecycleReport()
    teams = db.session.scalars(
        select(Customer.team_id)
        .where(Customer.owner_id.is_not(None), Customer.deleted_at.is_(None))
        .distinct()
    ).all()
    for team_id in teams:
        rule = rule_for(team_id)
        in_team = (
            (Customer.team_id == team_id) if team_id is not None else Customer.team_id.is_(None)
        )
        for customer_id, reason in _matches(rule, in_team, now):
            release(cast(Customer, db.session.get(Customer, customer_id)), None, reason)
            report.recycled += 1
        if rule.remind_days_before:
            soon = now + timedelta(days=rule.remind_days_before)
            for customer_id, _reason in _matches(rule, in_team, soon):
                report.reminded += _remind(
                    cast(Customer, db.session.get(Customer, customer_id)), rule, soon
                )
    return report


def _matches(rule: PoolRule, in_team, now: datetime) -> list[tuple[int, str]]:
    owned = select(Customer.id).where(
        Customer.owner_id.is_not(None), Customer.deleted_at.is_(None), in_team
    )
    found: dict[int, str] = {}
    if rule.recycle_after_days:
        cutoff = now - timedelta(days=rule.recycle_after_days)
        stale = owned.where(func.coalesce(Customer.last_contacted_at, Customer.created_at) < cutoff)
        found.update({cid: "recycled" for cid in db.session.scalars(stale)})
    conditions = current_registry().recycle_conditions
    for code, params in (rule.conditions or {}).items():
        if code in conditions:  # a condition of a disabled plugin waits
            ids = conditions[code].customer_ids(params, now)
            for cid in db.session.scalars(owned.where(Customer.id.in_(ids))):
                found.setdefault(cid, code)
    return sorted(found.items())


def _remind(customer: Customer, rule: PoolRule, when: datetime) -> int:
    """One open reminder task per customer and rule."""
    exists = db.session.scalar(
        select(Activity.id)
        .where(
            Activity.customer_id == customer.id,
            Activity.link_type == "pool_rule",
            Activity.owner_id == customer.owner_id,
            Activity.done_at.is_(None),
        )
        .limit(1)
    )
    if exists or rule.id is None:
        return 0
    with transaction():
        task = Activity(
            kind="task",
            occurred_at=utcnow(),
            due_at=when - timedelta(days=1),
            subject=_("Follow up, or %(name)s returns to the customer pool", name=customer.name),
            customer_id=customer.id,
            owner_id=customer.owner_id,
            link_type="pool_rule",
            link_id=rule.id,
        )
        db.session.add(task)
        emit("activity_logged", activity=task)
    return 1


def transfer_all(from_user: User, to_user: User, actor: User | None) -> dict[str, int]:
    """Move every customer, open task and plugin record of ``from_user`` to
    ``to_user`` in one transaction (contacts follow their customers)."""
    if not to_user.is_active:
        raise MissingReferenceError({"to_user_id": [_("no active user with this id")]})
    if to_user.id == from_user.id:
        raise ValidationError({"to_user_id": [_("choose someone else to hand over to")]})
    with transaction():
        customers = db.session.scalars(
            select(Customer).where(Customer.owner_id == from_user.id, Customer.deleted_at.is_(None))
        ).all()
        # The tasks first, all of them (on any customer or none), so the count
        # is complete; the customers' own moves below then find none left.
        tasks = move_open_tasks(from_user.id, to_user.id)
        for customer in customers:
            _set_owner(customer, to_user, actor, "transfer")
        plugin_records = sum(
            n or 0
            for n in current_registry().call(
                "trellis_transfer_records", from_user_id=from_user.id, to_user_id=to_user.id
            )
        )
        counts = {"customers": len(customers), "tasks": tasks, "plugin_records": plugin_records}
        audit(actor, from_user, "transfer", None, {"to_user_id": to_user.id, **counts})
    return counts


class PoolRuleInput(Schema):
    team_id = Id(allow_none=True, load_default=None)
    claim_limit = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=0, max=100_000)
    )
    cool_off_days = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=0, max=3650)
    )
    recycle_after_days = fields.Integer(
        strict=True, allow_none=True, load_default=None, validate=validate.Range(min=1, max=3650)
    )
    remind_days_before = fields.Integer(
        strict=True, load_default=3, validate=validate.Range(min=0, max=365)
    )
    conditions = fields.Dict(keys=fields.String(), values=fields.Dict(), load_default=dict)
    active = Flag(load_default=True)


def save_rule(payload: dict, actor: User | None) -> PoolRule:
    """Create or replace the pool rule of a team (``team_id`` null: the default rule).

    Each condition must be declared (by core or an enabled plugin) and its
    params pass the condition's own check; errors name ``conditions.<code>``.
    """
    data = load(PoolRuleInput(), payload)
    errors: dict[str, list[str]] = {}
    declared = current_registry().recycle_conditions
    for code, params in data["conditions"].items():
        if code not in declared:
            errors[f"conditions.{code}"] = [
                _(
                    "unknown recycle condition; known: %(codes)s",
                    codes=", ".join(sorted(declared)) or "-",
                )
            ]
            continue
        try:
            data["conditions"][code] = declared[code].validate_params(params)
        except ValueError as exc:
            errors[f"conditions.{code}"] = [str(exc)]
    refuse(errors, missing=missing_refs(data, team_id=Team))
    rule = db.session.scalar(
        select(PoolRule).where(
            PoolRule.team_id.is_(None)
            if data["team_id"] is None
            else PoolRule.team_id == data["team_id"]
        )
    )
    return save(PoolRule, rule, data, actor)
