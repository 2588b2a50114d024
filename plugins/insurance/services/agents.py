"""Agents (代理人): the users who sell insurance — their code, rank, upline
(the team leader, 主管, set here: core's teams have no leader) and licence
(执业证).

New business may be credited only to an active agent whose licence is valid
on the term's first day: :func:`can_credit` (a yes or no) and
:func:`check_credit` (a 422 naming ``agent_id``) are what the policy life
cycle calls before it credits a policy. Renewal terms are exempt — the
caller decides when to ask.
"""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, fields, post_load, validate
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from core.api import Flag, User, ValidationError, check_version, db, load, refuse, save, translator

from ..models import AGENT_RANKS, Agent

_, _l = translator("insurance")
_ID = validate.Range(1, 2**31 - 1)


class AgentChange(Schema):
    """What a PATCH may change; :class:`AgentInput` requires a new agent's user and code."""

    code = fields.String(validate=validate.Length(min=1, max=20))
    rank = fields.String(validate=validate.OneOf(AGENT_RANKS))
    upline_user_id = fields.Integer(strict=True, allow_none=True, validate=_ID)
    licence_no = fields.String(allow_none=True, validate=validate.Length(max=40))
    licence_expires_on = fields.Date(allow_none=True)
    active = Flag()

    @post_load
    def tidy(self, data: dict, **kwargs) -> dict:
        for name in ("code", "licence_no"):
            if isinstance(data.get(name), str):
                data[name] = data[name].strip() or None
        return data


class AgentInput(AgentChange):
    user_id = fields.Integer(strict=True, required=True, validate=_ID)
    code = fields.String(required=True, validate=validate.Length(min=1, max=20))
    rank = fields.String(load_default="agent", validate=validate.OneOf(AGENT_RANKS))
    active = Flag(load_default=True)


def agents_query(q: str | None = None, rank: str | None = None) -> Select:
    """Every agent with their user, found by code, licence number or name."""
    query = select(Agent).join(User, User.id == Agent.user_id).options(joinedload(Agent.user))
    if q:
        like = f"%{q.strip()}%"
        query = query.where(
            Agent.code.ilike(like) | Agent.licence_no.ilike(like) | User.name.ilike(like)
        )
    if rank:
        query = query.where(Agent.rank == rank)
    return query


def agent_of(user_id: int) -> Agent | None:
    """The agent row of a user, if they have one."""
    return db.session.scalar(select(Agent).where(Agent.user_id == user_id))


def create_agent(payload: dict, actor: User | None) -> Agent:
    data = load(AgentInput(), payload)
    _check(data, None)
    return save(Agent, None, data, actor)


def update_agent(
    agent: Agent, payload: dict, actor: User | None, expected_version: int | None = None
) -> Agent:
    data = load(AgentChange(), payload)
    _check(data, agent)
    check_version(agent, expected_version)
    return save(Agent, agent, data, actor)


def _check(data: dict, agent: Agent | None) -> None:
    """Refuse a missing user or upline (404), a user who is already an agent
    or a code another agent has (409), an agent their own upline (422)."""
    invalid, missing, taken = {}, {}, {}
    own_id = agent.id if agent else 0
    user_id = data.get("user_id", agent.user_id if agent else None)
    if "code" in data and data["code"] is None:
        invalid["code"] = [_("give the agent's code")]
    if agent is None and db.session.get(User, user_id) is None:
        missing["user_id"] = [_("no user with this id")]
    elif agent is None and user_id is not None and agent_of(user_id) is not None:
        taken["user_id"] = [_("this user is already an agent")]
    upline = data.get("upline_user_id")
    if upline is not None and upline == user_id:
        invalid["upline_user_id"] = [_("an agent cannot be their own upline")]
    elif upline is not None and db.session.get(User, upline) is None:
        missing["upline_user_id"] = [_("no user with this id")]
    if data.get("code") and db.session.scalar(
        select(Agent.id).where(Agent.code == data["code"], Agent.id != own_id)
    ):
        taken["code"] = [_("another agent has this code")]
    refuse(invalid, missing=missing, taken=taken)


def can_credit(user_id: int | None, on_date: date) -> bool:
    """May new business starting ``on_date`` be credited to this user? Only
    to an active agent whose licence is valid that day (its expiry day
    included); no licence date, no credit."""
    if user_id is None:
        return False
    agent = agent_of(user_id)
    return bool(
        agent is not None
        and agent.active
        and agent.licence_expires_on is not None
        and agent.licence_expires_on >= on_date
    )


def check_credit(user_id: int | None, on_date: date) -> None:
    """:func:`can_credit`, or a 422 naming ``agent_id`` that says why not."""
    if can_credit(user_id, on_date):
        return
    agent = agent_of(user_id) if user_id is not None else None
    if agent is None or not agent.active:
        message = _("new business is credited only to an active agent")
    else:
        message = _("the agent's licence is not valid on %(day)s", day=on_date.isoformat())
    raise ValidationError({"agent_id": [message]})
