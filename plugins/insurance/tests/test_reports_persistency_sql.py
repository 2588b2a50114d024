"""Persistency as one SQL ``GROUP BY`` (``services/reports/persistency``):
the same figures as working it out row by row, for every grouping, user
and currency filter, on the fixed book of ``report_fixtures`` (hand
figures there); a cohort's date reached on the clamped month end; by agent
by hand."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from importlib import import_module

import pytest
from sqlalchemy import select

from core.api import add_months, db
from plugins.insurance.models import Policy
from plugins.insurance.services.access import visible_policies
from plugins.insurance.services.reports.period import (
    Period,
    group_key,
    labels,
    month_of,
    ratio,
    sort_rows,
)
from plugins.insurance.services.reports.persistency import persistency, reached_by

from .factories import make_policy
from .report_fixtures import by, d, fixed_book  # noqa: F401

#: the module (the package's ``persistency`` is the function)
persistency_module = import_module("plugins.insurance.services.reports.persistency")

# --- persistency in SQL -----------------------------------------------------------


def test_reached_by_is_the_last_inception_day_reaching_the_date():
    """``inception ≤ reached_by(now, n)`` ⇔ ``add_months(inception, n) ≤ now``,
    month ends included (31 Jan + 13 months is 28/29 Feb)."""
    assert reached_by(date(2025, 2, 28), 13) == date(2024, 1, 31)
    assert reached_by(date(2025, 2, 27), 13) == date(2024, 1, 27)
    assert reached_by(date(2026, 2, 28), 25) == date(2024, 1, 31)
    now = date(2025, 1, 1)
    while now < date(2026, 4, 1):
        for n in (13, 25):
            last = reached_by(now, n)
            assert add_months(last, n) <= now < add_months(last + timedelta(days=1), n)
        now += timedelta(days=1)


def _by_rows(user, period: Period, group_by: str, currency=None) -> dict:
    """Persistency worked out row by row in Python, as plan §3.8 words it."""
    query = visible_policies(user, select(Policy)).where(
        Policy.term_no == 1,
        Policy.issued_on.is_not(None),
        Policy.inception_on >= period.first,
        Policy.inception_on <= period.last,
        Policy.deleted_at.is_(None),
    )
    if currency:
        query = query.where(Policy.currency == currency)
    now = persistency_module.today()
    found: dict = {}
    for p in db.session.scalars(query):
        if p.cancelled_on and p.cooling_off_ends_on and p.cancelled_on <= p.cooling_off_ends_on:
            continue
        key = group_key(
            group_by, month_of(p.inception_on), p.carrier_id, p.product_id, p.line, p.agent_id
        )
        row = found.setdefault((key, p.currency), {"group": key, "currency": p.currency})
        for n, kept in ((13, p.p13), (25, p.p25)):
            for m in ("count", "kept", "pending"):
                row.setdefault(f"p{n}_{m}", 0)
            for m in ("ape", "kept_ape"):
                row.setdefault(f"p{n}_{m}", Decimal("0.00"))
            if add_months(p.inception_on, n) > now:
                continue
            if kept is None:
                row[f"p{n}_pending"] += 1
                continue
            row[f"p{n}_count"] += 1
            row[f"p{n}_ape"] += p.annual_premium
            row[f"p{n}_kept"] += int(kept)
            row[f"p{n}_kept_ape"] += p.annual_premium if kept else 0
    names = labels(group_by, {k for k, _c in found})
    for row in found.values():
        row["label"] = names[row["group"]]
        for n in (13, 25):
            row[f"p{n}_rate"] = ratio(row[f"p{n}_kept_ape"], row[f"p{n}_ape"])
            row[f"p{n}_count_rate"] = ratio(row[f"p{n}_kept"], row[f"p{n}_count"])
    return {"rows": sort_rows(list(found.values()), group_by)}


@pytest.mark.parametrize("group_by", ["month", "carrier", "product", "line", "agent"])
def test_persistency_in_sql_equals_the_row_by_row_figures(fixed_book, group_by):
    book = fixed_book
    unmarked = make_policy(
        db.session.get(Policy, book.p[1].id).customer,
        book.ann,
        "P13",
        d("2024-02-10"),
        d("2025-02-09"),
        "1000.00",
        issued_on=d("2024-02-10"),
        team_id=book.ann.team_id,
    )  # reached both dates, not marked yet: pending
    db.session.commit()
    assert unmarked.p13 is None
    period = Period(d("2023-01-01"), d("2024-12-31"))
    for user in (book.admin, book.meg, book.ann, book.bob):
        for currency in (None, "CNY", "USD"):
            sql = persistency(user, period, group_by, currency)
            assert sql["rows"] == _by_rows(user, period, group_by, currency)["rows"]
    rows = by(persistency(book.ann, period, "month")["rows"], "group", "currency")
    february = rows[("2024-02", "CNY")]
    assert (february["p13_pending"], february["p25_count"]) == (1, 2)


def test_persistency_by_agent_by_hand(fixed_book):
    """Admin, by agent: Ann CNY P1, P2, P10 (P8 left out) — 13 months kept
    P10 3660 of 11346; Bob CNY P9 3650, not kept (expired, not renewed)."""
    period = Period(d("2024-01-01"), d("2024-03-31"))
    rows = by(persistency(fixed_book.admin, period, "agent")["rows"], "label", "currency")
    ann, bob = rows[("Ann Agent", "CNY")], rows[("Bob Agent", "CNY")]
    assert (ann["p13_count"], ann["p13_kept"], ann["p13_ape"], ann["p13_kept_ape"]) == (
        3,
        1,
        Decimal("11346.00"),
        Decimal("3660.00"),
    )
    assert (bob["p13_count"], bob["p13_kept"], bob["p13_ape"], bob["p13_rate"]) == (
        1,
        0,
        Decimal("3650.00"),
        Decimal("0.0000"),
    )
    assert rows[("Ann Agent", "USD")]["p25_rate"] == Decimal("1.0000")


def test_persistency_counts_a_month_end_inception_on_the_clamped_day(fixed_book, monkeypatch):
    """A term-1 policy from 31 January 2024 reaches 13 months on 28 February
    2025 (not on 3 March): counted that day, not the day before."""
    book = fixed_book
    make_policy(
        db.session.get(Policy, book.p[1].id).customer,
        book.ann,
        "P31",
        d("2024-01-31"),
        d("2025-01-30"),
        "2000.00",
        issued_on=d("2024-01-31"),
        team_id=book.ann.team_id,
        p13=True,
    )
    db.session.commit()
    period = Period(d("2024-01-01"), d("2024-01-31"))
    for on, count, ape in (("2025-02-28", 2, "5660.00"), ("2025-02-27", 1, "3660.00")):
        monkeypatch.setattr(persistency_module, "today", lambda on=on: d(on))
        cny = by(persistency(book.ann, period)["rows"], "currency")["CNY"]
        # P1 (3660, from 1 January: reached 1 February 2025) and P31
        assert (cny["p13_count"], cny["p13_ape"]) == (count, Decimal(ape)), on
