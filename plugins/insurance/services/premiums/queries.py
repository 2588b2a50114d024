"""The instalments a list shows: an instalment's status (open, overdue,
settled) and the narrowing the API's list and the "Overdue premiums" page
share. The overdue lists read ``ix_insurance_instalment_due`` (due_on, id,
agent_id, team_id WHERE settled_on IS NULL)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, func, select

from ...models import Policy, PremiumInstalment

INSTALMENT_STATES = ("open", "overdue", "settled")


def instalment_state(instalment: PremiumInstalment, on: date) -> str:
    """settled (paid in full, or closed by a cancellation), overdue (open
    and due before ``on``) or open."""
    if instalment.settled_on is not None:
        return "settled"
    return "overdue" if instalment.due_on < on else "open"


def narrow_instalments(query: Select, args: dict, on: date) -> Select:
    """``query`` (instalments) narrowed by ``status`` — open, overdue (due
    before ``on``), grace (overdue on a term in grace) — and by
    ``policy_id``, ``customer_id``, ``agent_id``, ``policy_status``."""
    status = args.get("status")
    if status in ("open", "overdue", "grace"):
        query = query.where(PremiumInstalment.settled_on.is_(None))
    if status in ("overdue", "grace"):
        query = query.where(PremiumInstalment.due_on < on)
    if status == "grace":
        args = {**args, "policy_status": "grace"}
    if args.get("policy_status"):
        in_state = (Policy.status == args["policy_status"], Policy.deleted_at.is_(None))
        query = query.where(PremiumInstalment.policy_id.in_(select(Policy.id).where(*in_state)))
        if args["policy_status"] == "grace":
            # a term's open instalments are due on or after its next_due_on (the
            # oldest open one): bounding due_on by the earliest of the terms in
            # grace keeps the walk of ix_insurance_instalment_due to the last
            # weeks, not the open instalments lapsed terms leave behind for years
            oldest = select(func.min(Policy.next_due_on)).where(*in_state).scalar_subquery()
            query = query.where(PremiumInstalment.due_on >= oldest)
    for key in ("policy_id", "customer_id", "agent_id"):
        if args.get(key):
            query = query.where(getattr(PremiumInstalment, key) == args[key])
    return query
