"""``/api/v1/insurance/policies``: the policy terms the caller may see
(quotes included), and one with its history and the moves its state allows.

Access goes through ``services/access.py``: an agent sees their own, a
manager their team's; a policy of a customer the caller may not see is a 404.
"""

from __future__ import annotations

from datetime import date

from flask_login import current_user
from sqlalchemy.orm import joinedload

from core.api import page_schema, paginate, require, sorted_by

from ..models import Policy
from ..schemas.policies import InsurancePolicyArgs, InsurancePolicyDetailOut, InsurancePolicyOut
from ..services.policies.queries import policy_history, search_policies, visible_policy
from ..services.states import POLICY, SYSTEM_POLICY_ACTIONS
from .blueprint import bp

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
@bp.response(200, InsurancePolicyDetailOut)
def get_policy(policy_id: int):
    require("insurance.policy.read")
    policy = visible_policy(policy_id, current_user)
    policy.transactions = policy_history(policy)  # type: ignore[attr-defined]
    policy.allowed_actions = [  # type: ignore[attr-defined]
        a for a in POLICY.allowed(policy.status) if a not in SYSTEM_POLICY_ACTIONS
    ]
    return policy
