"""The fixed book the insurance report tests run on (``test_reports``,
``test_reports_quality``, ``test_reports_pages``): :func:`fixed_book`, every
figure worked out by hand below, and :func:`get` / :func:`by` to read a
report through ``/api/v1/insurance/reports/...``.

The book (2024 is a leap year; premiums chosen at 10.00 a day in CNY and
1.00 a day in USD). Ann (team Motor) holds P1–P8, P10–P12; Bob (team
Marine) P9. "issued" is the day the term was issued; transactions are
booked on the day written.

=====  ===========  =======================  =======  ==========================================
term   product      term                     annual   story
=====  ===========  =======================  =======  ==========================================
P1     Fleet motor  2024-01-01 … 2024-12-31  3660     issued 01-01; NB booked 01-01; expired
P2     Fleet motor  2024-02-01 … 2025-01-31  3660→    quoted 01-05, bound 01-15, issued 01-20; NB
                                             4026     booked 02-01; endorsement eff 03-01 +337.00
                                                      (366 × 337/366); expired
P3     Fleet motor  2023-07-01 … 2024-06-30  3660     NB 2023; lapse eff/booked 2024-02-15
P4     Fleet motor  2023-04-01 … 2024-03-31  3660     NB 2023; renewed by P5 (issued 2024-03-20)
P5     Fleet motor  2024-04-01 … 2025-03-31  3650     term 2 of P4; renewal booked 04-01
P6     Fleet motor  2023-03-01 … 2024-02-29  3660     NB 2023; expired
P7     Fleet motor  2023-02-01 … 2024-01-31  3650     NB 2023; expired, renewal lost
P8     Fleet motor  2024-01-10 … 2025-01-09  3660     quoted 01-08, bound 01-09, issued 01-10; NB
                                                      booked 01-10; cooling-off cancel eff 01-10
                                                      −3660 booked 01-20 (cooling-off ends 01-25)
P9     Term life    2024-03-01 … 2025-02-28  3650     Bob's; issued 03-01; callback 03-10 (in time)
P10    Term life    2024-02-01 … 2025-01-31  3660     quoted 01-25, bound 01-28, issued 02-01;
                                                      callback 02-20, cooling-off ended 02-15
                                                      (late); renewed by P10b (2025, in force,
                                                      paid to 2026-01-31)
P11    Cargo USD    2024-01-01 … 2024-12-31  366 USD  issued 01-01; renewed by P11b, then P11c
                                                      (in force, paid to 2026-12-31)
P12    Fleet motor  —                        3660     a quote of 2024-02-10, never bound
=====  ===========  =======================  =======  ==========================================

Claims: C1 on P1 reported 02-05 (reserve +1000), paid 03-06 (reserve −1000,
paid +800); C2 on P3 reported 01-10 (+500), rejected 01-25 (−500); C3 on
P9 (Bob) reported 03-05 (+2000); C4 on P11 reported 03-10 (+50 USD).

Period 2024-01 … 2024-03; Ann's figures:

- Written CNY: Jan 3660 (P1) + 3660 − 3660 (P8) = 3660; Feb 3660 (P2) +
  3660 (P10) = 7320; Mar 337 (P2's endorsement); total 11317. USD Jan 366.
- Earned CNY (10/day; P2's endorsement 1/day; P8's two transactions cancel):
  Jan P1 310 + P3 310 + P4 310 + P6 310 + P7 310 = 1550;
  Feb P1 290 + P2 290 + P3 290 + P4 290 + P6 290 + P10 290 = 1740;
  Mar P1 310 + P2 310 + 31 + P3 310 + P4 310 + P10 310 = 1581; total 4871.
  USD 31 + 29 + 31 = 91.
- In force at month ends: Jan P1 P2 P3 P4 P6 P7 P11 = 7; Feb P1 P2 P4 P6 P10
  P11 = 6 (P3 lapsed, P7 ended); Mar P1 P2 P5 P10 P11 = 5 (P4 renewed 03-20,
  P6 ended). On 2023-12-31: P3 P4 P6 P7 = 4. Now: P11c until 2026-12-31.
- New business (term 1 issued): CNY Jan P1 3660 + P2 4026 + P8 3660 = 3 /
  11346, Feb P10 = 1 / 3660; USD Jan P11 1 / 366.
- Lapse rate: Feb 1 ÷ ((7 + 6)/2) = 0.1538; Jan and Mar 0; period 1 ÷ ((4 +
  5)/2) = 0.2222.
- Renewal rate (terms ending): Jan P7 lost, Feb P6 expired, Mar P4 renewed:
  1 ÷ 3 = 0.3333.
- Persistency (term 1, inception in period, P8 out: cancelled in
  cooling-off): CNY P1 (3660, not kept) P2 (4026, not kept) P10 (3660, kept
  at 13: P10b paid to 2026-01-31 ≥ 2025-02-28; not at 25: < 2026-02-28):
  13-month 3660 ÷ 11346 = 0.3226 (count 1/3); 25-month 0. USD P11 kept at
  both: 1.0000.
- Loss ratio CNY: incurred Jan 500 − 500 = 0, Feb 1000, Mar −1000 + 800 =
  −200; ÷ earned: Jan 0, Feb 0.5747, Mar −0.1265; period 800 ÷ 4871 =
  0.1642. USD 50 ÷ 91 = 0.5495.
- Claim cycle: C2 rejected after 15 days (Jan), C1 paid after 30 (Mar):
  mean 22.5.
- Quote-to-bind: Jan P2 P8 P10 all bound 3/3, Feb P12 0/1; 3 ÷ 4 = 0.75.
- Callback compliance: P10 due, late: 0 ÷ 1. (Bob: P9 1 ÷ 1; an admin 1 ÷ 2.)
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from core.api import Team, db
from plugins.insurance.models import Claim, ClaimEvent
from plugins.insurance.services.persistency import mark_persistency
from plugins.insurance.services.policies import transactions
from plugins.insurance.services.policies.transactions import add_transaction

from .factories import make_policy, product_named

PERIOD = "from=2024-01&to=2024-03"


def d(text: str) -> date:
    return date.fromisoformat(text)


def noon(text: str) -> datetime:
    """Noon UTC: the same calendar day in any instance time zone within ±11 h."""
    return datetime.fromisoformat(text).replace(hour=12, tzinfo=UTC)


@pytest.fixture
def fixed_book(make_user, make_customer, monkeypatch):
    motor, marine = Team(name="Motor desk"), Team(name="Marine desk")
    db.session.add_all([motor, marine])
    db.session.commit()
    ann = make_user(role="insurance_agent", team=motor, name="Ann Agent")
    bob = make_user(role="insurance_agent", team=marine, name="Bob Agent")
    meg = make_user(role="manager", team=motor, name="Meg Manager")
    admin = make_user(role="admin", name="Ada Admin")
    harbour = make_customer(name="Harbour Freight", owner_id=ann.id)
    elsewhere = make_customer(name="Elsewhere Ltd", owner_id=bob.id)
    product_named("Term life", line="life").callback_required = True
    product_named("Cargo USD", line="property", currency="USD")

    @contextmanager
    def booked(day: str):
        """Transactions written on ``day`` (booked then)."""
        monkeypatch.setattr(transactions, "today", lambda: d(day))
        yield
        monkeypatch.undo()

    def term(agent, number, start, end, premium, product="Fleet motor", **fields):
        customer = harbour if agent is ann else elsewhere
        inception = fields.pop("inception_on", None)
        policy = make_policy(
            customer,
            agent,
            number,
            d(start),
            d(end),
            premium,
            product,
            team_id=agent.team_id,
            currency="USD" if product == "Cargo USD" else "CNY",
            **fields,
        )
        policy.inception_on = inception or policy.start_date
        db.session.flush()
        return policy

    def tx(policy, kind, effective, delta, on):
        with booked(on):
            add_transaction(policy, kind, d(effective), Decimal(delta), None)

    p = {}
    p[1] = term(
        ann,
        "P1",
        "2024-01-01",
        "2024-12-31",
        "3660",
        issued_on=d("2024-01-01"),
        quoted_at=noon("2023-12-20"),
        status="expired",
    )
    tx(p[1], "new_business", "2024-01-01", "3660", "2024-01-01")
    p[2] = term(
        ann,
        "P2",
        "2024-02-01",
        "2025-01-31",
        "3660",
        issued_on=d("2024-01-20"),
        quoted_at=noon("2024-01-05"),
        bound_at=noon("2024-01-15"),
        status="expired",
    )
    tx(p[2], "new_business", "2024-02-01", "3660", "2024-01-20")
    p[2].annual_premium = Decimal("4026")
    tx(p[2], "endorsement", "2024-03-01", "337", "2024-02-20")
    p[3] = term(
        ann,
        "P3",
        "2023-07-01",
        "2024-06-30",
        "3660",
        issued_on=d("2023-07-01"),
        status="lapsed",
        lapsed_on=d("2024-02-15"),
    )
    tx(p[3], "new_business", "2023-07-01", "3660", "2023-07-01")
    tx(p[3], "lapse", "2024-02-15", "0", "2024-02-15")
    p[4] = term(
        ann, "P4", "2023-04-01", "2024-03-31", "3660", issued_on=d("2023-04-01"), status="renewed"
    )
    tx(p[4], "new_business", "2023-04-01", "3660", "2023-04-01")
    p[5] = term(
        ann,
        "P4",
        "2024-04-01",
        "2025-03-31",
        "3650",
        issued_on=d("2024-03-20"),
        term_no=2,
        predecessor_id=p[4].id,
        inception_on=d("2023-04-01"),
        status="expired",
    )
    tx(p[5], "renewal", "2024-04-01", "3650", "2024-03-20")
    p[6] = term(
        ann, "P6", "2023-03-01", "2024-02-29", "3660", issued_on=d("2023-03-01"), status="expired"
    )
    tx(p[6], "new_business", "2023-03-01", "3660", "2023-03-01")
    p[7] = term(
        ann,
        "P7",
        "2023-02-01",
        "2024-01-31",
        "3650",
        issued_on=d("2023-02-01"),
        status="expired",
        renewal_outcome="lost",
        lost_reason="price",
    )
    tx(p[7], "new_business", "2023-02-01", "3650", "2023-02-01")
    p[8] = term(
        ann,
        "P8",
        "2024-01-10",
        "2025-01-09",
        "3660",
        issued_on=d("2024-01-10"),
        quoted_at=noon("2024-01-08"),
        bound_at=noon("2024-01-09"),
        cooling_off_ends_on=d("2024-01-25"),
        cancelled_on=d("2024-01-10"),
        status="cancelled",
    )
    tx(p[8], "new_business", "2024-01-10", "3660", "2024-01-10")
    tx(p[8], "cancellation", "2024-01-10", "-3660", "2024-01-20")
    p[9] = term(
        bob,
        "P9",
        "2024-03-01",
        "2025-02-28",
        "3650",
        "Term life",
        issued_on=d("2024-03-01"),
        cooling_off_ends_on=d("2024-03-15"),
        callback_done_at=noon("2024-03-10"),
        status="expired",
    )
    tx(p[9], "new_business", "2024-03-01", "3650", "2024-03-01")
    p[10] = term(
        ann,
        "P10",
        "2024-02-01",
        "2025-01-31",
        "3660",
        "Term life",
        issued_on=d("2024-02-01"),
        quoted_at=noon("2024-01-25"),
        bound_at=noon("2024-01-28"),
        cooling_off_ends_on=d("2024-02-15"),
        callback_done_at=noon("2024-02-20"),
        status="renewed",
    )
    tx(p[10], "new_business", "2024-02-01", "3660", "2024-02-01")
    p["10b"] = term(
        ann,
        "P10",
        "2025-02-01",
        "2026-01-31",
        "3660",
        "Term life",
        issued_on=d("2025-01-25"),
        term_no=2,
        predecessor_id=p[10].id,
        inception_on=d("2024-02-01"),
        paid_to_date=d("2026-01-31"),
    )
    p[11] = term(
        ann,
        "P11",
        "2024-01-01",
        "2024-12-31",
        "366",
        "Cargo USD",
        issued_on=d("2024-01-01"),
        status="renewed",
    )
    tx(p[11], "new_business", "2024-01-01", "366", "2024-01-01")
    p["11b"] = term(
        ann,
        "P11",
        "2025-01-01",
        "2025-12-31",
        "366",
        "Cargo USD",
        issued_on=d("2024-12-20"),
        term_no=2,
        predecessor_id=p[11].id,
        inception_on=d("2024-01-01"),
        status="renewed",
    )
    p["11c"] = term(
        ann,
        "P11",
        "2026-01-01",
        "2026-12-31",
        "366",
        "Cargo USD",
        issued_on=d("2025-12-20"),
        term_no=3,
        predecessor_id=p["11b"].id,
        inception_on=d("2024-01-01"),
        paid_to_date=d("2026-12-31"),
    )
    p[12] = term(
        ann,
        None,
        "2024-03-01",
        "2025-02-28",
        "3660",
        status="quoted",
        quote_number="Q-12",
        quoted_at=noon("2024-02-10"),
    )

    def claim(number, policy, reported, events):
        row = Claim(
            number=number,
            policy_id=policy.id,
            customer_id=policy.customer_id,
            agent_id=policy.agent_id,
            team_id=policy.team_id,
            loss_date=d(reported),
            reported_at=noon(reported),
            description="Fixed book",
            currency=policy.currency,
            claimed_amount=Decimal("1000"),
            status=events[-1][1],
        )
        db.session.add(row)
        db.session.flush()
        for seq, (action, status, on, reserve, paid) in enumerate(events, 1):
            db.session.add(
                ClaimEvent(
                    claim_id=row.id,
                    seq=seq,
                    action=action,
                    to_status=status,
                    reserve_delta=Decimal(reserve),
                    paid_delta=Decimal(paid),
                    at=noon(on),
                    event_on=d(on),
                    carrier_id=policy.carrier_id,
                    product_id=policy.product_id,
                    line=policy.line,
                    agent_id=policy.agent_id,
                    team_id=policy.team_id,
                    currency=policy.currency,
                )
            )
        return row

    claim(
        "C1",
        p[1],
        "2024-02-05",
        [
            ("report", "reported", "2024-02-05", "1000", "0"),
            ("pay", "paid", "2024-03-06", "-1000", "800"),
        ],
    )
    claim(
        "C2",
        p[3],
        "2024-01-10",
        [
            ("report", "reported", "2024-01-10", "500", "0"),
            ("reject", "rejected", "2024-01-25", "-500", "0"),
        ],
    )
    claim("C3", p[9], "2024-03-05", [("report", "reported", "2024-03-05", "2000", "0")])
    claim("C4", p[11], "2024-03-10", [("report", "reported", "2024-03-10", "50", "0")])
    db.session.commit()
    mark_persistency()
    return SimpleNamespace(ann=ann, bob=bob, meg=meg, admin=admin, p=p)


def get(client, report: str, query: str = PERIOD) -> dict:
    answer = client.get(f"/api/v1/insurance/reports/{report}?{query}")
    assert answer.status_code == 200, answer.json
    return answer.json


def by(rows: list[dict], *fields: str) -> dict:
    return {tuple(r[f] for f in fields) if len(fields) > 1 else r[fields[0]]: r for r in rows}
