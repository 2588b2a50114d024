"""Claim pages under ``/insurance/claims``: the list, a claim's page with
its history and one form per move its state allows the user, the "Report a
claim" form (from a policy) and the customer page's Claims tab. A refused
input is shown by its field, nothing saved; opening a claim is audited."""

from __future__ import annotations

from collections.abc import Sequence

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.api import (
    ConflictError,
    CustomerTab,
    IllegalTransition,
    StaleVersionError,
    ValidationError,
    audit,
    db,
    form_payload,
    form_version,
    list_page,
    list_sort,
    require,
    transaction,
    translator,
    visible_customer,
)

from ..models import CLAIM_STATES, Claim, Policy
from ..services.access import visible_claims, visible_policies
from ..services.claims import report_claim, transition
from ..services.claims.events import today
from ..services.claims.lifecycle import TransitionInput, actions_for
from ..services.claims.queries import claim_history, search_claims, visible_claim
from ..services.claims.reporting import ReportClaimInput
from ..services.claims.review import review_claim
from ..services.states import CLAIM, CLAIM_STATE_LABELS
from .blueprint import bp

_, _l = translator("insurance")
LIST_SIZE = 50
CLAIM_SORTS = {
    "number": Claim.number,
    "loss_date": Claim.loss_date,
    "claimed": Claim.claimed_amount,
    "reserve": Claim.reserve,
    "reported_at": Claim.reported_at,
}
STATUS_TONES = {
    "reported": "info",
    "documents_pending": "warn",
    "submitted": "info",
    "assessing": "warn",
    "approved": "ok",
    "partially_approved": "ok",
    "rejected": "bad",
    "paid": "ok",
    "closed": "",
}
#: the risk warnings (风险预警) in words
RISK_LABELS = {
    "early_claim": _l("Soon after inception"),
    "frequent": _l("Frequent claims"),
    "not_covered": _l("Not covered on the loss date"),
    "sum_outlier": _l("Sum insured far above the norm"),
    "raised_cover": _l("Cover raised shortly before the loss"),
    "late_report": _l("Reported late"),
}
#: what a claim is for, when not an ordinary loss
CAUSE_LABELS = {"outpatient": _l("Outpatient")}
#: the claims the policy page lists (the rest through the claims list)
PANEL_SIZE = 20
#: the live policy states offered to report a claim on from the customer's tab
CLAIMABLE = ("in_force", "grace", "lapsed", "expired", "renewed")


@bp.app_context_processor
def claim_helpers() -> dict:
    return {
        "claim_status": CLAIM.state_label,
        "claim_action": CLAIM.action_label,
        "claim_tone": lambda status: STATUS_TONES.get(status, ""),
        "claim_risk": lambda code: str(RISK_LABELS.get(code, code)),
        "claim_cause": lambda cause: str(CAUSE_LABELS.get(cause, cause or "")),
    }


def claims_panel(policy: Policy, user) -> dict | None:
    """What the policy page's Claims section shows: the term's claims the
    user may see (``search_claims``), newest report first, at most
    ``PANEL_SIZE``, and their claimed and paid sums per currency; None
    without ``insurance.claim.read``."""
    if user is None or not user.can("insurance.claim.read"):
        return None
    query = search_claims(user, {"policy_id": policy.id})
    rows = db.session.scalars(
        query.order_by(Claim.reported_at.desc(), Claim.id.desc()).limit(PANEL_SIZE + 1)
    ).all()
    mine = query.subquery()
    totals = db.session.execute(
        select(mine.c.currency, func.sum(mine.c.claimed_amount), func.sum(mine.c.paid_amount))
        .group_by(mine.c.currency)
        .order_by(mine.c.currency)
    ).all()
    return {"rows": rows[:PANEL_SIZE], "more": len(rows) > PANEL_SIZE, "totals": totals}


