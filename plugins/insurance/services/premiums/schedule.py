"""A term's instalment schedule (期缴保费) and what follows from it.

``n`` instalments a year for the frequency (annual 1, semiannual 2,
quarterly 4, monthly 12); a term of ``term_months`` has ``term_months × n /
12`` of them (a whole number, else 422 ``frequency``). Instalment k is due
``k − 1`` periods after the start (the day clamped to the month's end);
each is the term premium divided equally, floored to the cent, the first
taking the remainder. ``paid_to_date`` is the day before the first period
not fully paid; ``next_due_on`` the due date of the oldest open instalment.
An endorsement's premium change is spread over the open instalments due on
or after it takes effect (:func:`respread`)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import select

from core.api import add_months, db, refuse, translator

from ...models import Policy, PremiumInstalment
from ..terms import CENT, ZERO, half_up

_, _l = translator("insurance")

PER_YEAR = {"annual": 1, "semiannual": 2, "quarterly": 4, "monthly": 12}


def instalment_count(term_months: int, frequency: str) -> int:
    """How many instalments a term of ``term_months`` has (422 ``frequency``)."""
    per_year = PER_YEAR.get(frequency)
    if per_year is None or (term_months * per_year) % 12:
        refuse({"frequency": [_("this frequency does not divide the term into whole instalments")]})
    return term_months * per_year // 12


def term_premium(annual_premium: Decimal, term_months: int) -> Decimal:
    """The premium of a term of ``term_months`` at ``annual_premium`` a year."""
    return half_up(Decimal(annual_premium) * term_months / 12)


def period_months(frequency: str) -> int:
    """The months one instalment covers."""
    return 12 // PER_YEAR[frequency]


def split(total: Decimal, count: int) -> list[Decimal]:
    """``total`` in ``count`` parts floored to the cent, the first taking the rest."""
    part = (Decimal(total) / count).quantize(CENT, rounding=ROUND_DOWN)
    return [Decimal(total) - part * (count - 1), *([part] * (count - 1))]


def make_schedule(policy: Policy, term_months: int) -> list[PremiumInstalment]:
    """Write ``policy``'s instalments (at issue) and set its due dates."""
    count = instalment_count(term_months, policy.frequency)
    step = period_months(policy.frequency)
    rows = [
        PremiumInstalment(
            policy_id=policy.id,
            seq=k + 1,
            due_on=add_months(policy.start_date, k * step),
            amount=amount,
            paid=ZERO,
            customer_id=policy.customer_id,
            agent_id=policy.agent_id,
            team_id=policy.team_id,
            currency=policy.currency,
        )
        for k, amount in enumerate(split(policy.term_premium, count))
    ]
    db.session.add_all(rows)
    db.session.flush()
    refresh_dues(policy, rows)
    return rows


def instalments(policy_id: int) -> list[PremiumInstalment]:
    """The term's instalments in order."""
    return list(
        db.session.scalars(
            select(PremiumInstalment)
            .where(PremiumInstalment.policy_id == policy_id)
            .order_by(PremiumInstalment.seq)
        )
    )


def refresh_dues(policy: Policy, rows: list[PremiumInstalment] | None = None) -> None:
    """Set ``paid_to_date`` and ``next_due_on`` from the instalments."""
    rows = instalments(policy.id) if rows is None else sorted(rows, key=lambda r: r.seq)
    step = period_months(policy.frequency)
    paid_periods = 0
    for row in rows:
        if row.settled_on is None or row.paid < row.amount:
            break
        paid_periods += 1
    policy.paid_to_date = (
        add_months(policy.start_date, paid_periods * step) - timedelta(days=1)
        if paid_periods
        else None
    )
    if policy.paid_to_date is not None and policy.paid_to_date > policy.end_date:
        policy.paid_to_date = policy.end_date
    open_rows = [r for r in rows if r.settled_on is None]
    policy.next_due_on = open_rows[0].due_on if open_rows else None


def arrears(policy_id: int, on: date) -> Decimal:
    """What is unpaid of the instalments due on or before ``on``."""
    rows = instalments(policy_id)
    return sum((r.amount - r.paid for r in rows if r.settled_on is None and r.due_on <= on), ZERO)


def respread(policy: Policy, delta: Decimal, effective_on: date) -> Decimal:
    """Spread an endorsement's premium change over the open instalments due
    on or after ``effective_on`` (the first takes the remainder).

    A rise with no such instalment is a new one due on ``effective_on``. A
    cut larger than what those instalments still owe closes them at what
    was paid; the rest is returned as the refund the customer is owed."""
    rows = instalments(policy.id)
    open_rows = [r for r in rows if r.settled_on is None and r.due_on >= effective_on]
    refund = ZERO
    if not open_rows:
        if delta > 0:
            row = PremiumInstalment(
                policy_id=policy.id,
                seq=(rows[-1].seq if rows else 0) + 1,
                due_on=effective_on,
                amount=delta,
                paid=ZERO,
                customer_id=policy.customer_id,
                agent_id=policy.agent_id,
                team_id=policy.team_id,
                currency=policy.currency,
            )
            db.session.add(row)
            rows.append(row)
        elif delta < 0:
            refund = -delta
    else:
        owed = sum((r.amount - r.paid for r in open_rows), ZERO)
        if delta < 0 and -delta > owed:
            refund = -delta - owed
            for row in open_rows:
                row.amount = row.paid
                row.settled_on = effective_on
        else:
            for row, part in zip(open_rows, split(delta, len(open_rows)), strict=True):
                row.amount += part
                if row.amount <= row.paid:
                    refund += row.paid - row.amount
                    row.amount = row.paid
                    row.settled_on = effective_on
    db.session.flush()
    refresh_dues(policy, rows)
    return refund
