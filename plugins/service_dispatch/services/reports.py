"""Service reports (服务报表): SLA compliance, first-time-fix rate, mean time
to respond and to resolve, engineer utilisation, repeat visits per product,
satisfaction, and the overdue and about-to-breach orders — the figures of
``/api/v1/service/reports/sla`` and of the page ``/service/reports``.

Definitions (every figure over the orders the user may see —
``access.visible_orders`` — narrowed by engineer, team, category, priority):

- *the period* is ``from``…``to`` (whole UTC days, both included; default:
  the last 30 days, at most 366). The figures count the orders **opened**
  in it, except utilisation (on-site time **in** it).
- *response* is the first engineer's accept (``responded_at``, kept through
  reassignments and reopens), due by
  ``respond_by``; *resolution* is completion (``completed_at`` of an order
  now completed or closed), due by ``resolve_by``. An order with a deadline
  is *met* if done by it, *breached* if done later — or not done and the
  deadline has passed (cancelled orders excepted); otherwise it is still
  pending and left out. Compliance = met / (met + breached).
- mean time to respond / resolve: wall-clock hours from opening to accept /
  completion (business hours would need the calendar walked per order in
  Python, which a 500,000-order report cannot afford).
- a *repeat visit* is an order whose serial number had another order
  completed in the 30 days before it was opened — decided when it is opened
  (``WorkOrder.repeat_of_id``, ``orders.repeat_of``); *first-time fix*
  rate = resolved orders never reopened (``reopen_count``, kept by the
  lifecycle) and not repeat visits / resolved orders.
- *utilisation* of an engineer = hours on site (check-in → check-out, or the
  reported labour minutes when a stamp is missing) of the visits that
  checked in during the period / (8 hours × Monday–Friday days in it).
- *satisfaction*: the revisit scores of the period's orders; *low* is 1 or 2.

Everything is counted in SQL by grouped scans whose result size depends on
the number of products, statuses, engineers and scores, never on orders;
each scan reads only the period's orders (indexes on ``created_at`` and
``checked_in_at``), no joins or subqueries per order. For someone who sees
every order and chose no engineer, team, category or priority, the orders
are read from the report cells (``report_cells``: added up in advance, per
day) instead, with the period's pending orders and the orders of customers
in the recycle bin read beside them: the same figures, whatever the period.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError
from sqlalchemy import and_, case, extract, func, or_, select

from core.api import User, db, translator, utcnow

from ..models import CLOSED, PRIORITIES, Revisit, WorkOrder
from . import report_cells
from .access import filtered_orders
from .watchlist import sla_state as sla_state
from .watchlist import watchlist

_, _l = translator("service_dispatch")
ID = validate.Range(1, 2**31 - 1)
DEFAULT_DAYS, MAX_DAYS = 30, 366
HOURS_PER_DAY = 8
LOW_SCORE = 2
RESOLVED = ("completed", "closed")


#: the days a report may start or end on (date arithmetic far out overflows)
YEARS = validate.Range(date(2000, 1, 1), date(2100, 12, 31))


class ReportArgs(Schema):
    start = fields.Date(
        data_key="from",
        validate=YEARS,
        metadata={"description": "first day of the period (UTC); default: 29 days before `to`"},
    )
    end = fields.Date(
        data_key="to",
        validate=YEARS,
        metadata={"description": "last day of the period, included (UTC); default: today"},
    )
    engineer_id = fields.Integer(validate=ID)
    team_id = fields.Integer(validate=ID)
    category = fields.String(validate=validate.Length(min=1, max=60))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    risk_hours = fields.Integer(
        load_default=2,
        validate=validate.Range(1, 168),
        metadata={
            "description": "an open order whose deadline is within this many hours is at risk"
        },
    )

    @validates_schema
    def _period(self, data: dict, **_kwargs) -> None:
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise SchemaError(_("the end cannot be before the start"), "to")
        if start and end and (end - start).days >= MAX_DAYS:
            raise SchemaError(_("the period is at most %(days)d days", days=MAX_DAYS), "to")


def period(args: dict, today: date | None = None) -> tuple[date, date]:
    """The first and last day of the report's period."""
    end = args.get("end") or (
        args["start"] + timedelta(days=DEFAULT_DAYS - 1)
        if args.get("start")
        else today or utcnow().date()
    )
    return args.get("start") or end - timedelta(days=DEFAULT_DAYS - 1), end


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def hours_between(start, end):
    """SQL: hours from ``start`` to ``end`` (fractional), on SQLite and PostgreSQL."""
    if db.engine.dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 24
    return extract("epoch", end - start) / 3600


#: the sums of a (product, status) group, in this order
NAMES = (
    "orders",
    "response_met",
    "response_breached",
    "resolution_met",
    "resolution_breached",
    "responded",
    "respond_hours",
    "resolve_hours",
    "first_fix",
    "repeat",
)
SCORES = tuple(f"score_{n}" for n in range(1, 6))


