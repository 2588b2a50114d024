"""Monthly targets (业绩目标) and what each rep and team achieved (commission:
:mod:`plugins.sales.services.commission`).

Months are calendar months in **UTC**: a deal counts for March when its
``closed_at`` lies in [1 March 00:00 UTC, 1 April 00:00 UTC). A deal won at
07:00 on 1 April in Beijing (23:00 UTC on 31 March) is a March deal.

A target has a ``measure``, what it counts (:data:`MEASURES`): "won", the
deals won in the month; "contracted", the contracts signed in the month
(``signed_date``, the amount in force); "collected", the money collected in
the month — confirmed payments paid in it less the payments reversed in it
(the UTC date of ``reversed_at``), as
:func:`plugins.sales.services.money_reports.collected_money` counts them.

Who sees what: a rep their own targets and statement; a manager (team
scope) also those of the reps and teams in their team and its sub-teams;
an administrator (all scope) everything. Deals are counted only through
:func:`plugins.sales.services.access.visible_deals`, so a figure never includes a
deal its viewer could not open.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

import marshmallow
from marshmallow import Schema, fields, validate, validates_schema
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from core.api import (
    ConflictError,
    DataScope,
    NotFoundError,
    Team,
    User,
    audit,
    db,
    first_of_next_month,
    load,
    refuse,
    scoped,
    snapshot,
    team_subtree,
    transaction,
    translator,
)

from ..models import TARGET_MEASURES as MEASURES
from ..models import Contract, Deal, SalesTarget, Stage
from .access import visible_deals, visible_records, visible_user_ids
from .money_reports import collected_money
from .validation import DefaultCurrency, Id, Money, Month
from .validation import month_value as month_value  # the pages check a month in the address

_, _l = translator("sales")
CENT = Decimal("0.01")
#: how the pages name each measure
MEASURE_LABELS = {
    "won": _l("Deals won"),
    "contracted": _l("Contracts signed"),
    "collected": _l("Money collected"),
}


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first instant of ``month`` and of the month after it, in UTC."""
    year, number = int(month[:4]), int(month[5:7])
    start = datetime(year, number, 1, tzinfo=UTC)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return start, end


class TargetInput(Schema):
    month = Month(required=True, metadata={"description": "YYYY-MM (a UTC calendar month)"})
    user_id = Id(allow_none=True, load_default=None, metadata={"description": "a rep's target"})
    team_id = Id(
        allow_none=True,
        load_default=None,
        metadata={"description": "a team's target (its sub-teams included)"},
    )
    amount = Money(
        required=True, metadata={"description": "0 to 999999999999.99, two decimals at most"}
    )
    currency = DefaultCurrency()
    measure = fields.String(
        load_default="won",
        validate=validate.OneOf(MEASURES),
        metadata={
            "description": "what the target counts: won (deals won), contracted (contracts "
            "signed) or collected (payments collected, less reversals); default won"
        },
    )

    @validates_schema
    def one_of_user_or_team(self, data, **kwargs):
        if bool(data.get("user_id")) == bool(data.get("team_id")):
            raise marshmallow.ValidationError(_("name either a user or a team"), "user_id")


# -- who may see whom ---------------------------------------------------------------------------


def visible_team_ids(viewer: User | None) -> list[int]:
    """The teams whose targets ``viewer`` may see: all, their own subtree, or none."""
    if viewer is None or not viewer.is_active or viewer.role is None:
        return []
    if viewer.role.scope == DataScope.all:
        return list(db.session.scalars(select(Team.id).order_by(Team.name)))
    if viewer.role.scope == DataScope.team and viewer.team_id is not None:
        return team_subtree(viewer.team_id)
    return []


def visible_targets(viewer: User | None) -> Select:
    """Targets of the reps ``viewer`` sees, and team targets by core's team scope."""
    own_or_team = scoped(
        select(SalesTarget.id), SalesTarget, viewer, owner_attr="user_id", team_attr="team_id"
    )
    return select(SalesTarget).where(
        SalesTarget.id.in_(own_or_team) | SalesTarget.user_id.in_(visible_user_ids(viewer))
    )


def visible_target(target_id: int, viewer: User | None) -> SalesTarget:
    target = db.session.scalar(visible_targets(viewer).where(SalesTarget.id == target_id))
    if target is None:
        raise NotFoundError(_("target %(id)s not found", id=target_id))
    return target


def visible_rep(user_id: int, viewer: User | None) -> User:
    """The rep, or a 404 that does not tell whether they exist."""
    rep = db.session.scalar(
        select(User).where(User.id == user_id, User.id.in_(visible_user_ids(viewer)))
    )
    if rep is None:
        raise NotFoundError(_("user %(id)s not found", id=user_id))
    return rep


def visible_reps(viewer: User | None) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(visible_user_ids(viewer)), User.active.is_(True))
            .order_by(User.name)
        )
    )


# -- targets ------------------------------------------------------------------------------------


def _flush_new(target: SalesTarget) -> None:
    try:
        db.session.flush()
    except IntegrityError:
        raise ConflictError(
            _("This target was set by someone else meanwhile; look again.")
        ) from None


