"""What every report shares: the period (whole months ``[from, to]``), the
grouping of its rows (by month, carrier, product, line or agent), the
names of the groups, and the small arithmetic of shares.

A row's group key is a string: ``"2026-03"`` for a month, the id for a
carrier, product or agent (``""`` when a policy has no agent), the code for
a line. :func:`labels` names them for the reader."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.api import User, add_months, db, instance_timezone, translator

from ...models import Carrier, InsuranceProduct
from ..terms import today

_, _l = translator("insurance")

#: what a report's rows may be grouped by
GROUPS = ("month", "carrier", "product", "line", "agent")

#: the longest period a report covers (five years of months)
MAX_MONTHS = 60


def month_of(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_end(first: date) -> date:
    """The last day of the month that starts on ``first``."""
    return add_months(first, 1) - timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """Whole months: ``first`` the 1st of the first month, ``last`` the last
    day of the last one."""

    first: date
    last: date

    @classmethod
    def of_months(cls, start: date, end: date) -> Period:
        return cls(month_of(start), month_end(month_of(end)))

    def months(self) -> list[date]:
        """The first day of each month of the period, in order."""
        found, month = [], self.first
        while month <= self.last:
            found.append(month)
            month = add_months(month, 1)
        return found

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """The period as UTC instants ``[start, stop)`` of the instance's days
        (for columns that hold an instant: quoted_at, reported_at)."""
        zone = ZoneInfo(instance_timezone())
        start = datetime.combine(self.first, time(), zone)
        stop = datetime.combine(self.last + timedelta(days=1), time(), zone)
        return start.astimezone(ZoneInfo("UTC")), stop.astimezone(ZoneInfo("UTC"))


def default_period() -> Period:
    """The twelve months up to and including this one."""
    this = month_of(today())
    return Period.of_months(add_months(this, -11), this)


def zone() -> ZoneInfo:
    """The instance's time zone (read it once per report, not per row)."""
    return ZoneInfo(instance_timezone())


def local_day(instant: datetime | None, where: ZoneInfo | None = None) -> date | None:
    """The instance's calendar day of a UTC instant (``where``: :func:`zone`)."""
    if instant is None:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(where or zone()).date()


def group_key(group_by: str, month: date, carrier_id, product_id, line, agent_id) -> str:
    """The key of a record's group under ``group_by``."""
    if group_by == "month":
        return month_key(month)
    value = {"carrier": carrier_id, "product": product_id, "line": line, "agent": agent_id}[
        group_by
    ]
    return "" if value is None else str(value)


def line_names() -> dict[str, str]:
    """Each line of business (险种) as the reader's language names it."""
    return {
        "life": _("Life"),
        "health": _("Health"),
        "accident": _("Accident"),
        "motor": _("Motor"),
        "property": _("Property"),
    }


def labels(group_by: str, keys: Iterable[str]) -> dict[str, str]:
    """The reader's name of each group key."""
    keys = list(keys)
    if group_by == "month":
        return {k: k for k in keys}
    if group_by == "line":
        names = line_names()
        return {k: names.get(k, k) for k in keys}
    ids = [int(k) for k in keys if k]
    model, column = {
        "carrier": (Carrier, Carrier.name),
        "product": (InsuranceProduct, InsuranceProduct.name),
        "agent": (User, User.name),
    }[group_by]
    found = dict(db.session.execute(select(model.id, column).where(model.id.in_(ids))).all())
    return {k: (found.get(int(k), k) if k else _("No agent")) for k in keys}


def ratio(part, whole, places: str = "0.0001") -> Decimal | None:
    """``part / whole`` half-up to ``places`` (a fraction: 0.2500 = 25 %);
    ``None`` when ``whole`` is 0 (the page writes "—")."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def sort_rows(rows: list[dict], group_by: str) -> list[dict]:
    """Months in order; other groups by name; then by currency."""
    if group_by == "month":
        return sorted(rows, key=lambda r: (r["group"], r.get("currency") or ""))
    return sorted(rows, key=lambda r: (str(r["label"]).lower(), r.get("currency") or ""))
