"""The plugin's dashboard cards (``trellis_dashboard_widgets``), each a view
returning its card's HTML, in the user's scope (``services/access.py``):

- ``insurance_renewals_due``: terms in force or in grace ending within 30
  days, soonest first;
- ``insurance_grace``: terms in grace (宽限期), the grace period ending
  soonest first;
- ``insurance_open_claims``: claims not yet closed, oldest report first;
- ``insurance_claim_review``: claims with risk warnings not yet reviewed
  (the review queue), oldest first — for assessors (``insurance.claim.assess``).

Each lists at most :data:`SIZE` rows and says how many there are in all."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.api import DashboardWidget, User, db, require, translator

from ..models import Claim, Policy
from ..services.access import visible_claims, visible_policies
from ..services.terms import today
from .blueprint import bp

_, _l = translator("insurance")

SIZE = 8
#: how far ahead the renewals card looks
RENEWAL_DAYS = 30


def dashboard_widgets(user: User) -> list[DashboardWidget]:
    """The cards ``user`` may see."""
    cards = []
    if user.can("insurance.policy.read"):
        cards += [
            DashboardWidget(
                "insurance_renewals_due", _l("Renewals due"), "insurance.widget_renewals", 50
            ),
            DashboardWidget("insurance_grace", _l("In grace period"), "insurance.widget_grace", 51),
        ]
    if user.can("insurance.claim.read"):
        cards.append(
            DashboardWidget(
                "insurance_open_claims", _l("Open claims"), "insurance.widget_open_claims", 52
            )
        )
    if user.can("insurance.claim.assess"):
        cards.append(
            DashboardWidget(
                "insurance_claim_review",
                _l("Claims to review"),
                "insurance.widget_claim_review",
                53,
            )
        )
    return cards


def _first(query, order) -> tuple[list, int]:
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.order_by(*order).limit(SIZE)).all()
    return list(rows), total or 0


@bp.route("/widgets/renewals")
@login_required
def widget_renewals():
    """Terms ending within 30 days (in force or in grace), soonest first."""
    require("insurance.policy.read")
    day = today()
    query = (
        visible_policies(current_user)
        .where(
            Policy.status.in_(("in_force", "grace")),
            Policy.deleted_at.is_(None),
            Policy.end_date >= day,
            Policy.end_date <= day + timedelta(days=RENEWAL_DAYS),
        )
        .options(joinedload(Policy.customer))
    )
    rows, total = _first(query, (Policy.end_date, Policy.id))
    return render_template("insurance/widgets/renewals.html", rows=rows, total=total)


@bp.route("/widgets/grace")
@login_required
def widget_grace():
    """Terms in grace, the grace period ending soonest first."""
    require("insurance.policy.read")
    query = (
        visible_policies(current_user)
        .where(Policy.status == "grace", Policy.deleted_at.is_(None))
        .options(joinedload(Policy.customer))
    )
    rows, total = _first(query, (Policy.grace_ends_on, Policy.id))
    return render_template("insurance/widgets/grace.html", rows=rows, total=total)


@bp.route("/widgets/open-claims")
@login_required
def widget_open_claims():
    """Claims not closed, oldest report first."""
    require("insurance.claim.read")
    query = (
        visible_claims(current_user)
        .where(Claim.status != "closed", Claim.deleted_at.is_(None))
        .options(joinedload(Claim.customer))
    )
    rows, total = _first(query, (Claim.reported_at, Claim.id))
    return render_template("insurance/widgets/claims.html", rows=rows, total=total, review=False)


@bp.route("/widgets/claim-review")
@login_required
def widget_claim_review():
    """Claims with risk warnings not yet reviewed, oldest first."""
    require("insurance.claim.assess")
    query = (
        visible_claims(current_user)
        .where(Claim.reviewed_at.is_(None), Claim.risk_count > 0, Claim.deleted_at.is_(None))
        .options(joinedload(Claim.customer))
    )
    rows, total = _first(query, (Claim.reported_at, Claim.id))
    return render_template("insurance/widgets/claims.html", rows=rows, total=total, review=True)
