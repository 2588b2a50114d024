"""Policies brought over from another system's book (the import target
``insurance.policy``): a term written as it stands there — in force,
lapsed or expired — with the number it has, not quoted, bound and issued
again.

:func:`import_policy` writes, in one transaction, the term (term 1, its
inception and issue day its start; no instalment schedule, callback or
cooling-off: those belonged to the other system), its first transaction —
``new_business`` with the term's premium, its ``reason`` saying it came from
an import (there is no transaction kind of its own for a migrated term) —
the audit entry and the entry on the policyholder's timeline. No
``insurance_policy_issued`` event fires: the term was sold long ago, and
commission or a welcome message must not follow it now.

:func:`remove_imported_policy` takes such a term away again (undoing the
import): its transaction, its timeline entry and the term itself, so that
its number is free to be imported again — refused (409) once anything else
was written on the term.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, select

from core.api import (
    Activity,
    ConflictError,
    User,
    ValidationError,
    add_months,
    audit,
    db,
    delete_record,
    move_to_bin,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import InsuranceProduct, Policy, PolicyTransaction
from ..premiums.schedule import term_premium
from ..terms import prorate, term_days
from .journal import LINK_TYPE, log_policy
from .transactions import add_transaction

_, _l = translator("insurance")

#: the states a term may be imported in (a quote is not a policy yet)
IMPORTED_STATES = ("in_force", "lapsed", "expired")


def imported_term_premium(annual: Decimal, start: date, end: date) -> Decimal:
    """The premium of a term from ``start`` to ``end`` (inclusive) at
    ``annual`` a year: whole months as the schedule counts them, else by days."""
    for months in range(1, 121):
        ends = add_months(start, months) - timedelta(days=1)
        if ends == end:
            return term_premium(annual, months)
        if ends > end:
            break
    return prorate(annual, term_days(start, end), 365)


def import_policy(values: dict, actor: User | None) -> Policy:
    """Write the term ``values`` describe (checked by the importer: ids,
    dates as ISO text, amounts as text); one transaction."""
    product = db.session.get(InsuranceProduct, values["product_id"])
    assert product is not None  # the importer found it
    start = date.fromisoformat(values["start_date"])
    end = date.fromisoformat(values["end_date"])
    annual = Decimal(values["annual_premium"])
    agent = db.session.get(User, values["agent_id"]) if values.get("agent_id") else actor
    if db.session.scalar(select(Policy.id).where(Policy.number == values["number"]).limit(1)):
        # another agent's term (no duplicate for this user), or one in the recycle bin
        raise ValidationError({"number": [_("a policy with this number is already in the book")]})
    with transaction():
        policy = Policy(
            number=values["number"],
            term_no=1,
            customer_id=values["customer_id"],
            product_id=product.id,
            carrier_id=product.carrier_id,
            line=product.line,
            currency=product.currency,
            status=values["status"],
            frequency="annual",
            annual_premium=annual,
            term_premium=imported_term_premium(annual, start, end),
            sum_insured=Decimal(values.get("sum_insured") or "0"),
            start_date=start,
            end_date=end,
            inception_on=start,
            issued_on=start,
            issued_at=utcnow(),
            inputs={"coverages": None, "sum_insured": values.get("sum_insured")},
            agent_id=agent.id if agent is not None else None,
            team_id=agent.team_id if agent is not None else None,
        )
        db.session.add(policy)
        db.session.flush()
        add_transaction(
            policy,
            "new_business",
            start,
            policy.term_premium,
            actor,
            reason=_("Imported from another system's policy book"),
        )
        audit(actor, policy, "create", None, snapshot(policy))
        log_policy(policy, actor, _("Policy %(number)s imported", number=policy.number))
    return policy


def remove_imported_policy(policy: Policy, actor: User | None) -> None:
    """Take an imported term away (the import undone): a 409 once it has a
    transaction besides its first, or a later term."""
    written = db.session.scalar(
        select(func.count())
        .select_from(PolicyTransaction)
        .where(PolicyTransaction.policy_id == policy.id)
    )
    successor = db.session.scalar(select(Policy.id).where(Policy.predecessor_id == policy.id))
    if (written or 0) > 1 or successor is not None:
        raise ConflictError(
            _("policy %(number)s changed since it was imported", number=policy.number)
        )
    entries = db.session.scalars(
        select(Activity).where(
            Activity.link_type == LINK_TYPE,
            Activity.link_id == policy.id,
            Activity.deleted_at.is_(None),
        )
    ).all()
    with transaction():
        for entry in entries:
            move_to_bin(entry, actor)
        db.session.execute(
            delete(PolicyTransaction).where(PolicyTransaction.policy_id == policy.id)
        )
        delete_record(policy, actor)
