"""Binding a quote (承保) and issuing the term (出单) — new business or a
renewal term.

**bind** (quoted → bound) checks, refusing by field (422):
the quote still valid (``quote_valid_until``); the beneficiaries' shares of
each rank total 100 (``beneficiaries``); every stored resident identity
card number valid (``national_id``); new business credited only to an
active agent whose licence is valid on the start date
(``agents.check_credit``, ``agent_id``; renewal terms are exempt); the start
no earlier than ``backdate_days`` before today (``start_date``); for a
product with ``recorded_sale_required``, the recording of the sale (双录)
attached to the quote (``documents``; renewal terms are exempt).

**issue** (bound → in force; ``insurance.policy.issue``) checks the start
again (a bound quote may age) and writes, in one transaction: the number
(``next_number("insurance.policy")``; a renewal term keeps its
predecessor's), ``issued_on``/``issued_at``, ``cooling_off_ends_on`` (issued
on + the product's cooling-off days; none when 0), ``callback_due_on`` when
the product requires a callback (回访: issued on + 3 days, at the latest the
day before the cooling-off ends), the instalment schedule, and the
transaction ``new_business`` (term 1) or ``renewal`` with the term premium.
A renewal term must start the day after its predecessor ends
(``start_date``); the predecessor moves to renewed in the same transaction.
``insurance_policy_issued`` (and ``insurance_policy_renewed``) fire after
the commit. A renewal term is exempt from the backdate rule: a late renewal
starts the day after the old term ended.
"""

from __future__ import annotations

from datetime import timedelta

from core.api import (
    ForbiddenError,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    emit,
    next_number,
    normalize_national_id,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import InsuranceProduct, Policy
from ..agents import check_credit
from ..documents import recorded_sale_problem
from ..premiums.schedule import make_schedule
from ..states import POLICY
from ..terms import today
from .journal import POLICY_PATTERN, log_policy
from .parties_input import beneficiaries_of, insured_of, share_problem
from .transactions import add_transaction

_, _l = translator("insurance")
#: days after issue the callback (回访) is due
CALLBACK_DAYS = 3


def bind_problems(policy: Policy) -> dict[str, list[str]]:
    """What keeps ``policy`` from being bound, by field (empty: nothing)."""
    errors: dict[str, list[str]] = {}
    if policy.quote_valid_until is None or policy.quote_valid_until < today():
        errors["quote_valid_until"] = [_("the quote has expired: price it again")]
    problem = share_problem(beneficiaries_of(policy.id))
    if problem:
        errors["beneficiaries"] = [problem]
    for insured in [*insured_of(policy.id), *beneficiaries_of(policy.id)]:
        person = insured.person
        if person.national_id and (person.id_type or "cn_ric") == "cn_ric":
            try:
                normalize_national_id(person.national_id)
            except ValueError as exc:
                errors["national_id"] = [f"{person.name}: {exc}"]
    if policy.term_no == 1:
        try:
            check_credit(policy.agent_id, policy.start_date)
        except ValidationError as exc:
            errors |= exc.errors
    errors |= _start_problem(policy)
    errors |= recorded_sale_problem(policy)
    return errors


def _start_problem(policy: Policy) -> dict[str, list[str]]:
    """The backdate rule (new business): start ≥ today − backdate_days."""
    if policy.term_no > 1:
        return {}
    product = db.session.get(InsuranceProduct, policy.product_id)
    assert product is not None
    earliest = today() - timedelta(days=product.backdate_days or 0)
    if policy.start_date < earliest:
        return {"start_date": [_("the term cannot start before %(day)s", day=earliest.isoformat())]}
    return {}


def bind(policy: Policy, actor: User | None, expected_version: int | None = None) -> Policy:
    """Bind a quoted term (guards above); one transaction."""
    check_version(policy, expected_version)
    target = POLICY.move(policy.status, "bind")
    refuse(bind_problems(policy))
    with transaction():
        before = snapshot(policy)
        policy.status = target
        policy.bound_at = utcnow()
        db.session.flush()
        audit(actor, policy, "bind", before, snapshot(policy))
        log_policy(policy, actor, _("Quote %(number)s bound", number=policy.display_number))
    return policy


def issue(policy: Policy, actor: User | None, expected_version: int | None = None) -> Policy:
    """Issue a bound term (also a renewal term: ``predecessor_id`` set);
    one transaction; a stale ``expected_version`` is a 409 with nothing written."""
    if actor is not None and not actor.can("insurance.policy.issue"):
        raise ForbiddenError(_("You may not issue policies."))
    check_version(policy, expected_version)
    target = POLICY.move(policy.status, "issue")
    refuse(_start_problem(policy))
    predecessor = db.session.get(Policy, policy.predecessor_id) if policy.predecessor_id else None
    if predecessor is not None:
        POLICY.move(predecessor.status, "renew")  # 409 when it cannot be renewed
        if policy.start_date != predecessor.end_date + timedelta(days=1):
            refuse({"start_date": [_("a renewal term starts the day after the last one ends")]})
    product = db.session.get(InsuranceProduct, policy.product_id)
    assert product is not None
    with transaction():
        before = snapshot(policy)
        policy.status = target
        if predecessor is not None:
            policy.number = predecessor.number
            policy.inception_on = predecessor.inception_on
        else:
            policy.number = next_number("insurance.policy", POLICY_PATTERN)
        day = today()
        policy.issued_on, policy.issued_at = day, utcnow()
        policy.cooling_off_ends_on = (
            day + timedelta(days=product.cooling_off_days) if product.cooling_off_days else None
        )
        policy.callback_due_on = None
        if product.callback_required:
            due = day + timedelta(days=CALLBACK_DAYS)
            if policy.cooling_off_ends_on is not None:
                due = min(due, policy.cooling_off_ends_on - timedelta(days=1))
            policy.callback_due_on = due
        db.session.flush()
        make_schedule(policy, product.term_months)
        kind = "renewal" if predecessor is not None else "new_business"
        row = add_transaction(policy, kind, policy.start_date, policy.term_premium, actor)
        audit(actor, policy, "issue", before, snapshot(policy))
        log_policy(policy, actor, _("Policy %(number)s issued", number=policy.number))
        if predecessor is not None:
            old = snapshot(predecessor)
            predecessor.status = POLICY.move(predecessor.status, "renew")
            db.session.flush()
            audit(actor, predecessor, "renew", old, snapshot(predecessor))
            log_policy(
                predecessor,
                actor,
                _(
                    "Policy %(number)s renewed: term %(term)s",
                    number=policy.number,
                    term=policy.term_no,
                ),
            )
            emit("insurance_policy_renewed", predecessor=predecessor, successor=policy)
        emit("insurance_policy_issued", policy=policy, transaction=row)
    return policy