def _count(*conditions):
    return func.sum(case((and_(*conditions), 1), else_=0))


def figures(now: datetime, scores: bool = False) -> list:
    """The grouped scan's sums over the orders (``NAMES``, and with
    ``scores`` the revisit scores: the query joins ``Revisit`` outer)."""
    resolved = WorkOrder.status.in_(RESOLVED)
    live = WorkOrder.status != "cancelled"
    responded, done = WorkOrder.responded_at, WorkOrder.completed_at
    repeat = WorkOrder.repeat_of_id.is_not(None)
    return [
        func.count(),
        _count(responded <= WorkOrder.respond_by),
        _count(
            WorkOrder.respond_by.is_not(None),
            or_(
                responded > WorkOrder.respond_by,
                and_(responded.is_(None), live, WorkOrder.respond_by < now),
            ),
        ),
        _count(resolved, done <= WorkOrder.resolve_by),
        _count(
            WorkOrder.resolve_by.is_not(None),
            or_(
                and_(resolved, done > WorkOrder.resolve_by),
                and_(~resolved, live, WorkOrder.resolve_by < now),
            ),
        ),
        func.count(responded),
        func.sum(hours_between(WorkOrder.created_at, responded)),
        func.sum(case((resolved, hours_between(WorkOrder.created_at, done)))),
        _count(resolved, WorkOrder.reopen_count == 0, ~repeat),
        _count(repeat),
        *((_count(Revisit.score == n) for n in range(1, 6)) if scores else ()),
    ]


def _grouped(query, now: datetime, lo: datetime, hi: datetime, scores: bool = False):
    """``(product, status, *sums)`` of the orders of ``query`` opened in ``lo``…``hi``."""
    keys = (WorkOrder.product, WorkOrder.status)
    query = query.add_columns(*keys, *figures(now, scores)).select_from(WorkOrder)
    if scores:
        query = query.outerjoin(Revisit, Revisit.work_order_id == WorkOrder.id)
    return db.session.execute(
        query.where(WorkOrder.created_at >= lo, WorkOrder.created_at < hi).group_by(*keys)
    )


MS_PER_HOUR = 3_600_000


def order_groups(user: User | None, args: dict, now: datetime, first: date, last: date) -> dict:
    """``{(product, status): [sums]}`` over the orders the report counts:
    ``NAMES``, and ``SCORES`` too when read from the cells."""
    lo, hi = midnight(first), midnight(last + timedelta(days=1))
    groups: dict = {}

    def add(rows, sign: int = 1, per: tuple = ()) -> None:
        for product, status, *values in rows:
            sums = groups.setdefault((product, status), [0.0] * len(values))
            for i, value in enumerate(values):
                sums[i] += sign * float(value or 0) / (per[i] if i < len(per) else 1)

    if not report_cells.applies(user, args):
        add(_grouped(filtered_orders(user, args, select()), now, lo, hi))
        return groups
    in_ms = (1,) * 6 + (MS_PER_HOUR,) * 2  # the cells hold the durations (NAMES[6:8]) in ms
    add(db.session.execute(report_cells.order_cells(first, last)), per=in_ms)
    pending = report_cells.pending_orders(filtered_orders(user, args, select()))
    add(_grouped(pending, now, lo, hi, scores=True))
    binned = report_cells.binned_orders(report_cells.settled(select()))
    add(_grouped(binned, now, lo, hi, scores=True), sign=-1)
    return groups


def sla_report(user: User | None, args: dict, now: datetime | None = None) -> dict:
    """Every figure of the report (see the module's docstring)."""
    now = now or utcnow()
    first, last = period(args, now.date())
    totals: dict[str, float] = defaultdict(float)
    statuses: dict[str, int] = defaultdict(int)
    products: dict = defaultdict(lambda: [0, 0])
    scores: dict[int, int] | None = None
    for (product, status), values in order_groups(user, args, now, first, last).items():
        row = dict(zip(NAMES, values, strict=False))
        if len(values) > len(NAMES):
            scores = scores or defaultdict(int)
            for score, n in enumerate(values[len(NAMES) :], start=1):
                scores[score] += round(n)
        if not round(row["orders"]):
            continue  # every order of the group was taken off again
        for key, value in row.items():
            totals[key] += value
        statuses[status] += round(row["orders"])
        totals["resolved"] += row["orders"] if status in RESOLVED else 0
        products[product][0] += round(row["orders"])
        products[product][1] += row["repeat"]
    return {
        "from": first,
        "to": last,
        "orders": {
            "total": round(totals["orders"]),
            "by_status": dict(sorted(statuses.items())),
            "open": sum(n for s, n in statuses.items() if s not in CLOSED),
            "resolved": round(totals["resolved"]),
        },
        "response": compliance(totals["response_met"], totals["response_breached"]),
        "resolution": compliance(totals["resolution_met"], totals["resolution_breached"]),
        "first_time_fix_rate": ratio(totals["first_fix"], totals["resolved"]),
        "mean_hours_to_respond": mean(steady(totals["respond_hours"]), totals["responded"]),
        "mean_hours_to_resolve": mean(steady(totals["resolve_hours"]), totals["resolved"]),
        "repeat_visits": sorted(
            (
                {"product": p, "orders": n, "repeat_visits": round(r), "rate": ratio(r, n)}
                for p, (n, r) in products.items()
                if round(r)
            ),
            key=lambda row: (-row["repeat_visits"], row["product"] or ""),
        ),
        "utilisation": utilisation(user, args, first, last),
        "satisfaction": (
            score_figures(scores or {})
            if report_cells.applies(user, args)
            else satisfaction(user, args, midnight(first), midnight(last + timedelta(days=1)))
        ),
        **watchlist(user, args, now),
    }


