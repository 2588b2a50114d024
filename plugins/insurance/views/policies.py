"""Policy pages: the list (every row opens its term), the customer page's
Policies tab, a term's page — header, parties, coverages, history, the
forms of the moves its state allows the user and the panels of premiums,
commission, renewal and its claims. A refused input is shown by its field, nothing
saved. The "New quote" form and a draft's edit are :mod:`.quotes`."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    Customer,
    IllegalTransition,
    StaleVersionError,
    ValidationError,
    db,
    form_version,
    list_page,
    list_sort,
    require,
    search_match,
    translator,
    visible_customer,
)

from ..models import InsuranceProduct, Policy
from ..services.access import visible_policies, visible_policy
from ..services.policies.lifecycle import actions_for, transition
from ..services.policies.parties_input import beneficiaries_of, coverages_of, insured_of, objects_of
from ..services.policies.queries import policy_history
from ..services.states import POLICY
from ..services.terms import today
from .blueprint import bp
from .catalogue import frequency_labels
from .claims import claims_panel
from .commission import commission_panel
from .premiums import premium_panel
from .renewals import renewal_panel

_, _l = translator("insurance")

LIST_SIZE = 50  # policies on a page of the list
#: the badge of each state
STATUS_TONES = {
    "draft": "",
    "quoted": "info",
    "bound": "info",
    "in_force": "ok",
    "grace": "warn",
    "lapsed": "bad",
    "cancelled": "bad",
    "expired": "",
    "renewed": "",
}
#: the moves the page's own forms make (cancel and reinstate are in the renewal and premium panels)
PAGE_ACTIONS = ("quote", "revise", "bind", "issue", "endorse")
#: the kinds of policy change (保单变更) in words
KIND_LABELS = {
    "new_business": _l("New business"),
    "renewal": _l("Renewal"),
    "endorsement": _l("Endorsement"),
    "cancellation": _l("Cancellation"),
    "lapse": _l("Lapse"),
    "reinstatement": _l("Reinstatement"),
}
RELATION_LABELS = {
    "self": _l("Self"),
    "spouse": _l("Spouse"),
    "child": _l("Child"),
    "parent": _l("Parent"),
    "employee": _l("Employee"),
    "other": _l("Other"),
}
OBJECT_LABELS = {"vehicle": _l("Vehicle"), "property": _l("Property"), "other": _l("Other")}
#: the policies list's sortable columns
POLICY_SORTS = {
    "number": Policy.number,
    "customer": select(Customer.name).where(Customer.id == Policy.customer_id).scalar_subquery(),
    "product": select(InsuranceProduct.name)
    .where(InsuranceProduct.id == Policy.product_id)
    .scalar_subquery(),
    "premium": Policy.annual_premium,
    "end_date": Policy.end_date,
}


@bp.route("/policies")
@login_required
def policies():
    """Policies the user may see (an agent their own, a manager their
    team's), soonest end first (or sorted by a column: ``sort``, ``-`` for
    descending), 50 a page; found by policy number or policyholder's name."""
    if not current_user.can("insurance.policy.read"):
        abort(404)
    q = request.args.get("q", "").strip()[:100]
    sort, order = list_sort(POLICY_SORTS, (Policy.end_date, Policy.id), Policy.id)
    page = list_page()
    query = visible_policies(current_user)
    if q:
        query = query.where(
            search_match(Policy, q, current_user)
            | Policy.customer_id.in_(
                select(Customer.id).where(search_match(Customer, q, current_user))
            )
        )
    # one row more than a page says whether there is a next one
    rows = db.session.scalars(
        query.options(
            joinedload(Policy.customer), joinedload(Policy.agent), joinedload(Policy.product)
        )
        .order_by(*order)
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    return render_template(
        "insurance/policies.html",
        policies=rows[:LIST_SIZE],
        q=q,
        filters={"q": q} if q else {},
        sort=sort,
        page=page,
        more=len(rows) > LIST_SIZE,
    )


def customer_policies_query(user, customer_id: int):
    """A customer's policies that ``user`` may see — the scope of the policies list."""
    return visible_policies(user).where(Policy.customer_id == customer_id)


@bp.route("/customers/<int:customer_id>/policies")
@login_required
def customer_policies(customer_id: int):
    """The Policies tab of a customer's page (for a customer the user may see)."""
    if not current_user.can("insurance.policy.read"):
        abort(404)
    customer_id = visible_customer(customer_id, current_user).id
    query = customer_policies_query(current_user, customer_id)
    rows = db.session.scalars(
        query.options(joinedload(Policy.product)).order_by(Policy.end_date, Policy.id)
    ).all()
    return render_template(
        "insurance/_customer_policies.html",
        policies=rows,
        customer_id=customer_id,
        may_quote=current_user.can("insurance.policy.write"),
    )


@bp.app_context_processor
def policy_helpers() -> dict:
    return {
        "policy_status": POLICY.state_label,
        "policy_action": POLICY.action_label,
        "policy_tone": lambda status: STATUS_TONES.get(status, ""),
        "policy_change": lambda kind: str(KIND_LABELS.get(kind, kind)),
    }


@bp.route("/policies/<int:policy_id>")
@login_required
def policy(policy_id: int):
    """A policy term: its header, parties, coverages, history, the forms of
    the moves the user may make and the premiums, commission, renewal and
    claims panels."""
    require("insurance.policy.read")
    return _policy_page(visible_policy(policy_id, current_user), None, {}, {})


def _policy_page(found: Policy, failed: str | None, values: dict, errors: dict, status=200):
    product = db.session.get(InsuranceProduct, found.product_id)
    assert product is not None
    coverages = coverages_of(found.id)
    chosen = {c.cover_code: c for c in coverages}
    return render_template(
        "insurance/policies/detail.html",
        policy=found,
        product=product,
        insured=insured_of(found.id),
        beneficiaries=beneficiaries_of(found.id),
        objects=objects_of(found.id),
        coverages=coverages,
        cover_names={c.code: c.name for c in product.covers},
        chosen=chosen,
        history=policy_history(found),
        actions=[a for a in actions_for(found, current_user) if a in PAGE_ACTIONS],
        frequencies=[(k, v) for k, v in frequency_labels().items() if k in product.frequencies],
        frequency_names=frequency_labels(),
        relation_names={k: str(v) for k, v in RELATION_LABELS.items()},
        object_names={k: str(v) for k, v in OBJECT_LABELS.items()},
        premiums=premium_panel(found, current_user),
        commission=commission_panel(found, current_user),
        claims=claims_panel(found, current_user),
        renewal=renewal_panel(found, current_user),
        failed=failed,
        values=values,
        errors=errors,
        today=today(),
    ), status


@bp.route("/policies/<int:policy_id>/transitions", methods=["POST"])
@login_required
def move_policy(policy_id: int):
    """One move from the policy's page: its ``action``, the ``version`` and
    the form's fields (an endorsement's covers, frequency and reason)."""
    require("insurance.policy.read")
    found = visible_policy(policy_id, current_user)
    action = request.form.get("action", "")
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    payload = _endorse_payload(found) if action == "endorse" else {}
    try:
        transition(found, action, current_user, payload, form_version())
    except (StaleVersionError, IllegalTransition):
        db.session.rollback()
        flash(_("Someone else changed this policy meanwhile; look again and retry."), "error")
    except ValidationError as exc:  # 422 by field
        db.session.rollback()
        found = visible_policy(policy_id, current_user)
        return _policy_page(found, action, values, _cover_errors(exc.errors, payload), 422)
    else:
        flash(
            _(
                "%(number)s: %(action)s done.",
                number=found.display_number,
                action=POLICY.action_label(action),
            ),
            "success",
        )
    return redirect(url_for(".policy", policy_id=found.id))


def _endorse_payload(found: Policy) -> dict:
    """The endorse form as the service reads it: the covers ticked with
    their sums and deductibles, the frequency, the effective date, the reason."""
    product = db.session.get(InsuranceProduct, found.product_id)
    assert product is not None
    form = request.form
    payload: dict = {
        "effective_on": form.get("effective_on") or None,
        "reason": form.get("reason") or None,
        "coverages": _covers_from_form(product),
    }
    if form.get("frequency") and form["frequency"] != found.frequency:
        payload["frequency"] = form["frequency"]
    return payload


def _covers_from_form(product: InsuranceProduct) -> list[dict]:
    form = request.form
    return [
        {
            "code": cover.code,
            "sum_insured": (form.get(f"sum_insured.{cover.code}") or "").strip() or None,
            "deductible": (form.get(f"deductible.{cover.code}") or "").strip() or None,
        }
        for cover in product.covers
        if form.get(f"cover.{cover.code}")
    ]


def _cover_errors(errors: dict, payload: dict) -> dict:
    """The service's ``coverages.<i>.<field>`` / ``covers.<i>.<field>`` keys
    as the form's ``<field>.<code>`` (each error next to its input)."""
    rows = payload.get("coverages") or []
    out: dict = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] in ("coverages", "covers") and parts[1].isdigit():
            index = int(parts[1])
            if index < len(rows):
                field = "sum_insured" if parts[2] in ("code", "sum_insured") else parts[2]
                out[f"{field}.{rows[index]['code']}"] = messages
                continue
        out[key] = messages
    return out