@bp.route("/claims")
@login_required
def claims():
    """Claims the user may see, newest report first (or sorted by a
    column), 50 a page; by status, found by claim or policy number or
    policyholder."""
    require("insurance.claim.read")
    status = request.args.get("status", "")
    args = {
        "q": request.args.get("q", "").strip()[:100],
        "status": status if status in CLAIM_STATES else None,
        "to_review": request.args.get("to_review", "").lower() in ("1", "true"),
    }
    page = list_page()
    sort, order = list_sort(
        CLAIM_SORTS, (Claim.reported_at.desc(), Claim.id.desc()), Claim.id.desc()
    )
    rows = db.session.scalars(
        search_claims(current_user, args)
        .options(joinedload(Claim.customer), joinedload(Claim.policy))
        .order_by(*order)
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    filters = {k: "1" if v is True else v for k, v in args.items() if v}
    return render_template(
        "insurance/claims.html",
        claims=rows[:LIST_SIZE],
        args=args,
        filters=filters,
        sort=sort,
        page=page,
        more=len(rows) > LIST_SIZE,
        statuses=list(CLAIM_STATE_LABELS.items()),
    )


@bp.route("/claims/<int:claim_id>")
@login_required
def claim(claim_id: int):
    """A claim: its details, its history and a form for each move the user may make."""
    require("insurance.claim.read")
    found = visible_claim(claim_id, current_user)
    with transaction():  # every open of a claim file is audited
        audit(current_user, found, "view", None, None)
    return _claim_page(found, None, {}, {})


def _claim_page(found: Claim, failed: str | None, values: dict, errors: dict, status=200):
    return render_template(
        "insurance/claim.html",
        claim=found,
        events=claim_history(found),
        actions=actions_for(found, current_user),
        failed=failed,
        values=values,
        errors=errors,
        today=today(),
    ), status


@bp.route("/claims/<int:claim_id>/transitions", methods=["POST"])
@login_required
def move_claim(claim_id: int):
    """One move from the claim's page (its ``action`` and the form's fields)."""
    require("insurance.claim.read")
    found = visible_claim(claim_id, current_user)
    action = request.form.get("action", "")
    values = form_payload(TransitionInput())
    try:
        transition(found, action, current_user, values, form_version())
    except (StaleVersionError, IllegalTransition):
        db.session.rollback()
        flash(_("Someone else moved this claim meanwhile; look again and retry."), "error")
    except ValidationError as exc:  # 422 by field
        db.session.rollback()
        found = visible_claim(claim_id, current_user)
        return _claim_page(found, action, values, exc.errors, 422)
    else:
        flash(
            _(
                "%(number)s: %(action)s done.",
                number=found.number,
                action=CLAIM.action_label(action),
            ),
            "success",
        )
    return redirect(url_for(".claim", claim_id=found.id))


@bp.route("/claims/<int:claim_id>/review", methods=["POST"])
@login_required
def review_claim_page(claim_id: int):
    """The review of the claim's risk warnings, from its page."""
    require("insurance.claim.assess")
    found = visible_claim(claim_id, current_user)
    values = {"note": request.form.get("note", "")}
    try:
        review_claim(found, current_user, values["note"], form_version())
    except (StaleVersionError, ConflictError):
        db.session.rollback()
        flash(_("Someone else changed this claim meanwhile; look again and retry."), "error")
    except ValidationError as exc:
        db.session.rollback()
        found = visible_claim(claim_id, current_user)
        return _claim_page(found, "review", values, exc.errors, 422)
    else:
        flash(_("%(number)s: risk warnings reviewed.", number=found.number), "success")
    return redirect(url_for(".claim", claim_id=found.id))


@bp.route("/claims/new", methods=["GET", "POST"])
@login_required
def new_claim():
    """Report a claim on a policy term (``policy_id``) the user may see."""
    require("insurance.claim.write")
    policy = db.session.scalar(
        visible_policies(current_user)
        .where(Policy.id == request.args.get("policy_id", 0, type=int))
        .options(joinedload(Policy.customer), joinedload(Policy.product))
    )
    if policy is None:
        abort(404)
    exception = current_user.can("insurance.claim.exception")
    if request.method == "GET":
        values = {"loss_date": today().isoformat(), "channel": "agent"}
        return _report_form(policy, values, {}, exception)
    values = form_payload(ReportClaimInput()) | {"policy_id": policy.id}
    try:
        created = report_claim(values, current_user)
    except ValidationError as exc:
        db.session.rollback()
        return _report_form(policy, values, exc.errors, exception, 422)
    flash(_("Claim %(number)s reported.", number=created.number), "success")
    return redirect(url_for(".claim", claim_id=created.id))


def _report_form(policy: Policy, values: dict, errors: dict, exception: bool, status=200):
    channels = [("agent", _("By the agent")), ("customer", _("By the customer"))]
    return render_template(
        "insurance/claim_form.html",
        policy=policy,
        values=values,
        errors=errors,
        channels=channels,
        may_except=exception,
    ), status


def claims_tab(customer, user) -> CustomerTab:
    """The Claims tab: listed when the customer holds a claim the user may
    see, or a policy term the user may report one on."""
    records = visible_claims(user).where(Claim.customer_id == customer.id)
    if user.can("insurance.claim.write") and user.can("insurance.policy.read"):
        # every claim is on one of the customer's policies, so these find it too
        records = visible_policies(user).where(Policy.customer_id == customer.id)
    return CustomerTab(
        "claims", _l("Claims"), "insurance.customer_claims", order=31, records=records
    )


@bp.route("/customers/<int:customer_id>/claims")
@login_required
def customer_claims(customer_id: int):
    """The Claims tab of a customer's page: their claims the user may see,
    newest first, and their policies to report a claim on."""
    require("insurance.claim.read")
    customer_id = visible_customer(customer_id, current_user).id
    rows = db.session.scalars(
        visible_claims(current_user)
        .where(Claim.customer_id == customer_id)
        .options(joinedload(Claim.policy))
        .order_by(Claim.reported_at.desc(), Claim.id.desc())
    ).all()
    policies: Sequence[Policy] = ()
    if current_user.can("insurance.claim.write") and current_user.can("insurance.policy.read"):
        policies = db.session.scalars(
            visible_policies(current_user)
            .where(Policy.customer_id == customer_id, Policy.status.in_(CLAIMABLE))
            .options(joinedload(Policy.product))
            .order_by(Policy.end_date.desc(), Policy.id)
        ).all()
    return render_template("insurance/_customer_claims.html", claims=rows, policies=policies)