def set_target(payload: dict, actor: User | None) -> SalesTarget:
    """Set (or replace) the target of one rep or team for one month: one the
    actor may see (any, for the system: ``actor`` None)."""
    data = load(TargetInput(), payload)
    users = visible_user_ids(actor) if actor is not None else select(User.id)
    missing: dict[str, list[str]] = {}
    if (
        data["user_id"]
        and db.session.scalar(
            select(User.id).where(
                User.id == data["user_id"],
                User.active.is_(True),
                User.deleted_at.is_(None),
                User.id.in_(users),
            )
        )
        is None
    ):
        missing["user_id"] = [_("no active user with this id")]
    if data["team_id"] and (
        data["team_id"] not in visible_team_ids(actor)
        if actor is not None
        else db.session.get(Team, data["team_id"]) is None
    ):
        missing["team_id"] = [_("no team with this id")]
    refuse(missing=missing)
    # the partial unique indexes keep one target per rep (or team), month and measure;
    # this look-up replaces it, and one of two requests racing to create it is a 409
    whose = (
        SalesTarget.user_id == data["user_id"]
        if data["user_id"]
        else SalesTarget.team_id == data["team_id"]
    )
    target = db.session.scalar(
        select(SalesTarget).where(
            SalesTarget.month == data["month"], SalesTarget.measure == data["measure"], whose
        )
    )
    with transaction():
        if target is None:
            target = SalesTarget(**data)
            db.session.add(target)
            _flush_new(target)
            audit(actor, target, "create", None, snapshot(target))
        else:
            before = snapshot(target)
            target.amount, target.currency = data["amount"], data["currency"]
            audit(actor, target, "update", before, snapshot(target))
    return target


def delete_target(target: SalesTarget, actor: User | None) -> None:
    with transaction():
        audit(actor, target, "delete", snapshot(target), None)
        db.session.delete(target)


def won_in_month(viewer: User, month: str) -> dict[tuple, Decimal]:
    """What was won in ``month`` (UTC month boundaries) over the deals
    ``viewer`` sees, by (owner, team, currency): one grouped query serves every
    target of the month."""
    start, end = month_bounds(month)
    keys = (Deal.owner_id, Deal.team_id, Deal.currency)
    rows = db.session.execute(
        visible_deals(viewer, select(*keys, func.sum(Deal.amount)))
        .join(Stage, Stage.id == Deal.stage_id)
        .where(Stage.outcome == "won", Deal.closed_at >= start, Deal.closed_at < end)
        .group_by(*keys)
    )
    return {(owner, team, currency): _money(amount) for owner, team, currency, amount in rows}


def contracted_in_month(viewer: User, month: str) -> dict[tuple, Decimal]:
    """The contracts signed in ``month`` (``signed_date``; the amount in
    force) that ``viewer`` sees, by (owner, team, currency)."""
    start = date(int(month[:4]), int(month[5:7]), 1)
    keys = (Contract.owner_id, Contract.team_id, Contract.currency)
    rows = db.session.execute(
        visible_records(Contract, viewer, select(*keys, func.sum(Contract.amount)))
        .where(Contract.signed_date >= start, Contract.signed_date < first_of_next_month(start))
        .group_by(*keys)
    )
    return {(owner, team, currency): _money(amount) for owner, team, currency, amount in rows}


def collected_in_month(viewer: User, month: str) -> dict[tuple, Decimal]:
    """The money collected in ``month`` net of the reversals in it, over the
    payments ``viewer`` sees, by (owner, team, currency)."""
    start = date(int(month[:4]), int(month[5:7]), 1)
    found = collected_money(viewer, start, first_of_next_month(start), "owner_team")
    return {
        (owner, team, currency): got - back
        for ((owner, team), currency), (got, back) in found.items()
    }


#: what each measure counts, by (owner, team, currency), for a month
COUNTERS = {"won": won_in_month, "contracted": contracted_in_month, "collected": collected_in_month}


def achieved_in_month(viewer: User, month: str, measure: str = "won") -> dict[tuple, Decimal]:
    """What ``measure`` counts in ``month`` over what ``viewer`` sees."""
    return COUNTERS[measure](viewer, month)


def achievement(won: dict[tuple, Decimal], target: SalesTarget) -> Decimal:
    """What the target's rep (or team, sub-teams included) achieved, in its
    currency: ``won`` is what its measure counted (:func:`achieved_in_month`)."""
    teams = set(team_subtree(target.team_id)) if target.team_id is not None else set()
    return sum(
        (
            amount
            for (owner, team, currency), amount in won.items()
            if currency == target.currency
            and (owner == target.user_id if target.user_id is not None else team in teams)
        ),
        start=Decimal("0.00"),
    )


def percent(achieved: Decimal, target: Decimal) -> Decimal | None:
    """Achieved as a percentage of the target, two decimals (half up); None for a zero target."""
    if not target:
        return None
    return (achieved * 100 / target).quantize(CENT, rounding=ROUND_HALF_UP)


def targets_for_month(viewer: User, month: str) -> list[dict]:
    """The visible targets of ``month``, each with what was achieved: teams
    first; each measure counted once, if a target asks for it."""
    rows = db.session.scalars(
        visible_targets(viewer)
        .where(SalesTarget.month == month)
        .options(joinedload(SalesTarget.user), joinedload(SalesTarget.team))
        .order_by(SalesTarget.user_id.is_not(None), SalesTarget.measure, SalesTarget.id)
    ).all()
    counted = {m: achieved_in_month(viewer, month, m) for m in {t.measure for t in rows}}
    return [target_row(counted[t.measure], t) for t in rows]


def target_row(won: dict[tuple, Decimal], target: SalesTarget) -> dict:
    achieved = achievement(won, target)
    return {
        "id": target.id,
        "month": target.month,
        "measure": target.measure,
        "user_id": target.user_id,
        "team_id": target.team_id,
        "currency": target.currency,
        "amount": target.amount,
        "name": target.user.name if target.user else target.team.name,
        "achieved": achieved,
        "percent": percent(achieved, target.amount),
    }


def _money(value) -> Decimal:
    """A database sum as exact cents (SQLite sums Numeric columns as floats)."""
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)
