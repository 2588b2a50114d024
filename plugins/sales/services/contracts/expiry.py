"""Contracts that come to an end: a reminder to the owner N days before a
contract ends (a rule of core's follow-up engine, ``sales_contract_expiring``,
so the plugin needs no scheduler of its own), and the renewal (续约) deal
opened from an expiring or completed contract.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.api import DueTask, User, db, instance_timezone, refuse, translator, whole_days

from ...models import Contract, Deal
from ..deals import create_deal
from ..pipelines import pipelines

_, _l = translator("sales")

RULE = "sales_contract_expiring"
DEFAULT_DAYS = 30
#: a signed or active contract ending within this many days may be renewed
RENEWABLE_WITHIN_DAYS = 90


def expiring_params(params: dict) -> dict:
    return {"days": whole_days(params, "days", 1, 365, DEFAULT_DAYS)}


def expiring_due(plan, now: datetime) -> Iterator[DueTask]:
    """One task per signed or active contract ending within the plan's days,
    for its owner; the key holds the end date, so running the job again
    creates nothing, and an amendment that moves the end date plans anew."""
    today = now.astimezone(ZoneInfo(instance_timezone())).date()
    query = select(
        Contract.id, Contract.number, Contract.customer_id, Contract.owner_id, Contract.end_date
    ).where(
        Contract.status.in_(("signed", "active")),
        Contract.deleted_at.is_(None),
        Contract.owner_id.is_not(None),
        Contract.end_date >= today,
        Contract.end_date <= today + timedelta(days=plan.params["days"]),
    )
    if plan.team_id:
        query = query.where(Contract.team_id == plan.team_id)
    for contract_id, number, customer_id, owner_id, end in db.session.execute(
        query.order_by(Contract.end_date, Contract.id)
    ):
        yield DueTask(
            key=f"contract:{contract_id}:{end}",
            customer_id=customer_id,
            owner_id=owner_id,
            due_at=now,
            subject=_(
                "Contract %(number)s ends on %(date)s: plan the renewal",
                number=number,
                date=end.isoformat(),
            ),
            link_type="sales_contract",
            link_id=contract_id,
        )


def renewable(contract: Contract, today: date) -> bool:
    """Completed, or signed/active and ending within ``RENEWABLE_WITHIN_DAYS``."""
    if contract.status == "completed":
        return True
    return (
        contract.status in ("signed", "active")
        and contract.end_date is not None
        and contract.end_date <= today + timedelta(days=RENEWABLE_WITHIN_DAYS)
    )


def renew(contract: Contract, actor: User | None, today: date) -> Deal:
    """Open the renewal deal: same customer, contact, owner, amount and
    currency, in the first pipeline, its title naming the contract."""
    if not renewable(contract, today):
        refuse(
            state={
                "status": [
                    _(
                        "only a completed contract, or one ending within %(days)s days, is renewed",
                        days=RENEWABLE_WITHIN_DAYS,
                    )
                ]
            }
        )
    available = pipelines()
    if not available:
        refuse(state={"pipeline_id": [_("create a pipeline first")]})
    title = _("Renewal of %(number)s %(title)s", number=contract.number, title=contract.title)
    return create_deal(
        {
            "title": title[:200],
            "customer_id": contract.customer_id,
            "contact_id": contract.contact_id,
            "pipeline_id": available[0].id,
            "amount": f"{contract.amount:.2f}",
            "currency": contract.currency,
            "owner_id": contract.owner_id,
            "expected_close": contract.end_date.isoformat() if contract.end_date else None,
        },
        actor,
    )
