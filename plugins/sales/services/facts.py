"""What sales knows of each customer, and the money won deals bring — for
analysis that knows no plugin (segments, RFM, churn risk; see
``core.api.customer_facts`` and ``core.api.money_rows``).

Every figure reads only live deals: a deal in the recycle bin
(``deleted_at`` set) counts nowhere. Whether a deal is open, won or lost is
its stage's ``outcome``. Money is in the instance's currency: Trellis keeps
no exchange rates, so a deal in another currency adds to no amount (it
still counts among the open deals).

Each select groups the deals by customer on ``ix_sales_deal_report``
(customer, stage, closed at, … amount, … deleted at), which holds every
column they read: with the table's statistics the database answers from
the index alone (SQLite, 200,000 deals of 20,000 customers: 0.1–0.3 s).

- ``sales.open_deals`` — how many deals the customer has in an open stage
  (0 without one);
- ``sales.won_amount`` — the sum of the amounts of the customer's won deals
  in the instance's currency (0 without one);
- ``sales.last_won_at`` — when the customer's latest won deal was won (its
  ``closed_at``, UTC; none without one): the customer's last purchase;
- money event ``sales.won_deal`` — each won deal in the instance's currency:
  the customer, when it was won and its amount;
- journey steps (``core.api.journey_steps``): ``sales.lead`` — when the
  first lead that became the customer came in (a lead points at its
  customer once converted); ``sales.deal`` — when the customer's first deal
  was opened; ``sales.won`` — when the first deal was won (any currency).
"""

from __future__ import annotations

from sqlalchemy import Select, func, select

from core.api import CustomerFact, JourneyStep, MoneyEvent, instance_currency, translator

from ..models import Deal, Lead, Stage

_, _l = translator("sales")

#: what a user must hold to ask the facts (they reveal the deals)
PERMISSION = "sales.deal.read"


def _in_stages(outcome: str):
    """The deal is in a stage of ``outcome`` (a small set of stage ids, so
    the grouping stays on the deals' customer index)."""
    return Deal.stage_id.in_(select(Stage.id).where(Stage.outcome == outcome))


def _live(outcome: str):
    return (_in_stages(outcome), Deal.deleted_at.is_(None))


def open_deals() -> Select:
    """``(customer_id, number of open deals)``."""
    return select(Deal.customer_id, func.count()).where(*_live("open")).group_by(Deal.customer_id)


def won_amount() -> Select:
    """``(customer_id, sum of the won deals' amounts)``, instance currency."""
    return (
        select(Deal.customer_id, func.sum(Deal.amount))
        .where(*_live("won"), Deal.currency == instance_currency())
        .group_by(Deal.customer_id)
    )


def last_won_at() -> Select:
    """``(customer_id, when the latest won deal was won)``."""
    return (
        select(Deal.customer_id, func.max(Deal.closed_at))
        .where(*_live("won"), Deal.closed_at.is_not(None))
        .group_by(Deal.customer_id)
    )


def won_deals() -> Select:
    """``(customer_id, occurred_at, amount)``: one row per won deal in the
    instance's currency, at the time it was won."""
    return select(
        Deal.customer_id.label("customer_id"),
        Deal.closed_at.label("occurred_at"),
        Deal.amount.label("amount"),
    ).where(*_live("won"), Deal.closed_at.is_not(None), Deal.currency == instance_currency())


def customer_facts() -> list[CustomerFact]:
    return [
        CustomerFact(
            "sales.open_deals",
            _l("Open deals"),
            "number",
            open_deals,
            missing=0,
            permission=PERMISSION,
        ),
        CustomerFact(
            "sales.won_amount",
            _l("Won amount"),
            "number",
            won_amount,
            missing=0,
            permission=PERMISSION,
        ),
        CustomerFact(
            "sales.last_won_at",
            _l("Last deal won"),
            "date",
            last_won_at,
            missing=None,
            permission=PERMISSION,
            meaning="last_purchase",
        ),
    ]


def money_events() -> list[MoneyEvent]:
    return [MoneyEvent("sales.won_deal", _l("Won deals"), won_deals)]


def first_lead() -> Select:
    """``(customer_id, when the first lead that became the customer came in)``."""
    return (
        select(Lead.customer_id, func.min(Lead.created_at))
        .where(Lead.customer_id.is_not(None), Lead.deleted_at.is_(None))
        .group_by(Lead.customer_id)
    )


def first_deal() -> Select:
    """``(customer_id, when the first deal was opened)``, lost ones included."""
    return (
        select(Deal.customer_id, func.min(Deal.created_at))
        .where(Deal.deleted_at.is_(None))
        .group_by(Deal.customer_id)
    )


def first_won() -> Select:
    """``(customer_id, when the first deal was won)``."""
    return (
        select(Deal.customer_id, func.min(Deal.closed_at))
        .where(*_live("won"), Deal.closed_at.is_not(None))
        .group_by(Deal.customer_id)
    )


def journey_steps() -> list[JourneyStep]:
    return [
        JourneyStep("sales.lead", _l("Lead"), first_lead, 20, "sales.lead.read"),
        JourneyStep("sales.deal", _l("Deal opened"), first_deal, 30, PERMISSION),
        JourneyStep("sales.won", _l("Deal won"), first_won, 45, PERMISSION),
    ]
