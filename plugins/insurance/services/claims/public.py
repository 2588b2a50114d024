"""Claims a policyholder reports without an account (报案) through the public
claim form, and the tracking link (进度查询链接) they get back.

Proof of holding the policy: the policy number and a phone number on record
for the policyholder — the customer's own phones or one of its live
contacts' (core keeps them normalised, so ``139 1234 5678`` matches
``+8613912345678``). A national ID's last four characters were the other
choice, but they are kept only for insured persons, who need not be the
policyholder, and four digits are far easier to guess than a phone. A
number that is no issued policy's, or a phone that is not its holder's, is
refused with one message under ``policy_number`` that does not say which,
and nothing is written: the form cannot tell a stranger which policy
numbers exist.

A proven report goes through :func:`.reporting.report_claim` with channel
``public`` and no actor, so every rule of a report holds (the term must have
covered the loss date; its refusal is then named under ``policy_number``).
The claim is credited to the policy's agent, who gets a task on the
policyholder's timeline to call the claimant back. The token of the link is
given once; only its sha256 is kept in ``tracking_hash``
(``core.api.new_tracking_token``), so a forged link matches nothing.

What the tracking page shows is chosen here: the status, each step's action
and date (no notes, no names), the amount claimed and — once decided — the
amount approved, and while the claim waits for documents the kinds its
product asks for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.api import (
    Amount,
    Phone,
    ValidationError,
    db,
    load,
    log_activity,
    new_tracking_token,
    refuse,
    tracking_match,
    transaction,
    translator,
    utcnow,
)

from ...models import Claim, ClaimEvent, Policy
from ..documents.kinds import CLAIM_KIND_LABELS
from ..documents.records import missing_claim_documents
from .reporting import ISSUED_STATES, report_claim

_, _l = translator("insurance")

#: the form's fields, as the page keeps them after a refusal
FIELDS = ("policy_number", "phone", "loss_date", "claimed_amount", "description", "contact_phone")
#: states in which the claim still waits for the claimant's documents
WAITING_FOR_DOCUMENTS = ("reported", "documents_pending")
#: states in which the amount approved is decided
DECIDED = ("approved", "partially_approved", "paid", "closed")
#: how soon the agent's call-back task is due
CALL_BACK_WITHIN = timedelta(hours=24)


class PublicClaimInput(Schema):
    """A claim as a policyholder reports it on the public form."""

    policy_number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    phone = Phone(required=True, validate=validate.Length(max=40))
    loss_date = fields.Date(required=True)
    claimed_amount = Amount(required=True, positive=True)
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    contact_phone = Phone(load_default=None, allow_none=True, validate=validate.Length(max=40))


@dataclass
class Reported:
    """A claim reported on the public form and the token only its claimant holds."""

    claim: Claim
    token: str


def no_match() -> None:
    """The one refusal for a wrong number or a wrong phone (422)."""
    refuse(
        {"policy_number": [_("We found no policy with this number and phone. Please check both.")]}
    )


def proven_policy(number: str, phone: str, loss_date: date) -> Policy:
    """The issued term of policy ``number`` the loss falls in (else its
    latest, for :func:`report_claim` to refuse), if ``phone`` is one of its
    policyholder's; otherwise :func:`no_match`."""
    terms = list(
        db.session.scalars(
            select(Policy)
            .where(
                Policy.number == number.strip(),
                Policy.status.in_(ISSUED_STATES),
                Policy.deleted_at.is_(None),
            )
            .order_by(Policy.term_no.desc())
        )
    )
    if not terms or not holder_has_phone(terms[0], phone):
        no_match()
    return next((t for t in terms if t.start_date <= loss_date <= t.end_date), terms[0])


def holder_has_phone(policy: Policy, phone: str) -> bool:
    """Whether ``phone`` (normalised) is on record for the policy's holder."""
    customer = policy.customer
    if customer is None or customer.deleted_at is not None:
        return False
    phones = set(customer.phones or [])
    for contact in customer.contacts:
        if contact.deleted_at is None:
            phones.update(contact.phones or [])
    return phone in phones


def report_public_claim(form: dict) -> Reported:
    """Report the claim the form describes: everything, or (422 naming the
    fields) nothing. The claim has channel ``public``, the contact phone
    (the proving phone when none is given) and the hash of its tracking token."""
    values = load(PublicClaimInput(), {k: form.get(k) for k in FIELDS})
    policy = proven_policy(values["policy_number"], values["phone"], values["loss_date"])
    token, hashed = new_tracking_token()
    data = {
        "policy_id": policy.id,
        "loss_date": values["loss_date"].isoformat(),
        "claimed_amount": str(values["claimed_amount"]),
        "description": values["description"],
        "channel": "public",
        "contact_phone": values.get("contact_phone") or values["phone"],
    }
    try:
        with transaction():
            claim = report_claim(data, None, policy=policy)
            claim.tracking_hash = hashed
            _call_back_task(claim)
    except ValidationError as exc:
        errors = dict(exc.errors)
        if "policy_id" in errors:  # the term did not cover the loss date
            errors["policy_number"] = errors.pop("policy_id")
        errors.pop("exception", None)
        raise ValidationError(errors) from None
    return Reported(claim, token)


def _call_back_task(claim: Claim) -> None:
    """A task for the policy's agent, due within a day, on the timeline."""
    if claim.agent_id is None:
        return
    log_activity(
        {
            "kind": "task",
            "subject": _("Call back about claim %(number)s", number=claim.number)[:200],
            "body": _(
                "Reported on the public claim form. Contact phone: %(phone)s",
                phone=claim.contact_phone,
            ),
            "customer_id": claim.customer_id,
            "owner_id": claim.agent_id,
            "due_at": utcnow() + CALL_BACK_WITHIN,
            "link_type": "insurance_claim",
            "link_id": claim.id,
        },
        None,
    )


# --- tracking ----------------------------------------------------------------


def tracked_claim(number: str, token: str | None) -> Claim | None:
    """The claim ``number`` if ``token`` is its tracking token; ``None`` for a
    forged, cut or missing token or another claim's."""
    return db.session.scalar(
        select(Claim).where(
            Claim.number == number[:32],
            tracking_match(Claim.tracking_hash, token),
            Claim.deleted_at.is_(None),
        )
    )


def public_steps(claim: Claim, last: int = 10) -> list[tuple[datetime, str, str]]:
    """``(when, action, state reached)`` of the claim's last steps, newest
    first: no notes, no amounts, no names."""
    events = db.session.execute(
        select(ClaimEvent.at, ClaimEvent.action, ClaimEvent.to_status)
        .where(ClaimEvent.claim_id == claim.id)
        .order_by(ClaimEvent.seq.desc())
        .limit(last)
    )
    return [(at, action, to_status) for at, action, to_status in events]


def documents_needed(claim: Claim) -> list[str]:
    """The kinds of document (in words) the claim's product asks for and
    the claim does not hold yet, while it still waits for them; none once
    it is submitted."""
    if claim.status not in WAITING_FOR_DOCUMENTS:
        return []
    kinds = missing_claim_documents(claim)
    return [str(CLAIM_KIND_LABELS.get(kind, kind)) for kind in kinds]


def approved_shown(claim: Claim):
    """The amount approved, once the assessor decided it; else ``None``."""
    return claim.approved_amount if claim.status in DECIDED else None
