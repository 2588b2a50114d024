"""What the hospital knows of each patient (a core customer), and the money
patients pay — for analysis that knows no plugin (segments, RFM, churn
risk; see ``core.api.customer_facts`` and ``core.api.money_rows``).

- :mod:`.care`: the visits and the patients' voice (complaints, surveys)
- :mod:`.money`: payments net of refunds

Each fact asks the permission of the records it reveals: the visits'
``his.visit.read``, the feedback's ``his.feedback.read``; so does the
journey step ``his.visit`` (the patient's first visit).
"""

from __future__ import annotations

from core.api import CustomerFact, JourneyStep, MoneyEvent, translator

from . import care, money

_, _l = translator("his")


def customer_facts() -> list[CustomerFact]:
    visits, feedback = "his.visit.read", "his.feedback.read"
    return [
        CustomerFact(
            "his.last_visit_at",
            _l("Last visit"),
            "date",
            care.last_visit_at,
            missing=None,
            permission=visits,
        ),
        CustomerFact(
            "his.visits_last_year",
            _l("Visits in the last 365 days"),
            "number",
            care.visits_last_year,
            missing=0,
            permission=visits,
        ),
        CustomerFact(
            "his.open_complaints",
            _l("Open complaints"),
            "number",
            care.open_complaints,
            missing=0,
            permission=feedback,
            meaning="open_complaints",
        ),
        CustomerFact(
            "his.satisfaction",
            _l("Satisfaction (latest survey, 0–10)"),
            "number",
            care.satisfaction,
            missing=None,
            permission=feedback,
            meaning="satisfaction",
        ),
    ]


def money_events() -> list[MoneyEvent]:
    return [MoneyEvent("his.payment", _l("Payments (net of refunds)"), money.payments)]


def journey_steps() -> list[JourneyStep]:
    return [JourneyStep("his.visit", _l("Visit"), care.first_visit_at, 40, "his.visit.read")]
