"""The instalment schedule (期缴保费, plan §3.1): how many instalments a
term has, their due dates (the day clamped to the month's end) and amounts
(floored to the cent, the first taking the remainder), the paid-to date and
next due date, and an endorsement's change spread over the open instalments
(a rise, a cut, a cut beyond what is owed: a refund; a rise with nothing
open: a new instalment)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.api import ValidationError, db
from plugins.insurance.services.premiums import schedule

from .factories import make_issued_policy

D = Decimal


@pytest.fixture
def holder(make_user, make_customer):
    agent = make_user(role="insurance_agent", name="Sam Schedule")
    return agent, make_customer(name="Schedule Holder", owner_id=agent.id)


def _term(holder, number, start, frequency, premium="1200.00", months=12):
    agent, customer = holder
    policy = make_issued_policy(
        customer, agent, number, start, term_months=months, frequency=frequency, premium=premium
    )
    db.session.commit()
    return policy


def _rows(policy):
    return [(r.seq, r.due_on, r.amount) for r in schedule.instalments(policy.id)]


@pytest.mark.parametrize(
    ("months", "frequency", "count"),
    [
        (12, "annual", 1),
        (12, "semiannual", 2),
        (12, "quarterly", 4),
        (12, "monthly", 12),
        (6, "quarterly", 2),
        (6, "monthly", 6),
        (24, "annual", 2),
    ],
)
def test_the_count_of_instalments(months, frequency, count):
    assert schedule.instalment_count(months, frequency) == count


@pytest.mark.parametrize(("months", "frequency"), [(6, "annual"), (1, "quarterly"), (12, "weekly")])
def test_a_term_the_frequency_does_not_divide_is_refused(app, months, frequency):
    with pytest.raises(ValidationError) as refused:
        schedule.instalment_count(months, frequency)
    assert "frequency" in refused.value.errors


def test_annual_is_one_instalment_of_the_whole_premium(holder):
    policy = _term(holder, "S-ANNUAL", date(2026, 3, 15), "annual", "1234.56")
    assert _rows(policy) == [(1, date(2026, 3, 15), D("1234.56"))]
    assert policy.next_due_on == date(2026, 3, 15) and policy.paid_to_date is None
    assert policy.end_date == date(2027, 3, 14)


def test_semiannual_is_two_halves_six_months_apart(holder):
    policy = _term(holder, "S-SEMI", date(2026, 1, 1), "semiannual", "1000.01")
    # 1000.01 / 2 = 500.005 → 500.00 each, the first taking the cent left over
    assert _rows(policy) == [(1, date(2026, 1, 1), D("500.01")), (2, date(2026, 7, 1), D("500.00"))]


def test_monthly_from_the_31st_clamps_to_each_months_end_and_the_first_takes_the_rest(holder):
    policy = _term(holder, "S-MONTHLY", date(2026, 1, 31), "monthly", "1000.00")
    rows = _rows(policy)
    assert len(rows) == 12
    # 1000.00 / 12 = 83.333… → 83.33 × 11 = 916.63; the first is 1000.00 − 916.63 = 83.37
    assert [a for _s, _d, a in rows] == [D("83.37")] + [D("83.33")] * 11
    assert sum(a for _s, _d, a in rows) == D("1000.00")
    assert [d for _s, d, _a in rows][:4] == [
        date(2026, 1, 31),
        date(2026, 2, 28),  # 2026 is not a leap year
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert rows[-1][1] == date(2026, 12, 31)


def test_a_six_month_term_paid_quarterly(holder):
    # a year's premium of 1,000.00 for six months is 500.00, in two quarters
    policy = _term(holder, "S-SHORT", date(2026, 8, 31), "quarterly", "1000.00", months=6)
    assert policy.term_premium == D("500.00") and policy.end_date == date(2027, 2, 27)
    assert _rows(policy) == [
        (1, date(2026, 8, 31), D("250.00")),
        (2, date(2026, 11, 30), D("250.00")),
    ]


def test_paid_to_and_next_due_follow_the_settled_instalments(holder):
    policy = _term(holder, "S-DUES", date(2026, 1, 31), "quarterly", "1000.00")
    first, second, third, _fourth = schedule.instalments(policy.id)
    for row in (first, third):  # the third is paid, the second not: paid-to stops at the gap
        row.paid, row.settled_on = row.amount, row.due_on
    schedule.refresh_dues(policy)
    assert policy.paid_to_date == date(2026, 4, 29)  # the day before the second falls due
    assert policy.next_due_on == second.due_on == date(2026, 4, 30)
    second.paid, second.settled_on = second.amount, date(2026, 5, 2)
    schedule.refresh_dues(policy)
    assert policy.paid_to_date == date(2026, 10, 30)
    assert policy.next_due_on == date(2026, 10, 31)


def test_arrears_are_what_is_unpaid_of_what_is_due(holder):
    policy = _term(holder, "S-ARREARS", date(2026, 1, 1), "monthly", "1200.00")
    rows = schedule.instalments(policy.id)
    rows[0].paid, rows[0].settled_on = rows[0].amount, date(2026, 1, 1)
    rows[1].paid = D("40.00")
    assert schedule.arrears(policy.id, date(2026, 3, 1)) == D("160.00")  # 60 + 100
    assert schedule.arrears(policy.id, date(2026, 2, 28)) == D("60.00")


def _paid_first_three(policy):
    rows = schedule.instalments(policy.id)
    for row in rows[:3]:
        row.paid, row.settled_on = row.amount, row.due_on
    schedule.refresh_dues(policy)
    return rows


def test_respread_spreads_a_rise_over_the_open_instalments_from_its_date(holder):
    policy = _term(holder, "S-RISE", date(2026, 1, 1), "monthly", "1200.00")
    _paid_first_three(policy)
    # from 1 May: the open instalments due then or later are May…Dec (8); 100.01 / 8
    # = 12.50125 → 12.50 each, the first 12.51
    refund = schedule.respread(policy, D("100.01"), date(2026, 4, 15))
    assert refund == D("0")
    amounts = [a for _s, _d, a in _rows(policy)]
    assert amounts[:4] == [D("100.00")] * 4  # April is due before the change: untouched
    assert amounts[4:] == [D("112.51")] + [D("112.50")] * 7


def test_respread_takes_a_cut_off_the_open_instalments(holder):
    policy = _term(holder, "S-CUT", date(2026, 1, 1), "monthly", "1200.00")
    _paid_first_three(policy)
    refund = schedule.respread(policy, D("-90.00"), date(2026, 4, 1))
    assert refund == D("0")
    assert [a for _s, _d, a in _rows(policy)][3:] == [D("90.00")] * 9


def test_a_cut_beyond_what_is_owed_closes_the_instalments_and_is_refunded(holder):
    policy = _term(holder, "S-REFUND", date(2026, 1, 1), "quarterly", "1000.00")
    rows = schedule.instalments(policy.id)
    rows[0].paid, rows[0].settled_on = rows[0].amount, rows[0].due_on
    rows[1].paid = D("50.00")
    schedule.refresh_dues(policy)
    # open from 1 April: 200.00 still owed on the second, 250.00 each on the last two
    refund = schedule.respread(policy, D("-800.00"), date(2026, 4, 1))
    assert refund == D("800.00") - D("700.00")
    assert [(r.amount, r.settled_on) for r in schedule.instalments(policy.id)][1:] == [
        (D("50.00"), date(2026, 4, 1)),
        (D("0.00"), date(2026, 4, 1)),
        (D("0.00"), date(2026, 4, 1)),
    ]
    assert policy.next_due_on is None


def test_a_rise_with_nothing_open_is_a_new_instalment_due_on_its_date(holder):
    policy = _term(holder, "S-NEW", date(2026, 1, 1), "annual", "1200.00")
    (only,) = schedule.instalments(policy.id)
    only.paid, only.settled_on = only.amount, date(2026, 1, 1)
    assert schedule.respread(policy, D("60.00"), date(2026, 7, 1)) == D("0")
    assert _rows(policy)[1:] == [(2, date(2026, 7, 1), D("60.00"))]
    assert policy.next_due_on == date(2026, 7, 1)
