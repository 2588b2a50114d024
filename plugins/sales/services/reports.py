"""Sales reports: the funnel (stage-to-stage conversion, win rate, sales
cycle, lead → customer conversion, lost reasons, open pipeline by owner and
team) and the weighted forecast by month. The account-manager KPIs live in
``kpis``.

Everything is counted and summed in SQL over the deals the user may see
(``access.visible_deals``): one grouped scan of the deals per report, whose
result size depends on the number of stages, owners and months, never on
the number of deals (the index ``ix_sales_deal_report`` holds every column
the scans read). Someone who sees every deal gets the funnel and forecast
from the report cells instead (``report_cells``; see ``_read``): the same
figures, added up in advance by month. Money stays Decimal, grouped by
currency.

How far a deal got is ``Deal.furthest_position``, kept by the stage moves
(see ``deals.move_stage``), so the funnel does not re-read every deal's
stage history.

Filters (``ReportArgs``): ``start``/``end`` — the period (deals created in it
for the funnel and forecast, deals closed in it for the KPIs), ``team_id``,
``owner_id``, ``pipeline_id`` and ``source`` — a deal's source is the
source of the lead it was converted from; deals not converted from a lead
have no source and drop out when a source is chosen.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError
from sqlalchemy import Select, case, extract, func, select, text

from core.api import Team, User, db, translator

from ..models import LEAD_SOURCES, Deal, Lead, Pipeline, ReportCell, Stage
from . import report_cells
from .access import visible_deals, visible_leads
from .report_cells import midnight

_, _l = translator("sales")
CENT = Decimal("0.01")
ID = validate.Range(1, 2**31 - 1)


class ReportArgs(Schema):
    pipeline_id = fields.Integer(validate=ID)
    owner_id = fields.Integer(validate=ID)
    team_id = fields.Integer(validate=ID)
    source = fields.String(
        validate=validate.OneOf(LEAD_SOURCES),
        metadata={"description": "the source of the lead the deal was converted from"},
    )
    start = fields.Date(metadata={"description": "first day of the period (included)"})
    end = fields.Date(metadata={"description": "day after the period (excluded)"})

    @validates_schema
    def _period_runs_forward(self, data: dict, **_kwargs) -> None:
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise SchemaError(_("the end must be after the start"), "end")


def report_deals(user: User, args: dict, *columns, period_on=Deal.created_at) -> Select:
    """``select(*columns)`` over the deals ``user`` may see, narrowed by the
    report's filters; the period applies to ``period_on``."""
    query = visible_deals(user, select(*columns).select_from(Deal))
    for key in ("pipeline_id", "owner_id", "team_id"):
        if args.get(key):
            query = query.where(getattr(Deal, key) == args[key])
    if args.get("source"):
        query = query.where(
            Deal.id.in_(
                select(Lead.deal_id).where(Lead.source == args["source"], Lead.deal_id.is_not(None))
            )
        )
    return in_period(query, period_on, args)


def in_period(query: Select, column, args: dict) -> Select:
    if args.get("start"):
        query = query.where(column >= midnight(args["start"]))
    if args.get("end"):
        query = query.where(column < midnight(args["end"]))
    return query


def report_settings() -> None:
    """PostgreSQL settings for this transaction (the request) only: JIT off.
    The correlated sub-queries make the cost estimates high, and at 1,000,000
    deals compiling took 0.5 s of a 0.75 s report. (A larger ``work_mem``
    was tried too, and made the reports slower.)"""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))


def days_between(start, end):
    """SQL: days from ``start`` to ``end`` (fractional), on SQLite and PostgreSQL."""
    if db.engine.dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return extract("epoch", end - start) / 86400


