"""Renewal pages under ``/insurance/renewals``: the due list (续保清单) with
its filters and a form per row to quote, renew or mark the renewal lost;
the forms of the policy page's renewal panel (:func:`renewal_panel`, which
the policy page includes as ``renewal``): the next term, the callback
(回访) and the cancellation (退保, with the cooling-off refund shown).

Each form posts here and comes back to the page it was sent from (``next``,
a path of this site) with a message; a refused input is named in it,
nothing saved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from core.api import (
    ConflictError,
    ForbiddenError,
    IllegalTransition,
    StaleVersionError,
    User,
    ValidationError,
    db,
    form_version,
    list_page,
    list_sort,
    require,
    translator,
)

from ..models import CALLBACK_OUTCOMES, LIVE_STATES, LOST_REASONS, InsuranceProduct, Policy
from ..services.access import visible_policy
from ..services.policies import callbacks, cancellation
from ..services.policies.renewals import (
    LOST_REASON_LABELS,
    change_percent,
    due_agent_ids,
    due_query,
    mark_lost,
    renewable,
    successor_of,
)
from ..services.policies.successors import renew, renewal_quote
from ..services.states import POLICY
from ..services.terms import today
from .blueprint import bp

_, _l = translator("insurance")
LIST_SIZE = 50
#: the "ending within" choices of the due list (days)
WITHIN_CHOICES = (7, 15, 30, 60, 90)
RENEWAL_SORTS = {"end_date": Policy.end_date, "premium": Policy.annual_premium}


@bp.app_context_processor
def renewal_helpers() -> dict:
    return {
        "lost_reason_label": lambda code: str(LOST_REASON_LABELS.get(code, code)),
        "callback_outcome_label": lambda code: str(
            callbacks.CALLBACK_OUTCOME_LABELS.get(code, code)
        ),
    }


@bp.route("/renewals")
@login_required
def renewals():
    """Terms due for renewal the user may see, soonest end first (or sorted
    by a column), 50 a page; ``within`` days (default: each product's lead
    days), ``agent``."""
    if not current_user.can("insurance.policy.read"):
        abort(404)
    within = request.args.get("within", type=int)
    if within is not None and not 0 <= within <= 3650:
        within = None
    agent = request.args.get("agent", type=int)
    on = today()
    query = due_query(current_user, on, within=within)
    agents = _agents(on, within)
    if agent is not None:
        query = query.where(Policy.agent_id == agent)
    sort, order = list_sort(RENEWAL_SORTS, (Policy.end_date, Policy.id), Policy.id)
    page = list_page()
    rows = db.session.scalars(
        query.options(  # loaded for the page's rows only, after the sort
            selectinload(Policy.customer), selectinload(Policy.product), selectinload(Policy.agent)
        )
        .order_by(*order)
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    filters = {k: v for k, v in {"within": within, "agent": agent}.items() if v is not None}
    return render_template(
        "insurance/renewals/list.html",
        policies=rows[:LIST_SIZE],
        today=on,
        within=within,
        agent=agent,
        agents=agents,
        within_choices=[(d, _("%(days)d days", days=d)) for d in WITHIN_CHOICES],
        lost_reasons=[(code, str(LOST_REASON_LABELS[code])) for code in LOST_REASONS],
        filters=filters,
        sort=sort,
        page=page,
        more=len(rows) > LIST_SIZE,
        may_write=current_user.can("insurance.policy.write"),
        may_issue=current_user.can("insurance.policy.issue"),
    )


def _agents(on: date, within: int | None) -> list[tuple[int, str]]:
    """The agents of the terms in the list's window (for its agent filter)."""
    ids = due_agent_ids(current_user, on, within=within)
    return [
        (user.id, user.name)
        for user in db.session.scalars(
            select(User).where(User.id.in_(ids)).order_by(User.name, User.id)
        )
    ]


# -- the policy page's panel ---------------------------------------------------------


def renewal_panel(policy: Policy, user: User | None) -> dict | None:
    """What the policy page shows of ``policy``'s renewal, callback and
    cancellation, and the forms ``user`` may use (None: nothing to show)."""
    if user is None or not user.can("insurance.policy.read"):
        return None
    on = today()
    may_write = user.can("insurance.policy.write")
    product = db.session.get(InsuranceProduct, policy.product_id)
    successor = successor_of(policy)
    taken = successor is not None and successor.status not in ("draft", "cancelled")
    open_renewal = (
        policy.renewal_outcome is None
        and not taken
        and policy.number is not None
        and renewable(policy, on)
    )
    lead = product.renewal_lead_days if product is not None else 30
    days_left = (policy.end_date - on).days
    return {
        "policy": policy,
        "issued": policy.issued_on is not None,
        "today": on,
        "successor": successor,
        "predecessor": db.session.get(Policy, policy.predecessor_id)
        if policy.predecessor_id
        else None,
        "successor_url": _policy_url(successor),
        "days_left": days_left,
        "due": open_renewal and days_left <= lead,
        "lost": policy.renewal_outcome == "lost",
        "may_quote": may_write and open_renewal,
        "may_renew": may_write
        and user.can("insurance.policy.issue")
        and open_renewal
        and policy.status in ("in_force", "expired"),
        "may_lose": may_write and open_renewal,
        "lost_reasons": [(code, str(LOST_REASON_LABELS[code])) for code in LOST_REASONS],
        "callback": _callback_part(policy, product, may_write, on),
        "cancel": _cancel_part(policy, may_write),
        "next": request.path if request else "",
    }


def _policy_url(policy: Policy | None) -> str | None:
    """The policy's page, else the policies list found by its number."""
    if policy is None:
        return None
    try:
        return url_for("insurance.policy", policy_id=policy.id)
    except BuildError:
        return url_for("insurance.policies", q=policy.display_number)


