"""Recording consent and asking it: one row per decision, never changed —
the latest per (customer, channel, purpose) is what holds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from core.consents.rules import DEFAULTS, ConsentInput
from core.errors import ValidationError
from core.events import transaction
from core.extensions import db
from core.followups import not_to_contact
from core.i18n import _
from core.models import Customer, CustomerConsent, User, utcnow
from core.services.base import audit, load, snapshot

#: customer ids asked of the database at once (bound parameters stay few)
BATCH = 500


def record_consent(customer: Customer, payload: Any, actor: User | None) -> CustomerConsent:
    """Record ``customer``'s decision (``channel``, ``purpose``, ``status``
    granted/withdrawn, ``source``, ``decided_at``, ``note``) as a new row,
    in one transaction, audited. Earlier decisions stay as the history."""
    data = load(ConsentInput(), payload)
    now = utcnow()
    decided_at = data.get("decided_at") or now
    if decided_at > now:
        raise ValidationError({"decided_at": [_("a decision cannot lie in the future")]})
    with transaction():
        row = CustomerConsent(
            customer_id=customer.id,
            channel=data["channel"],
            purpose=data["purpose"],
            status=data["status"],
            source=data["source"],
            decided_at=decided_at,
            note=data.get("note") or None,
            recorded_by_id=actor.id if actor else None,
        )
        db.session.add(row)
        db.session.flush()
        audit(actor, customer, "consent", None, snapshot(row), entity="customer")
    return row


def consents_of(customer_id: int) -> list[CustomerConsent]:
    """Every decision ``customer_id`` made, newest first: the history a
    customer's page shows (the first of each channel and purpose holds)."""
    return list(
        db.session.scalars(
            select(CustomerConsent)
            .where(CustomerConsent.customer_id == customer_id)
            .order_by(CustomerConsent.decided_at.desc(), CustomerConsent.id.desc())
        )
    )


def current_consents(customer_id: int) -> dict[tuple[str, str], CustomerConsent]:
    """The decision that holds for each (channel, purpose) ``customer_id``
    has decided on."""
    held: dict[tuple[str, str], CustomerConsent] = {}
    for row in consents_of(customer_id):
        held.setdefault((row.channel, row.purpose), row)
    return held


def may_contact(customer_ids: Iterable[int], channel: str, purpose: str) -> set[int]:
    """Of ``customer_ids``, those who may be contacted by ``channel`` for
    ``purpose``: their latest decision is ``granted`` or, with none recorded,
    the purpose's default (service yes, marketing no, research no) — less the
    customers nobody may reach out to at all (``not_to_contact``: a deceased
    patient). Every sender asks this before it sends."""
    if purpose not in DEFAULTS:
        raise ValueError(f"unknown consent purpose {purpose!r}")
    ids = sorted({int(i) for i in customer_ids if i is not None})
    decided: dict[int, bool] = {}
    for start in range(0, len(ids), BATCH):
        decided.update(_latest(ids[start : start + BATCH], channel, purpose))
    default = DEFAULTS[purpose]
    allowed = {i for i in ids if decided.get(i, default)}
    return allowed - not_to_contact(allowed)


def _latest(ids: list[int], channel: str, purpose: str) -> dict[int, bool]:
    """For those of ``ids`` with a decision: whether the latest grants."""
    rank = (
        func.row_number()
        .over(
            partition_by=CustomerConsent.customer_id,
            order_by=(CustomerConsent.decided_at.desc(), CustomerConsent.id.desc()),
        )
        .label("rank")
    )
    latest = (
        select(CustomerConsent.customer_id, CustomerConsent.status, rank)
        .where(
            CustomerConsent.customer_id.in_(ids),
            CustomerConsent.channel == channel,
            CustomerConsent.purpose == purpose,
        )
        .subquery()
    )
    rows = db.session.execute(
        select(latest.c.customer_id, latest.c.status).where(latest.c.rank == 1)
    )
    return {customer_id: status == "granted" for customer_id, status in rows}
