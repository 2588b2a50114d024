"""Churn risk: a score 0–100 per scored customer, with its reasons in words,
and the "at risk, valuable" list per account manager.

The score is the sum of four reasons, each worth at most its points, so a
score can be explained line by line on the customer's page:

=====================  ======  ==============================================
reason                 points  when
=====================  ======  ==============================================
no contact             30      never contacted, or not for ``no_contact_days``
                               (a setting, 90 by default) by the run's day
falling frequency      ≤ 30    fewer money events in the window's second half
                               than in its first: ``⌊30 × (first − second) /
                               first⌋`` (stopping altogether gives 30)
open complaints        ≤ 20    10 for each complaint not yet closed, at most 2
                               (facts whose meaning is ``open_complaints``,
                               summed over the plugins that declare one)
low satisfaction       20      the latest satisfaction score is 6 or less of
                               10 (facts meaning ``satisfaction``; the lowest
                               when several plugins declare one)
=====================  ======  ==============================================

Only customers RFM scores (they have paid once) get a churn score: a
customer who never bought cannot stop buying. "At risk, valuable" is a
churn score of at least 50 (``min_score``) and a monetary score of 4 or 5 —
the top two quintiles of what customers brought in the window.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, or_

from core.api import Customer, User, translator

from ..models import RfmRun, RfmScore
from ..schemas.rfm import rfm_settings
from .rfm.grid import segment_label
from .rfm.reads import scored

_, _l = translator("marketing")

NO_CONTACT_POINTS = 30
FALLING_POINTS = 30
COMPLAINT_POINTS = 10
COMPLAINTS_COUNTED = 2
LOW_SATISFACTION_POINTS = 20
#: a satisfaction score (of 10) at or below this is low: an NPS detractor's
LOW_SATISFACTION = 6
#: the monetary scores that make a customer valuable
VALUABLE = (4, 5)


def score_expression(no_contact_days: int) -> Any:
    """SQL: the churn score of a :class:`RfmScore` row from its own columns."""
    row = RfmScore
    no_contact = case(
        (or_(row.contact_days.is_(None), row.contact_days >= no_contact_days), NO_CONTACT_POINTS),
        else_=0,
    )
    falling = case(
        (
            and_(row.early > 0, row.late < row.early),
            (FALLING_POINTS * (row.early - row.late)) // row.early,
        ),
        else_=0,
    )
    complaints = case(
        (row.open_complaints >= COMPLAINTS_COUNTED, COMPLAINT_POINTS * COMPLAINTS_COUNTED),
        (row.open_complaints >= 1, COMPLAINT_POINTS),
        else_=0,
    )
    unhappy = case((row.satisfaction <= LOW_SATISFACTION, LOW_SATISFACTION_POINTS), else_=0)
    return no_contact + falling + complaints + unhappy


def reasons(score: RfmScore, no_contact_days: int) -> list[str]:
    """The reasons behind ``score.churn_score``, each in words with its points."""
    said = []
    if score.contact_days is None:
        said.append(_("Never contacted (+%(points)s)", points=NO_CONTACT_POINTS))
    elif score.contact_days >= no_contact_days:
        said.append(
            _(
                "No contact for %(days)s days (+%(points)s)",
                days=score.contact_days,
                points=NO_CONTACT_POINTS,
            )
        )
    if score.early > 0 and score.late < score.early:
        said.append(
            _(
                "Buying less: %(late)s purchases in the last half of the period,"
                " %(early)s in the first (+%(points)s)",
                late=score.late,
                early=score.early,
                points=FALLING_POINTS * (score.early - score.late) // score.early,
            )
        )
    complaints = int(score.open_complaints or 0)
    if complaints:
        said.append(
            _(
                "Open complaints: %(count)s (+%(points)s)",
                count=complaints,
                points=COMPLAINT_POINTS * min(complaints, COMPLAINTS_COUNTED),
            )
        )
    if score.satisfaction is not None and score.satisfaction <= LOW_SATISFACTION:
        said.append(
            _(
                "Low satisfaction: %(score)s of 10 (+%(points)s)",
                score=format(Decimal(score.satisfaction).normalize(), "f"),
                points=LOW_SATISFACTION_POINTS,
            )
        )
    return said


def at_risk_query(
    run: RfmRun, user: User | None, min_score: int, owner_id: int | None = None
) -> Select:
    """The :class:`RfmScore` rows of the run's valuable customers at risk
    that ``user`` may see, by account manager (owner), riskiest first."""
    query = scored(run, user).where(RfmScore.churn_score >= min_score, RfmScore.m.in_(VALUABLE))
    if owner_id is not None:
        query = query.where(Customer.owner_id == owner_id)
    return query.order_by(
        Customer.owner_id.nulls_last(),
        RfmScore.churn_score.desc(),
        RfmScore.monetary.desc(),
        Customer.id,
    )


def customer_row(score: RfmScore) -> dict[str, Any]:
    """A scored customer as lists show it: figures, segment, churn reasons."""
    customer = score.customer
    return {
        "customer_id": score.customer_id,
        "name": customer.name,
        "owner_id": customer.owner_id,
        "owner_name": customer.owner.name if customer.owner else None,
        "recency_days": score.recency_days,
        "frequency": score.frequency,
        "monetary": score.monetary,
        "r": score.r,
        "f": score.f,
        "m": score.m,
        "segment": score.segment,
        "segment_label": segment_label(score.segment),
        "churn_score": score.churn_score,
        "reasons": reasons(score, rfm_settings()["no_contact_days"]),
    }
