"""``/api/v1/insurance/agents``: the users who sell insurance, with their
code, rank, upline and licence (执业证). Reading needs
``insurance.policy.read``, writing ``insurance.admin``."""

from __future__ import annotations

from flask_login import current_user

from core.api import (
    NotFoundError,
    db,
    expected_version,
    json_body,
    page_schema,
    paginate,
    require,
    sorted_by,
    translator,
)

from ..models import Agent
from ..schemas.catalogue import AgentArgs, AgentOut
from ..services import agents
from .blueprint import bp

_, _l = translator("insurance")
AGENT_SORTS = {
    "code": Agent.code,
    "licence_expires_on": Agent.licence_expires_on,
    "updated_at": Agent.updated_at,
}


def _agent(agent_id: int) -> Agent:
    agent = db.session.get(Agent, agent_id)
    if agent is None:
        raise NotFoundError(_("agent %(id)s not found", id=agent_id))
    return agent


@bp.route("/agents", methods=["GET"])
@bp.arguments(sorted_by(AgentArgs, AGENT_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(AgentOut, "InsuranceAgentPage"))
def list_agents(args):
    require("insurance.policy.read")
    return paginate(agents.agents_query(args.get("q"), args.get("rank")), args, AGENT_SORTS, "code")


@bp.route("/agents", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": agents.AgentInput}}})
@bp.response(201, AgentOut)
def create_agent():
    require("insurance.admin")
    return agents.create_agent(json_body(), current_user)


@bp.route("/agents/<int:agent_id>", methods=["GET"])
@bp.response(200, AgentOut)
def get_agent(agent_id: int):
    require("insurance.policy.read")
    return _agent(agent_id)


@bp.route("/agents/<int:agent_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": agents.AgentChange}}})
@bp.response(200, AgentOut)
def update_agent(agent_id: int):
    require("insurance.admin")
    agent = _agent(agent_id)
    payload = json_body()
    version = expected_version(payload)
    return agents.update_agent(agent, payload, current_user, version)