def funnel(user: User, pipeline: Pipeline, args: dict) -> dict:
    """How many deals reached each stage (or a later one) and moved on; the
    outcome counts, win rate and average cycle; lost reasons; the open
    pipeline by owner and team; lead → customer conversion.

    The deal figures come from one grouped scan of the deals (by stage, how
    far the deal got, owner, team, currency and lost reason), or from the
    report cells (``report_cells``) for someone who sees every deal."""
    report_settings()
    args = {**args, "pipeline_id": pipeline.id}
    by_stage = {s.id: s for s in pipeline.stages}
    probability = {s.id: s.probability for s in pipeline.stages if s.outcome == "open"}
    reached_at: dict[int, int] = defaultdict(int)
    outcome: dict[str, int] = defaultdict(int)
    cycle = [0.0, 0]  # days, won deals with both dates
    lost: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    by_owner: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    by_team: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])

    def add_deals(stage_id, position, currency, reason, n, amount, days, dated):
        reached_at[position] += n
        stage = by_stage.get(stage_id)
        kind = stage.outcome if stage else "open"
        outcome[kind] += n
        if kind == "won":
            cycle[0] += days
            cycle[1] += dated
        elif kind == "lost":
            lost[(reason or "", currency)][0] += n
            lost[(reason or "", currency)][1] += amount

    def add_open(owner_id, team_id, currency, stage_id, n, amount):
        weighted = amount * probability.get(stage_id, 0) / 100
        for table, key in ((by_owner, (owner_id, currency)), (by_team, (team_id, currency))):
            table[key][0] += n
            table[key][1] += amount
            table[key][2] += weighted

    _funnel_rows(user, args, probability, add_deals, add_open)
    rows = []
    for stage in (s for s in pipeline.stages if s.outcome != "lost"):
        rows.append(
            {
                "id": stage.id,
                "name": stage.name,
                "probability": stage.probability,
                "reached": sum(n for pos, n in reached_at.items() if pos >= stage.position),
                "conversion": None,
            }
        )
    for here, after in zip(rows, rows[1:], strict=False):
        here["conversion"] = ratio(after["reached"], here["reached"])
    won, lost_count = outcome["won"], outcome["lost"]
    return {
        "pipeline_id": pipeline.id,
        "stages": rows,
        "deals": sum(reached_at.values()),
        "open": outcome["open"],
        "won": won,
        "lost": lost_count,
        "win_rate": ratio(won, won + lost_count),
        "average_cycle_days": round(cycle[0] / cycle[1], 1) if cycle[1] else None,
        "lost_reasons": sorted(
            (
                {"reason": r, "currency": c, "deals": n, "amount": money(a)}
                for (r, c), (n, a) in lost.items()
                if n
            ),
            key=lambda row: (-row["deals"], row["reason"], row["currency"]),
        ),
        "by_owner": _pipeline_rows(by_owner, names(User, {k[0] for k in by_owner}), "owner_id"),
        "by_team": _pipeline_rows(by_team, names(Team, {k[0] for k in by_team}), "team_id"),
        "lead_conversion": lead_conversion(user, args),
    }


def _funnel_rows(user: User, args: dict, probability: dict, add_deals, add_open) -> None:
    """Feed the funnel's figures (see ``_read``)."""
    days = days_between(Deal.created_at, Deal.closed_at)
    keys = (
        Deal.stage_id,
        Deal.furthest_position,
        Deal.owner_id,
        Deal.team_id,
        Deal.currency,
        Deal.lost_reason,
    )
    measures = (
        func.count(),
        func.sum(Deal.amount),
        func.sum(case((days > 0, days), else_=0)),
        func.count(Deal.closed_at),
    )

    def from_deals(query: Select, sign: int) -> None:
        for (
            stage_id,
            position,
            owner_id,
            team_id,
            currency,
            reason,
            n,
            amount,
            cycle,
            dated,
        ) in db.session.execute(query.group_by(*keys)):
            amount = decimal(amount) * sign
            add_deals(
                stage_id,
                position,
                currency,
                reason,
                n * sign,
                amount,
                float(cycle or 0) * sign,
                dated * sign,
            )
            if stage_id in probability:
                add_open(owner_id, team_id, currency, stage_id, n * sign, amount)

    def from_cells(months: tuple) -> None:
        cell = ReportCell
        deal_keys = (cell.stage_id, cell.furthest_position, cell.currency, cell.lost_reason)
        for stage_id, position, currency, reason, n, cents, seconds, dated in db.session.execute(
            report_cells.cells(
                "deal",
                months,
                args,
                *deal_keys,
                *_sums(cell.deals, cell.amount_cents, cell.cycle_seconds, cell.closed),
            ).group_by(*deal_keys)
        ):
            add_deals(
                stage_id,
                position,
                currency,
                reason,
                int(n),
                Decimal(cents) / 100,
                float(seconds) / 86400,
                int(dated),
            )
        open_keys = (cell.owner_id, cell.team_id, cell.currency, cell.stage_id)
        for owner_id, team_id, currency, stage_id, n, cents in db.session.execute(
            report_cells.cells(
                "open", months, args, *open_keys, *_sums(cell.deals, cell.amount_cents)
            ).group_by(*open_keys)
        ):
            add_open(owner_id, team_id, currency, stage_id, int(n), Decimal(cents) / 100)

    _read(user, args, (*keys, *measures), from_deals, from_cells)


