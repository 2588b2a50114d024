"""The agents' pages (代理人): the list with each licence's expiry, a new
agent and an agent's form. Reading needs ``insurance.policy.read``,
writing ``insurance.admin``."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import (
    StaleVersionError,
    User,
    ValidationError,
    db,
    form_payload,
    form_version,
    list_page,
    list_sort,
    require,
    translator,
    utcnow,
)

from ..models import AGENT_RANKS, Agent
from ..services import agents
from .blueprint import bp
from .catalogue import STALE

_, _l = translator("insurance")
LIST_SIZE = 50
FIELDS = ("code", "rank", "upline_user_id", "licence_no", "licence_expires_on", "active")
AGENT_SORTS = {
    "code": Agent.code,
    "name": User.name,
    "licence_expires_on": Agent.licence_expires_on,
}


def rank_labels() -> dict[str, str]:
    names = {
        "agent": _("Agent"),
        "team_leader": _("Team leader"),
        "branch_manager": _("Branch manager"),
    }
    return {rank: names[rank] for rank in AGENT_RANKS}


def _users() -> list[tuple[int, str]]:
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name))
    return [(u.id, u.name) for u in users]


def _form(agent, values, errors, status=200):
    return render_template(
        "insurance/agent_form.html",
        agent=agent,
        values=values,
        errors=errors,
        users=_users(),
        ranks=list(rank_labels().items()),
    ), status


@bp.route("/agents")
@login_required
def agents_list():
    """Agents by code (or sorted by a column), found by code, licence or name."""
    require("insurance.policy.read")
    q = request.args.get("q", "").strip()[:100]
    sort, order = list_sort(AGENT_SORTS, (Agent.code, Agent.id), Agent.id)
    page = list_page()
    rows = db.session.scalars(
        agents.agents_query(q or None)
        .order_by(*order)
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    return render_template(
        "insurance/agents.html",
        rows=rows[:LIST_SIZE],
        q=q,
        filters={"q": q} if q else {},
        sort=sort,
        page=page,
        more=len(rows) > LIST_SIZE,
        ranks=rank_labels(),
        today=utcnow().date(),
    )


@bp.route("/agents/new", methods=["GET", "POST"])
@login_required
def new_agent():
    require("insurance.admin")
    if request.method == "GET":
        return _form(None, {"rank": "agent", "active": True}, {})
    values = form_payload(agents.AgentInput(), only=("user_id", *FIELDS))
    try:
        agent = agents.create_agent(values, current_user)
    except ValidationError as exc:
        db.session.rollback()
        return _form(None, values, exc.errors, exc.status)
    flash(_("Agent %(code)s added.", code=agent.code), "success")
    return redirect(url_for(".agents_list"))


@bp.route("/agents/<int:agent_id>", methods=["GET", "POST"])
@login_required
def agent(agent_id: int):
    """An agent's code, rank, upline and licence; an administrator edits them."""
    require("insurance.policy.read")
    record = db.session.get(Agent, agent_id)
    if record is None:
        abort(404)
    if request.method == "GET":
        return _form(record, {f: getattr(record, f) for f in FIELDS}, {})
    require("insurance.admin")
    values = form_payload(agents.AgentChange(), only=FIELDS)
    try:
        agents.update_agent(record, dict(values), current_user, form_version())
    except ValidationError as exc:
        db.session.rollback()
        return _form(record, values, exc.errors, exc.status)
    except StaleVersionError:
        db.session.rollback()
        flash(str(STALE), "error")
        return _form(record, values, {}, 409)
    flash(_("Saved."), "success")
    return redirect(url_for(".agents_list"))
