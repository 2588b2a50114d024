"""``/api/v1/insurance/claims``: the claims the caller may see, reporting
one (报案), a claim with its history and the moves it allows, and a move.

Access goes through ``services/access.py``: an agent sees their own, a
manager their team's; a claim out of scope is a 404. Every open of a claim
(``GET /claims/{id}``) is audited as a ``view``.
"""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy.orm import joinedload

from core.api import audit, json_body, page_schema, paginate, require, sorted_by, transaction

from ..models import Claim
from ..schemas.claims import (
    InsuranceClaimArgs,
    InsuranceClaimDetailOut,
    InsuranceClaimMovesOut,
    InsuranceClaimOut,
    InsuranceClaimReviewBody,
    InsuranceClaimTransitionBody,
)
from ..services.claims import report_claim, transition
from ..services.claims.lifecycle import actions_for
from ..services.claims.queries import claim_history, search_claims, visible_claim
from ..services.claims.reporting import ReportClaimInput
from ..services.claims.review import review_claim
from ..services.states import CLAIM
from .blueprint import bp

SORTABLE = {
    "reported_at": Claim.reported_at,
    "loss_date": Claim.loss_date,
    "number": Claim.number,
    "claimed_amount": Claim.claimed_amount,
    "updated_at": Claim.updated_at,
}


@bp.route("/claims", methods=["GET"])
@bp.arguments(sorted_by(InsuranceClaimArgs, SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(InsuranceClaimOut, "InsuranceClaimPage"))
def list_claims(args):
    """Claims newest report first; by status, policy, customer, agent,
    cause (``outpatient``), or found by claim or policy number or
    policyholder (``q``)."""
    require("insurance.claim.read")
    query = search_claims(current_user, args).options(joinedload(Claim.policy))
    return paginate(query, args, SORTABLE, "-reported_at")


@bp.route("/claims", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": ReportClaimInput}}})
@bp.response(201, InsuranceClaimOut)
def create_claim():
    """Report a claim on a policy term that covered the loss date (else 422
    ``policy_id``, unless ``exception`` with its note by a holder of
    ``insurance.claim.exception``)."""
    require("insurance.claim.write")
    return report_claim(json_body(), current_user)


@bp.route("/claims/<int:claim_id>", methods=["GET"])
@bp.response(200, InsuranceClaimDetailOut)
def get_claim(claim_id: int):
    """The claim with its events, oldest first, and the moves the caller may make."""
    require("insurance.claim.read")
    claim = _opened(claim_id)
    return _Detail(claim, claim_history(claim), actions_for(claim, current_user))


@bp.route("/claims/<int:claim_id>/transitions", methods=["GET"])
@bp.response(200, InsuranceClaimMovesOut)
def claim_moves(claim_id: int):
    """The moves the claim's state allows that the caller may make."""
    require("insurance.claim.read")
    claim = visible_claim(claim_id, current_user)
    moves = [
        {"action": a, "label": CLAIM.action_label(a), "to_status": CLAIM.transitions[a][1]}
        for a in actions_for(claim, current_user)
    ]
    return {"status": claim.status, "version": claim.version, "moves": moves}


@bp.route("/claims/<int:claim_id>/transitions", methods=["POST"])
@bp.arguments(InsuranceClaimTransitionBody, as_kwargs=False)
@bp.response(200, InsuranceClaimOut)
def move_claim(args, claim_id: int):
    """Move the claim: ``action`` and the ``version`` read, with what the
    action needs (approve_partially: ``approved_amount`` and ``reason``;
    reject: ``reject_code`` and ``reason``; appeal, reopen: ``reason``)."""
    require("insurance.claim.read")
    claim = visible_claim(claim_id, current_user)
    action, version = args.pop("action"), args.pop("version")
    payload: dict[str, str | None] = {
        "reject_code": args.get("reject_code"),
        "reason": args.get("reason"),
    }  # the service reads its input as sent: amounts and dates as text
    if args.get("approved_amount") is not None:
        payload["approved_amount"] = str(args["approved_amount"])
    if args.get("paid_on") is not None:
        payload["paid_on"] = args["paid_on"].isoformat()
    return transition(claim, action, current_user, payload, version)


@bp.route("/claims/<int:claim_id>/review", methods=["POST"])
@bp.arguments(InsuranceClaimReviewBody, as_kwargs=False)
@bp.response(200, InsuranceClaimOut)
def review(args, claim_id: int):
    """Record the review of the claim's risk warnings (``insurance.claim.assess``);
    the queue is ``GET /claims?to_review=true&sort=reported_at``."""
    require("insurance.claim.assess")
    claim = visible_claim(claim_id, current_user)
    return review_claim(claim, current_user, args["note"], args["version"])


class _Detail:
    """A claim as the detail schema reads it: its columns, its events and its moves."""

    def __init__(self, claim: Claim, events: list, allowed_actions: list[str]):
        self._claim, self.events, self.allowed_actions = claim, events, allowed_actions

    def __getattr__(self, name: str):
        return getattr(self._claim, name)


def _opened(claim_id: int) -> Claim:
    """The claim, its opening audited (every open of a claim file is)."""
    claim = visible_claim(claim_id, current_user)
    with transaction():
        audit(current_user, claim, "view", None, None)
    return claim
