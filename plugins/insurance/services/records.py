"""What becomes of a customer's insurance records when the customer is
merged, purged or deleted, and of an agent's book when it is handed to
another agent.

- **Merge**: every record of the merged customer follows to the survivor.
- **Delete and purge**: refused while the customer holds a policy in force
  or in its grace period (``trellis_customer_veto``): the book must not lose
  live cover. Otherwise a purge removes the records, children first.
- **Transfer** (an agent leaves): the live book moves — quotes, terms not
  yet ended or lapsed (reinstatable), open claims, open instalments, the
  agent's households and persons. What was earned stays with who earned it:
  transactions, payments, commission lines and ended terms keep their agent.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update

from core.api import db, repoint, translator

from ..models import (
    LIVE_STATES,
    Beneficiary,
    Claim,
    ClaimEvent,
    CommissionLine,
    Coverage,
    Household,
    Insured,
    InsuredObject,
    Person,
    Policy,
    PolicyTransaction,
    PremiumInstalment,
    PremiumPayment,
)

_, _l = translator("insurance")

#: the tables with a customer, in the order a purge deletes them (children first)
CUSTOMER_TABLES = (
    Claim,
    PremiumPayment,
    PremiumInstalment,
    PolicyTransaction,
    Policy,
    Person,
    Household,
)
#: the tables that hang off a policy without a customer of their own
POLICY_CHILDREN = (CommissionLine, Coverage, Beneficiary, Insured, InsuredObject)
#: the terms whose agent moves with the book
MOVING_STATES = ("draft", "quoted", "bound", "in_force", "grace", "lapsed")


def merge_records(survivor_id: int, merged_id: int) -> int:
    moved = sum(repoint(model, "customer_id", merged_id, survivor_id) for model in CUSTOMER_TABLES)
    return moved + repoint(Person, "person_customer_id", merged_id, survivor_id)


def veto(customer, action: str) -> str | None:
    """Why ``customer`` must not be deleted or purged: live cover."""
    if action not in ("delete", "purge"):
        return None
    live = db.session.scalar(
        select(Policy.id)
        .where(Policy.customer_id == customer.id, Policy.status.in_(LIVE_STATES))
        .limit(1)
    )
    if live is None:
        return None
    return _l("the customer holds policies in force: cancel or transfer them first")


def _rows(statement) -> int:
    """Run a bulk ``UPDATE``/``DELETE``; how many rows it touched."""
    return cast(CursorResult, db.session.execute(statement)).rowcount


def purge_records(customer_id: int) -> int:
    policies = select(Policy.id).where(Policy.customer_id == customer_id)
    claims = select(Claim.id).where(Claim.customer_id == customer_id)
    removed = _rows(delete(ClaimEvent).where(ClaimEvent.claim_id.in_(claims)))
    for child in POLICY_CHILDREN:
        removed += _rows(delete(child).where(child.policy_id.in_(policies)))
    db.session.execute(
        update(Policy).where(Policy.customer_id == customer_id).values(predecessor_id=None)
    )
    db.session.execute(
        update(Person)
        .where(Person.person_customer_id == customer_id)
        .values(person_customer_id=None)
    )
    for model in CUSTOMER_TABLES:
        removed += _rows(delete(model).where(model.customer_id == customer_id))
    return removed


def transfer_records(from_user_id: int, to_user_id: int) -> int:
    moved = 0
    for model, still_open in (
        (Policy, Policy.status.in_(MOVING_STATES)),
        (Claim, Claim.status != "closed"),
        (PremiumInstalment, PremiumInstalment.settled_on.is_(None)),
        (Household, Household.id.is_not(None)),
        (Person, Person.id.is_not(None)),
    ):
        values: dict[Any, Any] = {model.agent_id: to_user_id}
        if hasattr(model, "version"):
            values[model.version] = model.version + 1
        moved += _rows(
            update(model).where(model.agent_id == from_user_id, still_open).values(values)
        )
    return moved
