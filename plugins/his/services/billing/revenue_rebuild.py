"""The revenue cells added up again from scratch, set-based (``INSERT …
SELECT``, fast at millions of charge lines): after a load that wrote
charges, payments and refunds with plain SQL (the hospital benchmark), when
the migration that made the cells ran over an existing database, after the
instance's time zone changed (the cells' days are local days), or to check
the cells kept by ``revenue_cells``.

Every cell is deleted and written anew from the paid charges, the tenders
and the refunds paid out. A row written without the copies the services
keep (before them, or by a bulk load) is read through its links: a charge's
department through its visit, else its registration; a payment's key of
departments from its charges. The copies are not written back: on
PostgreSQL an ``UPDATE`` of every charge line rewrites each of the table's
indexes (30 s at 400,000 lines, the benchmark's small size), and the
services read a missing copy the same way (``revenue_cells``).

The local day of an instant: PostgreSQL converts it with the zone's rules;
SQLite has no time zones, so the conversion is a Python function on the
connection (exact, summer time included)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from core.api import db, instance_timezone

#: a charge's department: its copy, else (a line written before the copy)
#: its visit's, else its registration's; 0 for none
DEPARTMENT = "COALESCE(c.department_id, v.department_id, b.department_id, 0)"
LINKS = """LEFT JOIN his_visit v ON v.id = c.visit_id
    LEFT JOIN his_booking b ON b.id = c.booking_id"""
#: the departments of each payment written without its key, in order, as
#: ``revenue_cells.departments_key`` writes them
KEYS = {
    "postgresql": """SELECT payment_id, ',' || string_agg(d::text, ',' ORDER BY d) || ',' AS k
    FROM (SELECT DISTINCT c.payment_id, {department} AS d
        FROM his_charge c JOIN his_payment kp ON kp.id = c.payment_id {links}
        WHERE kp.departments IS NULL) AS found GROUP BY payment_id""",
    "sqlite": """SELECT payment_id, ',' || group_concat(d, ',') || ',' AS k
    FROM (SELECT DISTINCT c.payment_id, {department} AS d
        FROM his_charge c JOIN his_payment kp ON kp.id = c.payment_id {links}
        WHERE kp.departments IS NULL ORDER BY c.payment_id, d) GROUP BY payment_id""",
}
CATEGORY_CELLS = """
INSERT INTO his_revenue_cell (day, department_id, category, currency,
    charged_cents, charged_lines, refunded_cents, refunded_lines)
SELECT day, department_id, category, currency,
    SUM(charged_cents), SUM(charged_lines), SUM(refunded_cents), SUM(refunded_lines)
FROM (
    SELECT {paid_day} AS day, {department} AS department_id, c.category,
        c.currency, {charge_cents} AS charged_cents, 1 AS charged_lines,
        0 AS refunded_cents, 0 AS refunded_lines
    FROM his_charge c JOIN his_payment p ON p.id = c.payment_id {links}
    WHERE c.status IN ('paid', 'refunded')
    UNION ALL
    SELECT {refund_day}, {department}, c.category, c.currency, 0, 0, {charge_cents}, 1
    FROM his_charge c JOIN his_refund r ON r.id = c.refund_id {links}
    WHERE r.status = 'refunded'
) AS lines
GROUP BY day, department_id, category, currency
"""
METHOD_CELLS = """
WITH keyed AS ({keys})
INSERT INTO his_revenue_method_cell (day, departments, method, currency,
    taken_cents, tenders, refunded_cents, refunds, untied_cents, untied_refunds)
SELECT day, departments, method, currency, SUM(taken_cents), SUM(tenders),
    SUM(refunded_cents), SUM(refunds), SUM(untied_cents), SUM(untied_refunds)
FROM (
    SELECT {paid_day} AS day, {key} AS departments, t.method, p.currency,
        {tender_cents} AS taken_cents, 1 AS tenders, 0 AS refunded_cents, 0 AS refunds,
        0 AS untied_cents, 0 AS untied_refunds
    FROM his_payment_tender t JOIN his_payment p ON p.id = t.payment_id
    LEFT JOIN keyed k ON k.payment_id = p.id
    UNION ALL
    SELECT {refund_day}, {key}, r.method, r.currency, 0, 0, {refund_cents}, 1,
        CASE WHEN u.id IS NULL THEN {refund_cents} ELSE 0 END,
        CASE WHEN u.id IS NULL THEN 1 ELSE 0 END
    FROM his_refund r JOIN his_payment p ON p.id = r.payment_id
    LEFT JOIN keyed k ON k.payment_id = p.id
    LEFT JOIN (SELECT DISTINCT refund_id AS id FROM his_charge WHERE refund_id IS NOT NULL) u
        ON u.id = r.id
    WHERE r.status = 'refunded'
) AS money
GROUP BY day, departments, method, currency
"""


def _cents(column: str) -> str:
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def _local_day(connection: Any, zone: str):
    """SQL for the local day of a column, the SQLite function registered."""
    if connection.dialect.name == "postgresql":
        return lambda column: f"date(timezone('{zone}', {column}))"
    tz = ZoneInfo(zone)

    @lru_cache(maxsize=65_536)
    def day_of(minute: str) -> str:
        moment = datetime.fromisoformat(minute).replace(tzinfo=UTC)
        return moment.astimezone(tz).date().isoformat()

    def local_day(stored: str | None) -> str | None:
        return None if stored is None else day_of(stored[:16])

    raw = connection.connection.driver_connection
    raw.create_function("his_local_day", 1, local_day, deterministic=True)
    return lambda column: f"his_local_day({column})"


def rebuild_revenue_cells(connection: Any = None, zone: str | None = None) -> int:
    """Write every revenue cell anew, on ``connection`` (default: the
    session's, in its transaction — the caller commits); returns the number
    of cells."""
    connection = connection if connection is not None else db.session.connection()
    if zone is None:
        zone = instance_timezone()
    ZoneInfo(zone)  # a known zone, before it is spliced into SQL
    day = _local_day(connection, zone)
    connection.execute(text("DELETE FROM his_revenue_cell"))
    connection.execute(text("DELETE FROM his_revenue_method_cell"))
    parts = {
        "department": DEPARTMENT,
        "links": LINKS,
        "keys": KEYS[connection.dialect.name].format(department=DEPARTMENT, links=LINKS),
        "key": "COALESCE(p.departments, k.k, ',0,')",
        "paid_day": day("p.paid_at"),
        "refund_day": day("r.refunded_at"),
        "charge_cents": _cents("c.amount"),
        "tender_cents": _cents("t.amount"),
        "refund_cents": _cents("r.amount"),
    }
    connection.execute(text(CATEGORY_CELLS.format(**parts)))
    connection.execute(text(METHOD_CELLS.format(**parts)))
    count = connection.execute(
        text(
            "SELECT (SELECT COUNT(*) FROM his_revenue_cell)"
            " + (SELECT COUNT(*) FROM his_revenue_method_cell)"
        )
    ).scalar()
    return int(count or 0)
