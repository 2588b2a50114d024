"""Recording consent and asking it: one row per decision, never changed —
the latest per (customer, channel, purpose) is what holds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from core.consents.confirmation import (
    confirmation_address,
    needs_confirmation,
    send_confirmation,
    sent_recently,
)
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


def record_consent(
    customer: Customer, payload: Any, actor: User | None, *, already_confirmed: bool = False
) -> CustomerConsent:
    """Record ``customer``'s decision (``channel``, ``purpose``, ``status``
    granted/withdrawn, ``source``, ``decided_at``, ``note``) as a new row,
    in one transaction, audited. Earlier decisions stay as the history.

    A grant that needs the customer's confirmation (marketing by e-mail,
    :func:`~core.consents.confirmation.needs_confirmation`) is kept as
    ``pending`` and a confirmation e-mail queued — unless the grant already
    holds, or one went out minutes ago (that link still works). With no
    e-mail address to confirm it, it is refused naming ``channel`` and
    nothing is written. ``already_confirmed`` (code only — an import of a
    list another mailing tool confirmed, demo data) makes a grant hold at
    once, recorded with source ``import``. A withdrawal always holds at once."""
    data = load(ConsentInput(), payload)
    now = utcnow()
    decided_at = data.get("decided_at") or now
    if decided_at > now:
        raise ValidationError({"decided_at": [_("a decision cannot lie in the future")]})
    channel, purpose = data["channel"], data["purpose"]
    status, source = data["status"], data["source"]
    confirm_to = None
    if status == "granted" and already_confirmed:
        source = "import"
    elif status == "granted" and needs_confirmation(channel, purpose):
        if not _latest([customer.id], channel, purpose).get(customer.id):
            confirm_to = confirmation_address(customer)
            if confirm_to is None:
                message = _("The customer has no e-mail address to confirm this consent.")
                raise ValidationError({"channel": [message]})
            status = "pending"
    with transaction():
        row = CustomerConsent(
            customer_id=customer.id,
            channel=channel,
            purpose=purpose,
            status=status,
            source=source,
            decided_at=decided_at,
            note=data.get("note") or None,
            recorded_by_id=actor.id if actor else None,
        )
        db.session.add(row)
        db.session.flush()
        audit(actor, customer, "consent", None, snapshot(row), entity="customer")
        if confirm_to and not sent_recently(customer.id, channel, purpose):
            send_confirmation(customer, row, confirm_to, actor)
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
    ``purpose``: their latest decision is ``granted`` (a ``pending`` grant,
    awaiting the customer's confirmation, is not a yes) or, with none
    recorded, the purpose's default (service yes, marketing no, research no) — less the
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
    """For those of ``ids`` with a decision: whether the latest grants
    (``pending`` does not)."""
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
