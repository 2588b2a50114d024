"""Sales reports: the funnel (stage-to-stage conversion, win rate, sales
cycle) and the weighted forecast by month. Counted and summed in SQL over
the deals the user may see; money stays Decimal, grouped by currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal

from marshmallow import Schema, fields, validate
from sqlalchemy import Select, extract, func, select

from core.api import User, db, scoped

from .models import Deal, Pipeline, Stage, StageChange

CENT = Decimal("0.01")


class ReportArgs(Schema):
    pipeline_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    owner_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    team_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    start = fields.Date(metadata={"description": "deals created on or after this day"})
    end = fields.Date(metadata={"description": "deals created before this day"})


def deals_in_scope(user: User, args: dict) -> Select:
    """The deals ``user`` may see, narrowed by the report's filters."""
    query = scoped(select(Deal.id), Deal, user)
    for key in ("pipeline_id", "owner_id", "team_id"):
        if args.get(key):
            query = query.where(getattr(Deal, key) == args[key])
    if args.get("start"):
        query = query.where(Deal.created_at >= _midnight(args["start"]))
    if args.get("end"):
        query = query.where(Deal.created_at < _midnight(args["end"]))
    return query


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


@dataclass
class FunnelStage:
    id: int
    name: str
    probability: int
    reached: int
    conversion: float | None  # share of this stage's deals that reached the next one


def funnel(user: User, pipeline: Pipeline, args: dict) -> dict:
    """How many deals reached each stage (or a later one) and moved on."""
    ids = deals_in_scope(user, {**args, "pipeline_id": pipeline.id}).subquery()
    furthest = (select(StageChange.deal_id, func.max(Stage.position).label("pos"))
                .join(Stage, Stage.id == StageChange.to_stage_id)
                .where(StageChange.deal_id.in_(select(ids.c.id)), Stage.outcome != "lost")
                .group_by(StageChange.deal_id).subquery())
    by_position = dict(db.session.execute(
        select(furthest.c.pos, func.count()).group_by(furthest.c.pos)).all())
    stages = [s for s in pipeline.stages if s.outcome != "lost"]
    rows: list[FunnelStage] = []
    for stage in stages:
        reached = sum(n for pos, n in by_position.items() if pos >= stage.position)
        rows.append(FunnelStage(stage.id, stage.name, stage.probability, reached, None))
    for here, after in zip(rows, rows[1:]):
        here.conversion = round(after.reached / here.reached, 4) if here.reached else None
    outcome = dict(db.session.execute(
        select(Stage.outcome, func.count()).select_from(Deal).join(Stage, Stage.id == Deal.stage_id)
        .where(Deal.id.in_(select(ids.c.id))).group_by(Stage.outcome)).all())
    won, lost = outcome.get("won", 0), outcome.get("lost", 0)
    cycles = db.session.execute(
        select(Deal.created_at, Deal.closed_at).join(Stage, Stage.id == Deal.stage_id)
        .where(Deal.id.in_(select(ids.c.id)), Stage.outcome == "won")).all()
    days = [max(0.0, (closed - created).total_seconds() / 86400) for created, closed in cycles
            if closed]
    return {"pipeline_id": pipeline.id, "stages": [vars(r) for r in rows],
            "deals": sum(by_position.values()), "open": outcome.get("open", 0),
            "won": won, "lost": lost,
            "win_rate": round(won / (won + lost), 4) if won + lost else None,
            "average_cycle_days": round(sum(days) / len(days), 1) if days else None}


def forecast(user: User, args: dict) -> list[dict]:
    """By month and currency: open deals expected to close (amount, and
    weighted by the stage's win probability) and deals won (by close month)."""
    ids = select(deals_in_scope(user, args).subquery().c.id)
    year, month = extract("year", Deal.expected_close), extract("month", Deal.expected_close)
    rows: dict[tuple, dict] = {}
    for y, m, currency, amount, weighted in db.session.execute(
            select(year, month, Deal.currency, func.sum(Deal.amount),
                   func.sum(Deal.amount * Stage.probability))
            .join(Stage, Stage.id == Deal.stage_id)
            .where(Deal.id.in_(ids), Stage.outcome == "open", Deal.expected_close.is_not(None))
            .group_by(year, month, Deal.currency)):
        row = _month_row(rows, y, m, currency)
        row["open_amount"] = _money(amount)
        row["weighted_amount"] = _money(Decimal(str(weighted)) / 100)
    won_year, won_month = extract("year", Deal.closed_at), extract("month", Deal.closed_at)
    for y, m, currency, amount in db.session.execute(
            select(won_year, won_month, Deal.currency, func.sum(Deal.amount))
            .join(Stage, Stage.id == Deal.stage_id)
            .where(Deal.id.in_(ids), Stage.outcome == "won")
            .group_by(won_year, won_month, Deal.currency)):
        _month_row(rows, y, m, currency)["won_amount"] = _money(amount)
    return [rows[key] for key in sorted(rows)]


def _month_row(rows: dict, year, month, currency: str) -> dict:
    key = (int(year), int(month), currency)
    return rows.setdefault(key, {"month": f"{int(year):04d}-{int(month):02d}", "currency": currency,
                                 "open_amount": "0.00", "weighted_amount": "0.00",
                                 "won_amount": "0.00"})


def _money(value) -> str:
    return str(Decimal(str(value or 0)).quantize(CENT))
