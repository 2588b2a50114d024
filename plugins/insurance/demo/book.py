"""The demo's book of business, every move made through the services
(quote → bind → issue, payments, the arrears job, reinstatement, renewal,
cancellation, callbacks, claims, statements), so its history, instalments,
commission lines and report cells are the real ones.

The story, the same in each language (``T`` is today):

- the household (Wang / Smith): head, spouse, a nine-year-old child and
  the head's mother. The head's car: term 1 from a year and three weeks
  ago, a claim reported, assessed, approved and paid on it, renewed one
  step (term 2 from three weeks ago, paid). The head's term life, paid
  monthly from six months ago: two instalments paid, the third missed —
  the arrears job, run for the day after it fell due, puts it in grace and,
  run for the day after the grace ended, lapses it; it is reinstated today
  with its arrears paid (the reinstatement transaction records the gap).
  Its callback was made. The head's outpatient health cover: a year's
  term from two months ago, paid — a hospital's cashier takes its
  insurance share when the head is treated there. The spouse's term life: issued today, cancelled
  within the cooling-off period, refunded less the fee. The mother's term
  life: issued today, its callback still due. Gaps: motor but no home
  cover (a home quote is waiting for the head's answer), the child insured
  by nothing.
- company vans: three fleet terms ending within the renewal lead (one with
  a claim being assessed), two new-business terms started and paid last
  month, and one paid monthly whose third instalment fell due five days
  ago unpaid: today's arrears run puts it in grace.
- documents (单证): every life quote carries the recording of its sale
  (双录), which the life product requires before the bind; both motor
  claims carry the documents the motor product asks for.
- last month's commission: the carrier's statement (CSV built from the
  lines booked, one policy paid 50 short: one variance row) imported, and
  the agents' statements drafted; the leader's is issued.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from core.api import Customer, User, add_months, create_customer, db

from ..models import AgentStatement, CommissionLine, Household, Policy
from ..services.claims.lifecycle import transition as move_claim
from ..services.claims.reporting import report_claim
from ..services.commission.agent_statements import build_agent_statements, issue_statement
from ..services.commission.statements import import_statement
from ..services.households import add_members, create_household
from ..services.parties import create_person
from ..services.policies.callbacks import record_callback
from ..services.policies.cancellation import cancel
from ..services.policies.issuing import bind, issue
from ..services.policies.quoting import create_quote
from ..services.policies.successors import renew
from ..services.premiums.arrears import run_arrears
from ..services.premiums.payments import open_instalments, record_payment
from ..services.premiums.reinstatement import reinstate
from ..services.premiums.schedule import arrears
from .catalogue import Catalogue
from .documents import attach_claim_documents, attach_recorded_sale

#: what the carrier's statement pays short on its first policy
SHORT_PAID = Decimal("50.00")


@dataclass
class Book:
    """The story's policies, by their part in it (for the demo's tests)."""

    household: Household | None = None
    motor_term1: Policy | None = None
    motor_term2: Policy | None = None
    reinstated: Policy | None = None
    cancelled: Policy | None = None
    callback_due: Policy | None = None
    in_grace: Policy | None = None
    home_quote: Policy | None = None
    health: Policy | None = None
    fleet: list[Policy] = field(default_factory=list)


def write_book(
    text: dict, cat: Catalogue, customers: list[Customer], users: list[User], today: date
) -> Book:
    admin, leader = users[0], users[1]
    agent = users[-1]  # the agent with the leader as upline
    book = Book()
    _household_story(book, text, cat, admin, agent, today)
    _fleet_story(book, text, cat, customers, admin, today)
    run_arrears(today)  # the night's run: the van paid monthly enters grace
    _statements(cat, admin, leader, today)
    return book


def _issued(data: dict, admin: User) -> Policy:
    """Quote, bind (with the recording of the sale the product may require)
    and issue (the administrator may issue)."""
    policy = create_quote(data, admin)
    attach_recorded_sale(policy, admin)
    bind(policy, admin)
    return issue(policy, admin)


def _pay_due(policy: Policy, admin: User, until: date, method: str = "bank_transfer") -> None:
    """Pay each open instalment due on or before ``until``, on its due day."""
    for row in open_instalments(policy.id):
        if row.due_on > until:
            break
        record_payment(policy, admin, row.amount - row.paid, row.due_on, method)


def _pay_first(policy: Policy, admin: User, count: int) -> None:
    """Pay the first ``count`` instalments by direct debit, each on its due day."""
    for row in open_instalments(policy.id)[:count]:
        record_payment(policy, admin, row.amount - row.paid, row.due_on, "direct_debit")


def _household_story(
    book: Book, text: dict, cat: Catalogue, admin: User, agent: User, today: date
) -> None:
    head_customer = create_customer(
        {
            "name": text["head_customer"],
            "owner_id": agent.id,
            "stage": "customer",
            "grade": "A",
            "phones": [text["phone"].format(n=1016)],
        },
        admin,
    ).customer
    book.household = household = create_household(
        {"name": text["household"], "customer_id": head_customer.id}, admin
    )
    people = []
    for n, (name, gender, born) in enumerate(text["members"]):
        birth = date(*born) if born else date(today.year - 9, 6, 1)
        people.append(
            create_person(
                {
                    "customer_id": head_customer.id,
                    "person_customer_id": head_customer.id if n == 0 else None,
                    "name": name,
                    "gender": gender,
                    "birth_date": birth.isoformat(),
                },
                admin,
            )
        )
    add_members(household, {"person_ids": [p.id for p in people]}, admin)
    head, spouse, _child, parent = people
    base = {"customer_id": head_customer.id, "agent_id": agent.id, "household_id": household.id}

    # the car: term 1 from a year and three weeks ago, a claim paid, renewed
    start = add_months(today - timedelta(days=21), -12)
    description, plate = text["car"]
    term1 = _issued(
        base
        | {
            "product_id": cat.motor.id,
            "start_date": start.isoformat(),
            "frequency": "annual",
            "insured": [{"person_id": head.id, "relation": "self"}],
            "objects": [
                {
                    "kind": "vehicle",
                    "description": description,
                    "plate": plate,
                    "vehicle_class": "car",
                    "year": today.year - 4,
                }
            ],
            "coverages": [{"code": "TPL"}, {"code": "OD", "sum_insured": text["sums"]["car"]}],
        },
        admin,
    )
    _pay_due(term1, admin, today)
    loss = start + timedelta(days=120)
    claim = report_claim(
        {
            "policy_id": term1.id,
            "loss_date": loss.isoformat(),
            "claimed_amount": str(Decimal(text["sums"]["car"]) / 24),
            "description": text["paid_claim"],
            "contact_phone": text["phone"].format(n=1016),
        },
        admin,
    )
    attach_claim_documents(claim, admin)
    for action, payload in (
        ("submit", {}),
        ("assess", {}),
        ("approve", {"reason": text["approve_note"]}),
        ("pay", {"paid_on": (loss + timedelta(days=21)).isoformat()}),
    ):
        move_claim(claim, action, admin, payload)
    book.motor_term1 = term1
    book.motor_term2 = term2 = renew(term1, admin)
    _pay_due(term2, admin, today)

    # the head's outpatient health cover, a year from two months ago, paid
    book.health = _issued(
        base
        | {
            "product_id": cat.health.id,
            "start_date": add_months(today, -2).isoformat(),
            "frequency": "annual",
            "insured": [{"person_id": head.id, "relation": "self"}],
            "coverages": [{"code": "OPD", "sum_insured": text["outpatient"][2]}],
        },
        admin,
    )
    _pay_due(book.health, admin, today)

    # the head's life, monthly from six months ago: lapsed, then reinstated today
    life = _issued(
        base
        | {
            "product_id": cat.life.id,
            "start_date": add_months(today, -6).isoformat(),
            "frequency": "monthly",
            "insured": [{"person_id": head.id, "relation": "self"}],
            "beneficiaries": [{"person_id": spouse.id, "rank": 1, "share": "100.00"}],
            "coverages": [{"code": "DEATH", "sum_insured": text["sums"]["life"]}],
        },
        admin,
    )
    missed = open_instalments(life.id)[2].due_on
    _pay_first(life, admin, 2)
    book.reinstated = life
    # the spouse's life: cancelled in the cooling-off period, refunded less the fee
    cancelled = _issued(
        base
        | {
            "product_id": cat.life.id,
            "start_date": (today - timedelta(days=3)).isoformat(),
            "insured": [{"person_id": spouse.id, "relation": "spouse"}],
            "beneficiaries": [{"person_id": head.id, "rank": 1, "share": "100.00"}],
            "coverages": [{"code": "DEATH", "sum_insured": text["sums"]["life"]}],
        },
        admin,
    )
    _pay_due(cancelled, admin, today)
    book.cancelled = cancel(cancelled, admin, effective_on=today, reason=text["cancel_reason"])
    # the mother's life: issued today, its callback due in three days
    book.callback_due = _issued(
        base
        | {
            "product_id": cat.life.id,
            "start_date": today.isoformat(),
            "insured": [{"person_id": parent.id, "relation": "parent"}],
            "beneficiaries": [{"person_id": head.id, "rank": 1, "share": "100.00"}],
            "coverages": [{"code": "DEATH", "sum_insured": text["sums"]["parent"]}],
        },
        admin,
    )
    _pay_due(
        book.callback_due,
        admin,
        today,
        method="wechat_pay" if text["currency"] == "CNY" else "card",
    )
    # the arrears job as it ran the night after the miss and after the grace
    run_arrears(missed + timedelta(days=1))
    db.session.refresh(life)
    assert life.grace_ends_on is not None
    run_arrears(life.grace_ends_on + timedelta(days=1))
    db.session.refresh(life)
    reinstate(life, admin, arrears(life.id, today), True, method="bank_transfer")
    record_callback(life, admin, "confirmed", text["callback_note"])
    # the gap followed up: a home quote, waiting for the head's answer
    book.home_quote = create_quote(
        base
        | {
            "product_id": cat.home.id,
            "start_date": (today + timedelta(days=14)).isoformat(),
            "objects": [{"kind": "property", "description": text["home"]}],
            "coverages": [{"code": "BLDG"}],
        },
        agent,
    )


def _fleet_story(
    book: Book, text: dict, cat: Catalogue, customers: list[Customer], admin: User, today: date
) -> None:
    owned = [c for c in customers if c.owner_id is not None]
    last_month = add_months(today.replace(day=1), -1)
    starts = [
        # three terms ending within the renewal lead
        add_months(today, -12) + timedelta(days=12),
        add_months(today, -12) + timedelta(days=20),
        add_months(today, -12) + timedelta(days=33),
        # two new-business terms of last month
        last_month + timedelta(days=4),
        last_month + timedelta(days=11),
    ]
    for n, (customer, start) in enumerate(zip(owned, starts, strict=False)):
        policy = _issued(_van(customer, cat, text, start, "annual", n), admin)
        _pay_due(policy, admin, today)
        book.fleet.append(policy)
    # a claim on the first van, now being assessed
    claim = report_claim(
        {
            "policy_id": book.fleet[0].id,
            "loss_date": (today - timedelta(days=5)).isoformat(),
            "claimed_amount": str(Decimal(text["sums"]["van"]) / 25),
            "description": text["open_claim"],
        },
        admin,
    )
    attach_claim_documents(claim, admin)
    move_claim(claim, "submit", admin)
    move_claim(claim, "assess", admin)
    # a van paid monthly: its third instalment fell due five days ago, unpaid
    missed = today - timedelta(days=5)
    customer = owned[len(starts) % len(owned)]
    monthly = _issued(_van(customer, cat, text, add_months(missed, -2), "monthly", 9), admin)
    _pay_first(monthly, admin, 2)
    book.in_grace = monthly


def _van(
    customer: Customer, cat: Catalogue, text: dict, start: date, frequency: str, n: int
) -> dict:
    description, plate = text["van"]
    return {
        "customer_id": customer.id,
        "agent_id": customer.owner_id,
        "product_id": cat.motor.id,
        "start_date": start.isoformat(),
        "frequency": frequency,
        "objects": [
            {
                "kind": "vehicle",
                "description": description,
                "plate": plate.format(n=n + 1),
                "vehicle_class": "truck",
                "year": start.year - 2,
            }
        ],
        "coverages": [{"code": "TPL"}, {"code": "OD", "sum_insured": text["sums"]["van"]}],
    }


def _statements(cat: Catalogue, admin: User, leader: User, today: date) -> None:
    """Last month's carrier statement — a CSV of what the carrier pays on
    each policy term with commission booked last month, the first paid 50
    short (its one variance row) — and the agents' statements of last month,
    the leader's issued."""
    month = add_months(today.replace(day=1), -1)
    rows = db.session.execute(
        select(Policy.number, Policy.term_no, func.sum(CommissionLine.expected))
        .join(Policy, Policy.id == CommissionLine.policy_id)
        .where(
            CommissionLine.carrier_id == cat.carrier.id,
            CommissionLine.month == month,
            CommissionLine.statement_line_id.is_(None),
        )
        .group_by(Policy.number, Policy.term_no)
        .order_by(Policy.number, Policy.term_no)
    ).all()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["policy_number", "term_no", "transaction_type", "commission_amount"])
    for k, (number, term_no, expected) in enumerate(rows):
        paid = expected - SHORT_PAID if k == 0 else expected
        writer.writerow([number, term_no, "new" if term_no == 1 else "renewal", f"{paid:.2f}"])
    import_statement(
        cat.carrier.id,
        month,
        f"{cat.carrier.code}-{month:%Y-%m}.csv",
        out.getvalue().encode(),
        admin,
    )
    build_agent_statements(month)
    statement = db.session.scalar(
        select(AgentStatement).where(
            AgentStatement.agent_id == leader.id, AgentStatement.month == month
        )
    )
    if statement is not None:
        issue_statement(statement, admin)
