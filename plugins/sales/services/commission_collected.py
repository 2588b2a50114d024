"""Commission on collected money (提成 on 回款): the part of a rep's monthly
statement for the rules whose ``basis`` is "collected".

Such a rule's tiers apply to the rep's month of collected money, net: the
confirmed payments of the contracts they own paid (``paid_on``) in the month
— still confirmed, or reversed since — less the payments reversed in the
month (the UTC date of ``reversed_at``), as
:func:`plugins.sales.services.money_reports.collected_money` counts them. A
reversal in a later month is a clawback: it is listed as its own, negative
line in the month of the reversal, and lowers that month's base; the month
the payment came in keeps its figures. Should the reversals outweigh the
month's collections, the base is negative and so is the commission: the
base times the first tier's rate (the tiers' progressive function carried
below 0). Payments are read only through
:func:`plugins.sales.services.access.visible_records`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import joinedload

from core.api import User, db, first_of_next_month

from ..models import Contract, Payment
from .access import visible_records
from .money_reports.common import COUNTED, ZERO, midnight


def month_payments(viewer: User, rep: User, month: str) -> list[dict]:
    """The lines of ``rep``'s collected money in ``month``: each payment paid
    in it (positive) and each reversal in it (negative, a line of its own even
    when the payment was paid in the same month), oldest first."""
    start = date(int(month[:4]), int(month[5:7]), 1)
    end = first_of_next_month(start)
    paid = (Payment.paid_on >= start) & (Payment.paid_on < end)
    undone = (
        (Payment.status == "reversed")
        & (Payment.reversed_at >= midnight(start))
        & (Payment.reversed_at < midnight(end))
    )
    payments = db.session.scalars(
        visible_records(Payment, viewer)
        .where(Payment.owner_id == rep.id, (paid & Payment.status.in_(COUNTED)) | undone)
        .options(joinedload(Payment.contract).joinedload(Contract.customer))
    ).all()
    lines = []
    for p in payments:
        common = {
            "payment_id": p.id,
            "contract_id": p.contract_id,
            "contract": p.contract.number,
            "customer": p.contract.customer.name,
            "currency": p.currency,
            "paid_on": p.paid_on,
            "reversed_on": p.reversed_at.date() if p.reversed_at else None,
        }
        if start <= p.paid_on < end and p.status in COUNTED:
            lines.append({**common, "kind": "collected", "amount": p.amount, "on": p.paid_on})
        if p.status == "reversed" and p.reversed_at and start <= p.reversed_at.date() < end:
            lines.append(
                {**common, "kind": "reversed", "amount": -p.amount, "on": p.reversed_at.date()}
            )
    lines.sort(key=lambda line: (line["on"], line["payment_id"], line["kind"]))
    return lines


def collections(lines: list[dict]) -> dict[str, dict]:
    """Collected, reversed and net per currency of the month's lines."""
    found: dict[str, dict] = {}
    for line in lines:
        row = found.setdefault(
            line["currency"],
            {"currency": line["currency"], "collected": ZERO, "reversed": ZERO, "net": ZERO},
        )
        if line["kind"] == "collected":
            row["collected"] += line["amount"]
        else:
            row["reversed"] -= line["amount"]
        row["net"] += line["amount"]
    return found
