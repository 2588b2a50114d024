"""``/api/v1/insurance/policies`` and ``/quotes``: the policy terms the
caller may see (quotes included), one with its parties, coverages, history
and the moves its state allows; making a quote, editing a draft, and every
move of the life cycle (quote, revise, bind, issue, endorse, cancel,
reinstate) through ``POST /policies/{id}/transitions``.

Access goes through ``services/access.py``: an agent sees their own, a
manager their team's; a policy of a customer the caller may not see is a 404.
"""

from __future__ import annotations

from datetime import date

from flask_login import current_user
from sqlalchemy.orm import joinedload

from core.api import (
    ValidationError,
    expected_version,
    json_body,
    page_schema,
    paginate,
    require,
    sorted_by,
    translator,
)

from ..models import Policy
from ..schemas.policies import (
    InsurancePolicyArgs,
    InsurancePolicyFullOut,
    InsurancePolicyMovesOut,
    InsurancePolicyOut,
    InsurancePolicyTransitionBody,
    InsuranceQuoteArgs,
    InsuranceQuoteOut,
)
from ..services.access import visible_policies
from ..services.policies.lifecycle import actions_for, transition
from ..services.policies.parties_input import beneficiaries_of, coverages_of, insured_of, objects_of
from ..services.policies.queries import policy_history, search_policies, visible_policy
from ..services.policies.quoting import DraftChange, QuoteInput, create_quote, update_draft
from ..services.states import POLICY, SYSTEM_POLICY_ACTIONS
from .blueprint import bp

_, _l = translator("insurance")

SORTABLE = {
    "updated_at": Policy.updated_at,
    "number": Policy.number,
    "end_date": Policy.end_date,
    "start_date": Policy.start_date,
    "annual_premium": Policy.annual_premium,
}


@bp.route("/policies", methods=["GET"])
@bp.arguments(sorted_by(InsurancePolicyArgs, SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(InsurancePolicyOut, "InsurancePolicyPage"))
def list_policies(args):
    require("insurance.policy.read")
    query = search_policies(current_user, args, date.today()).options(joinedload(Policy.product))
    return paginate(query, args, SORTABLE, "end_date")


@bp.route("/policies/<int:policy_id>", methods=["GET"])
@bp.response(200, InsurancePolicyFullOut)
def get_policy(policy_id: int):
    """The term with its insured, beneficiaries, objects, coverages, its
    transactions oldest first and the moves its state allows (not the jobs')."""
    require("insurance.policy.read")
    return _full(visible_policy(policy_id, current_user))


@bp.route("/policies/<int:policy_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": DraftChange}}})
@bp.response(200, InsurancePolicyFullOut)
def patch_policy(policy_id: int):
    """Change a draft's inputs (product, start, frequency, agent, insured,
    beneficiaries, objects, coverages) on the ``version`` read; a term not in
    draft is a 409 (``revise`` it first). ``quote`` prices it again."""
    require("insurance.policy.write")
    policy = visible_policy(policy_id, current_user)
    payload = json_body()
    version = expected_version(payload)
    return _full(update_draft(policy, payload, current_user, version))


@bp.route("/quotes", methods=["GET"])
@bp.arguments(sorted_by(InsuranceQuoteArgs, SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(InsurancePolicyOut, "InsuranceQuotePage"))
def list_quotes(args):
    """Quotes the caller may see: terms in draft, quoted or bound, newest first."""
    require("insurance.policy.read")
    query = visible_policies(current_user).where(Policy.status.in_(("draft", "quoted", "bound")))
    for key in ("status", "customer_id", "agent_id", "product_id"):
        if args.get(key):
            query = query.where(getattr(Policy, key) == args[key])
    return paginate(query.options(joinedload(Policy.product)), args, SORTABLE, "-updated_at")


@bp.route("/quotes", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": QuoteInput}}})
@bp.response(201, InsuranceQuoteOut)
def post_quote():
    """Make a quote for a customer and price it: product, start date,
    frequency, insured (``person_id`` or name, birth date, identity number),
    beneficiaries (life and accident; shares of a rank total 100), objects
    and coverages. Refusals name the field (422)."""
    require("insurance.policy.write")
    return _full(create_quote(json_body(), current_user))


@bp.route("/policies/<int:policy_id>/transitions", methods=["GET"])
@bp.response(200, InsurancePolicyMovesOut)
def policy_moves(policy_id: int):
    """The moves the term's state allows that the caller may make."""
    require("insurance.policy.read")
    policy = visible_policy(policy_id, current_user)
    moves = [
        {"action": a, "label": POLICY.action_label(a), "to_status": POLICY.transitions[a][1]}
        for a in actions_for(policy, current_user)
    ]
    return {"status": policy.status, "version": policy.version, "moves": moves}


@bp.route("/policies/<int:policy_id>/transitions", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": InsurancePolicyTransitionBody}}})
@bp.response(200, InsurancePolicyFullOut)
def move_policy(policy_id: int):
    """Move the term: ``action`` and the ``version`` read, with what the
    action needs. An action the state does not allow is a 409, a stale
    version a 409 with nothing written, a system move (grace, lapse,
    expiry, renew) a 422 naming ``action``."""
    require("insurance.policy.read")
    policy = visible_policy(policy_id, current_user)
    payload = json_body()
    action = payload.pop("action", None)
    if not isinstance(action, str) or not action:
        raise ValidationError({"action": [_("give the action")]})
    version = expected_version(payload)
    if version is None:
        raise ValidationError({"version": [_("give the version you read")]})
    return _full(transition(policy, action, current_user, payload, version))


def _full(policy: Policy) -> Policy:
    """``policy`` with what the detail schemas read besides its columns."""
    policy.insured = insured_of(policy.id)  # type: ignore[attr-defined]
    policy.beneficiaries = beneficiaries_of(policy.id)  # type: ignore[attr-defined]
    policy.objects = objects_of(policy.id)  # type: ignore[attr-defined]
    policy.coverages = coverages_of(policy.id)  # type: ignore[attr-defined]
    policy.transactions = policy_history(policy)  # type: ignore[attr-defined]
    policy.allowed_actions = [  # type: ignore[attr-defined]
        a for a in POLICY.allowed(policy.status) if a not in SYSTEM_POLICY_ACTIONS
    ]
    return policy
