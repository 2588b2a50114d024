"""The demo's approval flow for deals, in English or Chinese: a manager
approves every deal above an amount in the demo's currency, and the largest
open deal of a sales rep waits for that approval — so the inbox, the
request's page and a locked deal's page show something."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from core.api import db, save_approval_flow

from ..models import Deal
from ..services.approvals import RECORD, submit_deal

TEXT = {
    "en": {"flow": "Large deals (over $100,000)", "threshold": "100000"},
    "zh_CN": {"flow": "大额商机审批（20 万元以上）", "threshold": "200000"},
}


def load_demo(locale: str, users: list) -> None:
    text = TEXT.get(locale, TEXT["en"])
    if not any(u.is_active and u.role is not None and u.role.name == "manager" for u in users):
        return  # a demo without a manager (a plugin's own small one): nobody could approve
    save_approval_flow(
        {
            "record_type": RECORD,
            "name": text["flow"],
            "condition": {"field": "amount", "op": "gt", "value": text["threshold"]},
            "steps": [{"approver_kind": "role", "role": "manager"}],
        },
        None,
        None,
    )
    reps = {u.id: u for u in users if u.role is not None and u.role.name == "sales"}
    deal = db.session.scalar(
        select(Deal)
        .where(
            Deal.closed_at.is_(None),
            Deal.amount > Decimal(text["threshold"]),
            Deal.owner_id.in_(list(reps)),
        )
        .order_by(Deal.amount.desc(), Deal.id)
        .limit(1)
    )
    if deal is not None:  # the rep submits it; the flow above makes it wait
        submit_deal(deal, reps[deal.owner_id])