def _callback_part(policy: Policy, product, may_write: bool, on: date) -> dict | None:
    if product is None or not product.callback_required or policy.issued_on is None:
        return None
    return {
        "due_on": policy.callback_due_on,
        "done_at": policy.callback_done_at,
        "outcome": policy.callback_outcome,
        "may_record": may_write
        and policy.callback_done_at is None
        and policy.status in LIVE_STATES,
        "outcomes": [
            (code, str(callbacks.CALLBACK_OUTCOME_LABELS[code])) for code in CALLBACK_OUTCOMES
        ],
        "offers_cancel": callbacks.offers_cancel(policy, on),
    }


def _cancel_part(policy: Policy, may_write: bool) -> dict | None:
    """The cancel form: what a cancellation today would give back."""
    if not may_write or "cancel" not in POLICY.allowed(policy.status):
        return None
    if policy.status in cancellation.NOT_ISSUED:
        return {"issued": False}
    on = cancellation.default_effective_on(policy)
    cooling = cancellation.in_cooling_off(policy, on)
    needs_refund = (
        policy.line in cancellation.CASH_VALUE_LINES and not cooling and policy.status != "lapsed"
    )
    refund: Decimal | None = None
    if not needs_refund:
        try:
            refund = cancellation.terms_of(policy, on)[1]
        except ValidationError:
            refund = None
    return {
        "issued": True,
        "on": on,
        "cooling_off": cooling,
        "cooling_off_ends_on": policy.cooling_off_ends_on,
        "needs_refund": needs_refund,
        "paid": cancellation.paid_net(policy),
        "refund": refund,
        "lapsed": policy.status == "lapsed",
    }


# -- the forms ------------------------------------------------------------------------


def _back(policy: Policy):
    """To the page the form was sent from (a path of this site), else the list."""
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for(".renewals"))


def _run(policy: Policy, work: Callable[[], str]):
    """Do ``work`` (which returns the message of its success); a refusal is
    flashed by its fields, a conflict by its message."""
    try:
        message = work()
    except ValidationError as exc:
        db.session.rollback()
        flash(
            "; ".join(" ".join(str(m) for m in msgs) for msgs in exc.errors.values())
            or _("Please correct the marked fields."),
            "error",
        )
    except (StaleVersionError, IllegalTransition):
        db.session.rollback()
        flash(_("Someone else changed this policy meanwhile; look again and retry."), "error")
    except (ConflictError, ForbiddenError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(message, "success")
    return _back(policy)


def _found(policy_id: int) -> Policy:
    require("insurance.policy.write")
    return visible_policy(policy_id, current_user)


@bp.route("/renewals/<int:policy_id>/quote", methods=["POST"])
@login_required
def renewal_quote_form(policy_id: int):
    """Quote the next term (from the list or the policy page)."""
    policy = _found(policy_id)

    def work() -> str:
        successor = renewal_quote(policy, current_user, expected_version=form_version())
        change = change_percent(policy.annual_premium, successor.annual_premium)
        return _(
            "Renewal quote %(quote)s: %(old)s → %(new)s a year (%(change)s).",
            quote=successor.quote_number,
            old=f"{policy.annual_premium:,.2f}",
            new=f"{successor.annual_premium:,.2f}",
            change="—" if change is None else f"{change:+}%",
        )

    return _run(policy, work)


@bp.route("/renewals/<int:policy_id>/renew", methods=["POST"])
@login_required
def renewal_renew_form(policy_id: int):
    """Renew in one step (quote, bind and issue the next term)."""
    policy = _found(policy_id)

    def work() -> str:
        successor = renew(policy, current_user, expected_version=form_version())
        return _(
            "Policy %(number)s renewed: term %(term)s from %(start)s.",
            number=successor.number,
            term=successor.term_no,
            start=successor.start_date.isoformat(),
        )

    return _run(policy, work)


@bp.route("/renewals/<int:policy_id>/lost", methods=["POST"])
@login_required
def renewal_lost_form(policy_id: int):
    """Mark the renewal lost, with its reason and a note."""
    policy = _found(policy_id)

    def work() -> str:
        mark_lost(
            policy,
            current_user,
            request.form.get("lost_reason") or None,
            request.form.get("lost_note"),
            form_version(),
        )
        return _("Renewal of %(number)s marked lost.", number=policy.display_number)

    return _run(policy, work)


@bp.route("/renewals/<int:policy_id>/callback", methods=["POST"])
@login_required
def renewal_callback_form(policy_id: int):
    """Record the callback's outcome and note."""
    policy = _found(policy_id)

    def work() -> str:
        callbacks.record_callback(
            policy,
            current_user,
            request.form.get("outcome") or None,
            request.form.get("note"),
            form_version(),
        )
        return _("Callback on %(number)s recorded.", number=policy.display_number)

    return _run(policy, work)


@bp.route("/renewals/<int:policy_id>/cancel", methods=["POST"])
@login_required
def renewal_cancel_form(policy_id: int):
    """Cancel the term (a quote not taken, or 退保 with its refund)."""
    policy = _found(policy_id)

    def work() -> str:
        effective = request.form.get("effective_on", "").strip()
        try:
            on = date.fromisoformat(effective) if effective else None
        except ValueError:
            raise ValidationError({"effective_on": [_("Not a valid date.")]}) from None
        cancellation.cancel(
            policy,
            current_user,
            effective_on=on,
            refund=request.form.get("refund", "").strip() or None,
            reason=request.form.get("reason"),
            expected_version=form_version(),
        )
        return _("%(number)s cancelled.", number=policy.display_number)

    return _run(policy, work)
