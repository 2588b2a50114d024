"""Money cells: the payments and contracts added up by month, so that
contracted vs collected (and every "collected" figure) of someone who sees
every record reads some thousand cells instead of hundreds of thousands of
payments. Three kinds of cell (``models.ReportCell``, pipeline and stage 0):

- ``paid`` — the payments that counted (confirmed, or confirmed and
  reversed since), by the month paid (``paid_on``);
- ``reversal`` — the reversed payments, by the UTC month of ``reversed_at``;
- ``signed`` — the signed contracts (``signed_date``), at the amount in force;

each by currency, owner and team: how many (``deals``) and their sum in
cents (``amount_cents``). Soft-deleted rows add nothing; the customers in
the recycle bin are taken off when the cells are read (no customer is kept).

Kept like the deal cells, by the flush hooks of :mod:`.hooks`; a bulk
statement over payments or contracts runs inside ``recounted_money`` (the
status moves of a payment, transfer and purge do; merge changes only
customers, which the cells do not hold). ``keeping.rebuild`` adds them up
again too."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from core.api import db

from ...models import Contract, Payment, ReportCell
from . import hooks
from .keeping import apply, month_of
from .writing import cents

#: a payment that counted once: confirmed, or confirmed and reversed later
COUNTED = ("confirmed", "reversed")
#: the kinds of money cell, by what they add up
KINDS = ("paid", "reversal", "signed")
PAYMENT_COLUMNS = (
    Payment.id,
    Payment.paid_on,
    Payment.status,
    Payment.reversed_at,
    Payment.currency,
    Payment.amount,
    Payment.owner_id,
    Payment.team_id,
    Payment.deleted_at,
)
CONTRACT_COLUMNS = (
    Contract.id,
    Contract.signed_date,
    Contract.currency,
    Contract.amount,
    Contract.owner_id,
    Contract.team_id,
    Contract.deleted_at,
)


def _key(kind: str, month: date | None, currency, owner_id, team_id) -> tuple:
    """A money cell's key in ``keeping.KEYS`` order (no pipeline, stage or reason)."""
    return (kind, month, 0, 0, None, currency, None, None, owner_id, team_id)


def _utc_month(value: datetime | None) -> date | None:
    if value is not None and value.tzinfo is not None:
        value = value.astimezone(UTC)
    return month_of(value)


def payment_contributions(rows: Iterable) -> dict[tuple, list[int]]:
    """``{cell key: [payments, cents, 0, 0]}`` that the payment ``rows``
    (``PAYMENT_COLUMNS``) add up to."""
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for _id, paid_on, status, reversed_at, currency, amount, owner, team, deleted in rows:
        if deleted is not None:
            continue
        found = []
        if status in COUNTED:
            found.append(_key("paid", month_of(paid_on), currency, owner, team))
        if status == "reversed" and reversed_at is not None:
            found.append(_key("reversal", _utc_month(reversed_at), currency, owner, team))
        for key in found:
            cells[key][0] += 1
            cells[key][1] += cents(amount)
    return cells


def contract_contributions(rows: Iterable) -> dict[tuple, list[int]]:
    """``{cell key: [contracts, cents, 0, 0]}`` of the signed contract ``rows``
    (``CONTRACT_COLUMNS``)."""
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for _id, signed, currency, amount, owner, team, deleted in rows:
        if deleted is None and signed is not None:
            cell = cells[_key("signed", month_of(signed), currency, owner, team)]
            cell[0] += 1
            cell[1] += cents(amount)
    return cells


def _mover(contributions):
    def move(before: list, after: list, session: Session) -> None:
        apply(contributions(before), contributions(after), session)

    return move


def _counter(columns: tuple, contributions):
    def counted() -> dict:
        return contributions(
            db.session.execute(select(*columns).execution_options(yield_per=10_000))
        )

    return counted


PAYMENTS = hooks.keep(
    Payment,
    PAYMENT_COLUMNS,
    _mover(payment_contributions),
    _counter(PAYMENT_COLUMNS, payment_contributions),
)
CONTRACTS = hooks.keep(
    Contract,
    CONTRACT_COLUMNS,
    _mover(contract_contributions),
    _counter(CONTRACT_COLUMNS, contract_contributions),
)


@contextmanager
def recounted_money(payments=None, contracts=None):
    """Run a bulk statement over the payments matching ``payments`` and the
    contracts matching ``contracts`` (SQL conditions; None: none of them)
    and move their contributions with them."""
    with ExitStack() as stack:
        for kept, where in ((PAYMENTS, payments), (CONTRACTS, contracts)):
            if where is not None:
                stack.enter_context(hooks.recounted(kept, where))
        yield


def money_cells(kind: str, months: tuple, team_ids, *columns) -> Select:
    """``select(*columns)`` over the money cells of ``kind`` in ``months``
    (first month, month after the last; None for no bound), narrowed to the
    teams ``team_ids`` (None: every team)."""
    query = select(*columns).where(ReportCell.kind == kind, ReportCell.pipeline_id == 0)
    first, last = months
    if first is not None:
        query = query.where(ReportCell.month >= first)
    if last is not None:
        query = query.where(ReportCell.month < last)
    if team_ids is not None:
        query = query.where(ReportCell.team_id.in_(team_ids))
    return query