def _read(user: User, args: dict, columns: tuple, from_deals, from_cells) -> None:
    """Feed a report over ``args``: ``from_deals(query, sign)`` gets grouped
    queries of ``columns`` over deals to add (sign 1) or take off (-1);
    ``from_cells(months)`` reads the cells of the whole months. For most
    users that is one query over the deals they may see; for someone who
    sees every deal (``report_cells.plan``), the cells of the whole months,
    less the deals of binned customers created in them, plus the deals of
    the days around them."""
    cells = report_cells.plan(user, args)
    if cells is None:
        from_deals(report_deals(user, args, *columns), 1)
        return
    for piece in cells.pieces:
        from_deals(report_deals(user, {**args, **piece}, *columns), 1)
    if cells.months is not None:
        from_deals(report_cells.binned_deals(cells.months, args, *columns), -1)
        from_cells(cells.months)


def _sums(*columns):
    return tuple(func.sum(c) for c in columns)


def decimal(value) -> Decimal:
    """A database sum as Decimal (SQLite's come back as floats)."""
    return Decimal(str(value or 0))


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _pipeline_rows(table: dict, labels: dict, key: str) -> list[dict]:
    """Open deals by owner or team and currency: count, amount, weighted amount."""
    rows = [
        {
            key: who,
            "name": labels.get(who, ""),
            "currency": currency,
            "deals": n,
            "amount": money(amount),
            "weighted_amount": money(weighted),
        }
        for (who, currency), (n, amount, weighted) in table.items()
        if n
    ]
    return sorted(rows, key=lambda r: (-Decimal(r["weighted_amount"]), r["name"], r["currency"]))


def names(model, ids: set) -> dict:
    """``{id: name}`` of the users or teams in ``ids``."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def lead_conversion(user: User, args: dict) -> dict:
    """Leads created in the period (that ``user`` may see, narrowed by source,
    owner and team) and how many of them were converted into a customer."""
    query = visible_leads(user)
    for key in ("owner_id", "team_id", "source"):
        if args.get(key):
            query = query.where(getattr(Lead, key) == args[key])
    query = in_period(query, Lead.created_at, args)
    leads, converted = db.session.execute(
        query.with_only_columns(
            func.count(), func.count(Lead.converted_at), maintain_column_froms=True
        )
    ).one()
    return {"leads": leads, "converted": converted, "rate": ratio(converted, leads)}


def forecast(user: User, args: dict) -> list[dict]:
    """By month and currency: open deals expected to close (amount, and
    weighted by the stage's win probability) and deals won (by close month).
    One grouped scan: an open deal is grouped by its expected month, a won
    one by its close month (or the cells, as the funnel)."""
    report_settings()
    stages = db.session.execute(select(Stage.id, Stage.outcome, Stage.probability)).all()
    probability = {s.id: s.probability for s in stages if s.outcome == "open"}
    won_ids = [s.id for s in stages if s.outcome == "won"]
    sums: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0)])

    def add(stage_id, year, month, currency, n, amount):
        month_sums = sums[(year, month, currency)]
        month_sums[0] += n
        if stage_id in probability:
            month_sums[1] += amount
            month_sums[2] += amount * probability[stage_id] / 100
        else:
            month_sums[3] += amount

    _forecast_rows(user, args, list(probability), won_ids, add)
    return [
        {
            "month": f"{year:04d}-{month:02d}",
            "currency": currency,
            "open_amount": money(open_amount),
            "weighted_amount": money(weighted),
            "won_amount": money(won),
        }
        for (year, month, currency), (n, open_amount, weighted, won) in sorted(sums.items())
        if n
    ]


def _forecast_rows(user: User, args: dict, open_ids: list[int], won_ids: list[int], add) -> None:
    """Feed the forecast's sums (see ``_read``)."""
    when = case((Deal.stage_id.in_(open_ids), Deal.expected_close), else_=Deal.closed_at)
    keys = (Deal.stage_id, extract("year", when), extract("month", when), Deal.currency)
    measures = (func.count(), func.sum(Deal.amount))

    def from_deals(query: Select, sign: int) -> None:
        for stage_id, year, month, currency, n, amount in db.session.execute(
            query.where(Deal.stage_id.in_(open_ids + won_ids), when.is_not(None)).group_by(*keys)
        ):
            add(stage_id, int(year), int(month), currency, n * sign, decimal(amount) * sign)

    def from_cells(months: tuple) -> None:
        cell = ReportCell
        cell_keys = (cell.stage_id, cell.target_month, cell.currency)
        for stage_id, target, currency, n, cents in db.session.execute(
            report_cells.cells(
                "deal", months, args, *cell_keys, *_sums(cell.deals, cell.amount_cents)
            )
            .where(cell.stage_id.in_(open_ids + won_ids), cell.target_month.is_not(None))
            .group_by(*cell_keys)
        ):
            add(stage_id, target.year, target.month, currency, int(n), Decimal(cents) / 100)

    _read(user, args, (*keys, *measures), from_deals, from_cells)


def money(value) -> str:
    """A decimal string with two places, rounded half up (never through a float's repr)."""
    return str(decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))
