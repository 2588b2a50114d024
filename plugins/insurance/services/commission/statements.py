"""Carrier statements (保险公司佣金结算单) and their reconciliation (对账).

A carrier sends, each month, a CSV of the commission it pays the agency:
one row per policy transaction, with at least the policy number and the
amount (signed: a cancellation's row is negative). The columns (the
carrier's ``statement_columns`` may rename the headers it writes):
``policy_number``*, ``term_no``, ``transaction_type`` (new, renewal,
endorsement, cancellation, reinstatement), ``effective_date``
(YYYY-MM-DD), ``premium``, ``commission_rate`` (a percent: 25 is 25 %),
``commission_amount``*, ``insured_name``, ``producer_code``.

Every row is read before any is stored: a bad row makes the whole file a
422 listing each bad row by its line (``{"rows": {"7":
{"commission_amount": [...]}}}``) and nothing is kept. The same file
(its SHA-256) twice for one carrier is a 409.

Matching, per policy (and term, when the row names it) within the month:
received = Σ the amounts of its rows; expected = Σ ``expected`` of that
policy's commission lines of this carrier and month not matched before.
|received − expected| ≤ 0.01 → ``matched`` (the lines are marked with the
statement line, so a later statement cannot match them again); otherwise
``variance`` (received − expected, signed); no policy of this carrier with
that number → ``unknown``. The group's expected and variance are kept on
its first row; every row of the group carries its status."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, post_load, validate
from sqlalchemy import Select, func, select

from core.api import (
    TakenError,
    User,
    ValidationError,
    audit,
    csv_rows,
    db,
    instance_currency,
    sees_all,
    snapshot,
    transaction,
    translator,
)

from ...models import CarrierStatement, CarrierStatementLine, CommissionLine, Policy
from ..access import visible_policies
from ..terms import ZERO, half_up

_, _l = translator("insurance")

#: the carrier's transaction types a statement row may name
TRANSACTION_TYPES = ("new", "renewal", "endorsement", "cancellation", "reinstatement")
#: how far received may be from expected and still match
TOLERANCE = Decimal("0.01")
MAX_ROWS = 20_000


class StatementRow(Schema):
    """One row of a carrier statement CSV."""

    policy_number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    term_no = fields.Integer(validate=validate.Range(1, 999))
    transaction_type = fields.String(validate=validate.OneOf(TRANSACTION_TYPES))
    effective_date = fields.Date()
    premium = fields.Decimal(validate=validate.Range(-(10**12), 10**12))
    commission_rate = fields.Decimal(
        validate=validate.Range(0, 100), metadata={"description": "percent"}
    )
    commission_amount = fields.Decimal(required=True, validate=validate.Range(-(10**12), 10**12))
    insured_name = fields.String(validate=validate.Length(max=200))
    producer_code = fields.String(validate=validate.Length(max=40))

    @post_load
    def tidy(self, data: dict, **kwargs) -> dict:
        data["policy_number"] = data["policy_number"].strip()
        for name in ("premium", "commission_amount"):
            if data.get(name) is not None:
                data[name] = half_up(data[name])
        if data.get("commission_rate") is not None:  # a percent on the file, a fraction here
            data["commission_rate"] = (data["commission_rate"] / 100).quantize(Decimal("0.0001"))
        return data


def month_start(value: date) -> date:
    return value.replace(day=1)


def statements_query(carrier_id: int | None = None, month: date | None = None) -> Select:
    query = select(CarrierStatement)
    if carrier_id:
        query = query.where(CarrierStatement.carrier_id == carrier_id)
    if month:
        query = query.where(CarrierStatement.month == month_start(month))
    return query


def statement_lines(
    statement_id: int, status: str | None = None, user: User | None = None
) -> list[CarrierStatementLine]:
    """The rows of a statement in file order (of one ``status`` when given).
    For a ``user`` who does not see every policy, the rows of policies out
    of their scope are left out (the statement's totals stay whole)."""
    query = select(CarrierStatementLine).where(CarrierStatementLine.statement_id == statement_id)
    if user is not None and not sees_all(user):
        query = query.where(
            CarrierStatementLine.policy_id.is_(None)
            | CarrierStatementLine.policy_id.in_(visible_policies(user, select(Policy.id)))
        )
    if status:
        query = query.where(CarrierStatementLine.status == status)
    return list(db.session.scalars(query.order_by(CarrierStatementLine.row_no)))


def import_statement(
    carrier_id: int, month: date, filename: str, data: bytes, actor: User | None
) -> CarrierStatement:
    """Read, check and reconcile a carrier's statement CSV for ``month``, in
    one transaction; a bad file or row stores nothing."""
    from ..catalogue import live_carrier

    carrier = live_carrier(carrier_id)
    if carrier is None:
        raise ValidationError({"carrier_id": [_("no carrier with this id")]})
    sha = hashlib.sha256(data).hexdigest()
    if db.session.scalar(
        select(CarrierStatement.id).where(
            CarrierStatement.carrier_id == carrier.id, CarrierStatement.sha256 == sha
        )
    ):
        raise TakenError({"file": [_("this file was imported for this carrier already")]})
    aliases = {str(k).strip(): str(v) for k, v in (carrier.statement_columns or {}).items()}
    # a carrier's export carries columns of its own: those we do not read are left out
    rows = csv_rows(data, StatementRow(), aliases=aliases, max_rows=MAX_ROWS, other_columns=True)
    if not rows:
        raise ValidationError({"file": [_("the file holds no rows")]})
    month = month_start(month)
    with transaction():
        statement = CarrierStatement(
            carrier_id=carrier.id,
            month=month,
            filename=(filename or "statement.csv")[:200],
            sha256=sha,
            imported_by_id=actor.id if actor is not None else None,
            rows=len(rows),
            currency=instance_currency(),
            received_total=ZERO,
            expected_total=ZERO,
        )
        db.session.add(statement)
        db.session.flush()
        _reconcile(statement, rows)
        audit(actor, statement, "create", None, snapshot(statement))
    return statement


def _reconcile(statement: CarrierStatement, rows: list[dict]) -> None:
    """Store the rows and match them, group by group (policy number and term)."""
    groups: dict[tuple[str, int | None], list[tuple[int, dict]]] = defaultdict(list)
    for row_no, row in enumerate(rows, start=1):
        groups[(row["policy_number"], row.get("term_no"))].append((row_no, row))
    received_total = expected_total = ZERO
    matched = unmatched = 0
    currency = None
    for (number, term_no), members in groups.items():
        policy_ids, policy_currency = _policies(statement.carrier_id, number, term_no)
        currency = currency or policy_currency
        received = sum((row["commission_amount"] for _n, row in members), ZERO)
        received_total += received
        expected: Decimal | None = None
        lines: list[CommissionLine] = []
        if not policy_ids:
            status = "unknown"
        else:
            lines = list(
                db.session.scalars(
                    select(CommissionLine).where(
                        CommissionLine.carrier_id == statement.carrier_id,
                        CommissionLine.month == statement.month,
                        CommissionLine.policy_id.in_(policy_ids),
                        CommissionLine.statement_line_id.is_(None),
                    )
                )
            )
            expected = sum((line.expected for line in lines), ZERO)
            expected_total += expected
            status = "matched" if abs(received - expected) <= TOLERANCE else "variance"
        stored = []
        for position, (row_no, row) in enumerate(members):
            first = position == 0
            stored.append(
                CarrierStatementLine(
                    statement_id=statement.id,
                    row_no=row_no,
                    policy_number=number,
                    policy_id=policy_ids[0] if len(policy_ids) == 1 else None,
                    term_no=term_no,
                    transaction_type=row.get("transaction_type"),
                    effective_on=row.get("effective_date"),
                    premium=row.get("premium"),
                    rate=row.get("commission_rate"),
                    amount=row["commission_amount"],
                    status=status,
                    expected=expected if first else None,
                    variance=(received - expected) if first and expected is not None else None,
                )
            )
        db.session.add_all(stored)
        db.session.flush()
        if status == "matched":
            for line in lines:
                line.statement_line_id = stored[0].id
            matched += len(members)
        else:
            unmatched += len(members)
    statement.received_total = received_total
    statement.expected_total = expected_total
    statement.matched, statement.unmatched = matched, unmatched
    statement.currency = currency or statement.currency
    db.session.flush()


def _policies(carrier_id: int, number: str, term_no: int | None) -> tuple[list[int], str | None]:
    """The ids of the carrier's issued terms numbered ``number`` (the one
    term ``term_no`` when given) and their currency."""
    query = select(Policy.id, Policy.currency).where(
        Policy.carrier_id == carrier_id, Policy.number == number, Policy.deleted_at.is_(None)
    )
    if term_no is not None:
        query = query.where(Policy.term_no == term_no)
    found = db.session.execute(query.order_by(Policy.term_no)).all()
    return [row.id for row in found], (found[0].currency if found else None)


def variance_of(statement: CarrierStatement) -> Decimal:
    """Received − expected over the whole statement (unknown rows included)."""
    return statement.received_total - statement.expected_total


def month_totals(first: date, last: date, currency: str | None = None) -> list[dict]:
    """The statements of the months [``first``, ``last``] added up per
    carrier, month and currency: how many, received, expected, variance
    (received − expected, as :func:`variance_of`), rows matched and not (the
    commission variance report)."""
    S = CarrierStatement
    query = select(
        S.carrier_id,
        S.month,
        S.currency,
        func.count(),
        func.sum(S.received_total),
        func.sum(S.expected_total),
        func.sum(S.matched),
        func.sum(S.unmatched),
    ).where(S.month >= month_start(first), S.month <= last)
    if currency:
        query = query.where(S.currency == currency)
    found = []
    for carrier_id, month, cur, count, received, expected, matched, unmatched in db.session.execute(
        query.group_by(S.carrier_id, S.month, S.currency)
    ):
        received, expected = half_up(str(received or 0)), half_up(str(expected or 0))
        found.append(
            {
                "carrier_id": carrier_id,
                "month": month,
                "currency": cur,
                "statements": count,
                "received": received,
                "expected": expected,
                "variance": received - expected,
                "matched": int(matched or 0),
                "unmatched": int(unmatched or 0),
            }
        )
    return found


def status_counts(statement_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(CarrierStatementLine.status, func.count())
        .where(CarrierStatementLine.statement_id == statement_id)
        .group_by(CarrierStatementLine.status)
    ).all()
    return {status: count for status, count in rows}
