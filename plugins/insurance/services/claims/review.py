"""The review of a claim's risk warnings (风险预警复核): an assessor reads
the warnings a report fired and records what they found — a note, who and
when. Until then the claim is in the review queue (``to_review`` on the
claims list, the "Claims to review" widget), oldest report first.

Only a claim with warnings is reviewed (else 422 ``note``); a note is
required; reviewing twice is a 409 (the queue shows each claim once); a
stale ``version`` a 409. The review is audited and on the timeline."""

from __future__ import annotations

from sqlalchemy import Select

from core.api import (
    ConflictError,
    ForbiddenError,
    User,
    audit,
    check_version,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import Claim
from ..access import visible_claims
from .events import log_claim

_, _l = translator("insurance")


def awaiting_review(query: Select) -> Select:
    """``query`` narrowed to the claims whose warnings no one reviewed yet
    (``ix_insurance_claim_review``)."""
    return query.where(
        Claim.reviewed_at.is_(None), Claim.risk_count > 0, Claim.deleted_at.is_(None)
    )


def review_queue(user: User | None) -> Select:
    """The claims ``user`` may see that wait for a review, oldest first."""
    return awaiting_review(visible_claims(user)).order_by(Claim.reported_at, Claim.id)


def review_claim(
    claim: Claim, actor: User | None, note: str | None, expected_version: int | None = None
) -> Claim:
    """Record the review of ``claim``'s warnings; one transaction."""
    if actor is not None and not actor.can("insurance.claim.assess"):
        raise ForbiddenError(_("You may not review claims."))
    note = (note or "").strip()
    if not claim.risk_count:
        refuse({"note": [_("this claim has no risk warnings to review")]})
    if not note:
        refuse({"note": [_("say what the review found")]})
    if len(note) > 500:
        refuse({"note": [_("at most 500 characters")]})
    if claim.reviewed_at is not None:
        raise ConflictError(
            _("Claim %(number)s was reviewed already.", number=claim.number),
            kind="already-reviewed",
            title=_("Already reviewed"),
        )
    check_version(claim, expected_version)
    with transaction():
        before = snapshot(claim)
        claim.reviewed_at = utcnow()
        claim.reviewed_by_id = actor.id if actor is not None else None
        claim.review_note = note
        audit(actor, claim, "review", before, snapshot(claim))
        log_claim(
            claim, actor, _("Claim %(number)s: risk warnings reviewed", number=claim.number), note
        )
    return claim
