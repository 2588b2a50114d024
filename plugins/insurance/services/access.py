"""Who sees which insurance records — the plugin's one place for it.

Everything here belongs to a customer (the policyholder) and is credited to
an agent (``agent_id``, the owner; ``team_id`` the agent's team): core's
``visible_records`` scopes it by the role (an agent their own, a manager
their team's) and only while the customer is visible and not in the
recycle bin. Lists, details, exports, reports, the customer tabs and the
timeline links all read through these."""

from __future__ import annotations

from sqlalchemy import Select

from core.api import User, visible_record, visible_records

from ..models import (
    Claim,
    Household,
    Person,
    Policy,
    PolicyTransaction,
    PremiumInstalment,
    PremiumPayment,
)

#: the owner column of every record of the plugin
OWNER = {"owner_attr": "agent_id"}


def visible_policies(user: User | None, query: Select | None = None) -> Select:
    """The policy terms (quotes included) ``user`` may see."""
    return visible_records(Policy, user, query, **OWNER)


def visible_policy(policy_id: int, user: User | None) -> Policy:
    return visible_record(Policy, policy_id, user, **OWNER)


def visible_claims(user: User | None, query: Select | None = None) -> Select:
    return visible_records(Claim, user, query, **OWNER)


def visible_claim(claim_id: int, user: User | None) -> Claim:
    return visible_record(Claim, claim_id, user, **OWNER)


def visible_instalments(user: User | None, query: Select | None = None) -> Select:
    return visible_records(PremiumInstalment, user, query, **OWNER)


def visible_payments(user: User | None, query: Select | None = None) -> Select:
    return visible_records(PremiumPayment, user, query, **OWNER)


def visible_transactions(user: User | None, query: Select | None = None) -> Select:
    return visible_records(PolicyTransaction, user, query, **OWNER)


def visible_households(user: User | None, query: Select | None = None) -> Select:
    return visible_records(Household, user, query, **OWNER)


def visible_persons(user: User | None, query: Select | None = None) -> Select:
    return visible_records(Person, user, query, **OWNER)