def steady(hours: float) -> float:
    """A sum of hours to the microhour: the cells' exact milliseconds and the
    database's floating-point sums agree to there, so that a figure rounded
    from it (a mean of 2.28125 h) rounds the same either way."""
    return round(hours, 6)


def compliance(met: float, breached: float) -> dict:
    met, breached = round(met), round(breached)
    return {"met": met, "breached": breached, "rate": ratio(met, met + breached)}


def ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def mean(total: float, n: float) -> float | None:
    return round(total / n, 2) if n else None


def workdays(first: date, last: date) -> int:
    """Monday to Friday days from ``first`` to ``last``, both included."""
    return sum(
        1 for i in range((last - first).days + 1) if (first + timedelta(days=i)).weekday() < 5
    )


def utilisation(user: User | None, args: dict, first: date, last: date) -> list[dict]:
    """Per engineer: on-site hours of the visits checked in during the period
    and their share of the hours available (8 × workdays)."""
    on_site = case(
        (
            WorkOrder.checked_out_at.is_not(None),
            hours_between(WorkOrder.checked_in_at, WorkOrder.checked_out_at),
        ),
        else_=func.coalesce(WorkOrder.labour_minutes, 0) / 60.0,
    )
    visits = (
        select(WorkOrder.engineer_id, func.count(), func.sum(on_site))
        .select_from(WorkOrder)
        .where(
            WorkOrder.engineer_id.is_not(None),
            WorkOrder.checked_in_at >= midnight(first),
            WorkOrder.checked_in_at < midnight(last + timedelta(days=1)),
        )
        .group_by(WorkOrder.engineer_id)
    )
    engineers: dict = defaultdict(lambda: [0, 0.0])
    if report_cells.applies(user, args):
        parts = [
            (1, 1 / MS_PER_HOUR, report_cells.visit_cells(first, last)),
            (-1, 1.0, report_cells.binned_orders(visits)),
        ]
    else:
        parts = [(1, 1.0, filtered_orders(user, args, visits))]
    for sign, per_hour, query in parts:
        for who, n, hours in db.session.execute(query):
            engineers[who][0] += sign * int(n)
            engineers[who][1] += sign * float(hours or 0) * per_hour
    rows = [(who, n, steady(hours)) for who, (n, hours) in engineers.items() if n]
    available = HOURS_PER_DAY * workdays(first, last)
    people = (
        dict(
            db.session.execute(
                select(User.id, User.name).where(User.id.in_([r[0] for r in rows]))
            ).all()
        )
        if rows
        else {}
    )
    return sorted(
        (
            {
                "engineer_id": who,
                "name": people.get(who, ""),
                "visits": visits,
                "hours_on_site": round(hours, 2),
                "available_hours": available,
                "utilisation": ratio(hours, available),
            }
            for who, visits, hours in rows
        ),
        key=lambda r: (r["name"], r["engineer_id"]),
    )


def satisfaction(user: User | None, args: dict, lo: datetime, hi: datetime) -> dict:
    """The revisit scores of the orders opened in the period."""
    return score_figures(
        dict(
            db.session.execute(
                filtered_orders(
                    user, args, select(Revisit.score, func.count()).select_from(WorkOrder)
                )
                .join(Revisit, Revisit.work_order_id == WorkOrder.id)
                .where(WorkOrder.created_at >= lo, WorkOrder.created_at < hi)
                .group_by(Revisit.score)
            ).all()
        )
    )


def score_figures(rows: dict[int, int]) -> dict:
    """Satisfaction from ``{score: how many revisits}``."""
    n = sum(rows.values())
    low = sum(c for s, c in rows.items() if s <= LOW_SCORE)
    return {
        "count": n,
        "average": round(sum(s * c for s, c in rows.items()) / n, 2) if n else None,
        "low_rate": ratio(low, n),
        "distribution": {str(score): rows.get(score, 0) for score in range(1, 6)},
    }
