"""A small, fixed book of contracts, instalments, payments, quotes and
approval decisions, written straight into the tables so every money figure
can be worked out by hand (the money reports, targets by measure and
commission on collected money are tested against it).

People: Wang and Li (team East), Zhao (team West), Boss (manager of East),
Admin. ``AS_OF`` is 15 April 2026.

Contracts (signed on)                  instalments: due, amount, collected
  C1 Wang 100,000 CNY (2026-03-05)     #1 03-10 50,000 50,000 (settled) · #2 04-10 50,000 20,000
  C2 Wang  50,000 CNY (2026-03-20)     #1 05-01 50,000 0
  C3 Li    80,000 CNY (2026-02-10)     #1 01-10 40,000 10,000 · #2 02-14 40,000 0
  C4 Zhao  40,000 CNY (2026-04-02)     #1 03-16 20,000 0 · #2 04-15 20,000 0
  C5 Wang  10,000 USD (2026-03-10)     #1 04-01 10,000 4,000
  C6 Li    30,000 CNY draft, not signed
  C7 Li    25,000 CNY (2025-12-01)     #1 01-15 25,000 5,000

Payments: P1 Wang 50,000 paid 03-08 confirmed · P2 Wang 20,000 04-05
confirmed · P3 Li 10,000 02-20 confirmed · P4 Wang 15,000 paid 03-25,
reversed 04-03 · P5 Li 5,000 03-12 confirmed · P6 Wang 4,000 USD 04-02
confirmed · P7 Li 8,000 03-30 rejected · P8 Zhao 3,000 04-10 pending ·
P9 Wang 3,000 paid 03-28, reversed 03-31 23:30 UTC.

Quotes sent in March: Q1 Wang accepted (→ C1), Q2 Wang rejected, Q3 Li
expired, Q4 Li still sent, Q5 Wang superseded by its revision Q6 (accepted,
no contract); Q7 Zhao sent 04-02 accepted (→ C4); Q8 Wang a draft.

Approval decisions (flow, approver, hours from the task's opening):
"Large contracts": C1 Boss 2 h, C2 Boss 4 h, C3 Boss 24 h (rejected), C3
Admin 10 h; "Payments": P1 Admin 1 h — all in March; one waiting task and
one decided on 2 April.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from core.api import ApprovalRequest, Team, db
from plugins.sales.models import Contract, Instalment, Payment, Quote

AS_OF = date(2026, 4, 15)
ApprovalTask = ApprovalRequest.tasks.property.mapper.class_
ApprovalFlow = ApprovalRequest.flow.property.mapper.class_


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def money_world(app, make_user, make_customer):
    east, west = Team(name="East"), Team(name="West")
    db.session.add_all([east, west])
    db.session.commit()
    w: dict = {
        "east": east,
        "west": west,
        "wang": make_user(team=east, name="Wang"),
        "li": make_user(team=east, name="Li"),
        "zhao": make_user(team=west, name="Zhao"),
        "boss": make_user(role="manager", team=east, name="Boss"),
        "admin": make_user(role="admin", name="Admin"),
    }
    customers = {
        rep: make_customer(name=f"Customer of {w[rep].name}", owner_id=w[rep].id)
        for rep in ("wang", "li", "zhao")
    }

    def owned(rep: str) -> dict:
        user = w[rep]
        return {"customer_id": customers[rep].id, "owner_id": user.id, "team_id": user.team_id}

    def contract(key, rep, amount, signed, currency="CNY", status="signed", quote=None):
        made = Contract(
            number=f"HT-{key}",
            title=f"Contract {key}",
            amount=Decimal(amount),
            currency=currency,
            status=status,
            signed_date=signed,
            quote_id=quote.id if quote else None,
            **owned(rep),
        )
        db.session.add(made)
        db.session.flush()
        w[key] = made
        return made

    def instalment(key, c, number, due, amount, collected="0", settled=None):
        made = Instalment(
            contract_id=c.id,
            number=number,
            due_date=due,
            amount=Decimal(amount),
            collected=Decimal(collected),
            settled_on=settled,
            currency=c.currency,
            customer_id=c.customer_id,
            owner_id=c.owner_id,
            team_id=c.team_id,
        )
        db.session.add(made)
        db.session.flush()
        w[key] = made
        return made

    def payment(key, i, amount, paid, status="confirmed", reversed_at=None):
        made = Payment(
            contract_id=i.contract_id,
            instalment_id=i.id,
            customer_id=i.customer_id,
            owner_id=i.owner_id,
            team_id=i.team_id,
            amount=Decimal(amount),
            currency=i.currency,
            paid_on=paid,
            status=status,
            confirmed_at=utc(paid.year, paid.month, paid.day, 12)
            if status in ("confirmed", "reversed")
            else None,
            reversed_at=reversed_at,
        )
        db.session.add(made)
        db.session.flush()
        w[key] = made
        return made

    def quote(key, rep, status, sent, revision=1, number=None):
        made = Quote(
            number=number or f"QT-{key}",
            revision=revision,
            title=f"Quote {key}",
            status=status,
            currency="CNY",
            total=Decimal("1000"),
            sent_at=sent,
            **owned(rep),
        )
        db.session.add(made)
        db.session.flush()
        w[key] = made
        return made

    quote("Q1", "wang", "accepted", utc(2026, 3, 2, 10))
    quote("Q2", "wang", "rejected", utc(2026, 3, 5, 10))
    quote("Q3", "li", "expired", utc(2026, 3, 10, 10))
    quote("Q4", "li", "sent", utc(2026, 3, 15, 10))
    quote("Q5", "wang", "superseded", utc(2026, 3, 20, 10), number="QT-Q5")
    quote("Q6", "wang", "accepted", utc(2026, 3, 22, 10), revision=2, number="QT-Q5")
    quote("Q7", "zhao", "accepted", utc(2026, 4, 2, 10))
    quote("Q8", "wang", "draft", None)

    c1 = contract("C1", "wang", "100000", date(2026, 3, 5), quote=w["Q1"])
    c2 = contract("C2", "wang", "50000", date(2026, 3, 20))
    c3 = contract("C3", "li", "80000", date(2026, 2, 10))
    c4 = contract("C4", "zhao", "40000", date(2026, 4, 2), quote=w["Q7"])
    c5 = contract("C5", "wang", "10000", date(2026, 3, 10), currency="USD")
    contract("C6", "li", "30000", None, status="draft")
    c7 = contract("C7", "li", "25000", date(2025, 12, 1))

    i11 = instalment("I1.1", c1, 1, date(2026, 3, 10), "50000", "50000", date(2026, 3, 8))
    i12 = instalment("I1.2", c1, 2, date(2026, 4, 10), "50000", "20000")
    i21 = instalment("I2.1", c2, 1, date(2026, 5, 1), "50000")
    i31 = instalment("I3.1", c3, 1, date(2026, 1, 10), "40000", "10000")
    i32 = instalment("I3.2", c3, 2, date(2026, 2, 14), "40000")
    i41 = instalment("I4.1", c4, 1, date(2026, 3, 16), "20000")
    instalment("I4.2", c4, 2, date(2026, 4, 15), "20000")
    i51 = instalment("I5.1", c5, 1, date(2026, 4, 1), "10000", "4000")
    i71 = instalment("I7.1", c7, 1, date(2026, 1, 15), "25000", "5000")

    payment("P1", i11, "50000", date(2026, 3, 8))
    payment("P2", i12, "20000", date(2026, 4, 5))
    payment("P3", i31, "10000", date(2026, 2, 20))
    payment("P4", i12, "15000", date(2026, 3, 25), "reversed", utc(2026, 4, 3, 10))
    payment("P5", i71, "5000", date(2026, 3, 12))
    payment("P6", i51, "4000", date(2026, 4, 2))
    payment("P7", i32, "8000", date(2026, 3, 30), "rejected")
    payment("P8", i41, "3000", date(2026, 4, 10), "pending")
    payment("P9", i21, "3000", date(2026, 3, 28), "reversed", utc(2026, 3, 31, 23, 30))

    large = ApprovalFlow(record_type="sales.contract", name="Large contracts")
    payments = ApprovalFlow(record_type="sales.payment", name="Payments")
    db.session.add_all([large, payments])
    db.session.flush()
    w["large"], w["payments"] = large, payments

    def decision(flow, record_type, record, approver, opened, hours, status="approved"):
        request = ApprovalRequest(
            record_type=record_type,
            record_id=record.id,
            flow_id=flow.id,
            customer_id=record.customer_id,
            status="approved" if status != "waiting" else "pending",
            title=f"{record_type} {record.id}",
            submitted_by_id=record.owner_id,
            submitted_at=opened,
        )
        db.session.add(request)
        db.session.flush()
        db.session.add(
            ApprovalTask(
                request_id=request.id,
                position=0,
                approver_id=w[approver].id,
                status=status,
                created_at=opened,
                decided_at=None if status == "waiting" else opened + timedelta(hours=hours),
            )
        )

    decision(large, "sales.contract", c1, "boss", utc(2026, 3, 1, 9), 2)
    decision(large, "sales.contract", c2, "boss", utc(2026, 3, 2, 9), 4)
    decision(large, "sales.contract", c3, "boss", utc(2026, 3, 3, 8), 24, "rejected")
    decision(large, "sales.contract", c3, "admin", utc(2026, 3, 5, 0), 10)
    decision(payments, "sales.payment", w["P1"], "admin", utc(2026, 3, 6, 0), 1)
    decision(payments, "sales.payment", w["P2"], "admin", utc(2026, 3, 20, 0), 0, "waiting")
    decision(large, "sales.contract", c4, "admin", utc(2026, 4, 1, 20), 6)
    db.session.commit()
    return w
