"""The commission lines a payment books (services/commission/lines.py): the
product's rule before the carrier-wide one, first-year vs renewal, the
agent's share, the upline's override, no rule → a rate-0 line; a
reversal cancelling them; a clawback within the product's clawback months
of inception on term 1 only, a percent of what the agent kept, net of
earlier refunds and reversals. Figures are worked out by hand in each
test's docstring."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from core.api import db
from plugins.insurance.models import CommissionLine, InsuranceProduct, PremiumInstalment
from plugins.insurance.services.commission.lines import (
    book_payment,
    claw_back,
    reverse_payment,
    rule_for,
)
from plugins.insurance.services.terms import today

from .commission_fixtures import book, first_instalment, pay, rule  # noqa: F401
from .factories import make_issued_policy

D = Decimal


def _figures(lines):
    return [
        (line.kind, line.agent_id, str(line.rate), str(line.expected), str(line.agent_amount))
        for line in lines
    ]


def test_the_products_rule_beats_the_carrier_wide_one(book):  # noqa: F811
    """Fleet motor's own rule: 1,000.00 × 20 % = 200.00 expected from the
    carrier; Ann keeps 75 % = 150.00; Lee, her team leader, gets 10 % of the
    200.00 = 20.00 on top. Home cover has no rule of its own: the
    carrier-wide 10 % gives 100.00, all of it Ann's, and no override (0 %)."""
    payment, lines = pay(book.ann1, "1000.00", date(2026, 1, 12), first_instalment(book.ann1))
    assert _figures(lines) == [
        ("commission", book.ann.id, "0.2000", "200.00", "150.00"),
        ("override", book.lee.id, "0.2000", "0.00", "20.00"),
    ]
    assert {line.basis for line in lines} == {"first_year"} and lines[0].month == date(2026, 1, 1)
    assert lines[0].team_id == book.motor.id and lines[1].team_id == book.lee.team_id
    assert lines[0].payment_id == payment.id and str(lines[0].premium) == "1000.00"
    _home, home_lines = pay(book.house, "1000.00", date(2026, 2, 3))
    assert _figures(home_lines) == [("commission", book.ann.id, "0.1000", "100.00", "100.00")]
    assert home_lines[0].month == date(2026, 2, 1)


def test_a_renewal_term_earns_the_renewal_rate(book):  # noqa: F811
    """Term 2 of Fleet motor: 1,200.00 × 8 % = 96.00 expected; Ann 75 % =
    72.00; Lee 10 % of 96.00 = 9.60. Basis renewal."""
    _p, lines = pay(book.renewal, "1200.00", date(2026, 1, 5), first_instalment(book.renewal))
    assert _figures(lines) == [
        ("commission", book.ann.id, "0.0800", "96.00", "72.00"),
        ("override", book.lee.id, "0.0800", "0.00", "9.60"),
    ]
    assert {line.basis for line in lines} == {"renewal"} and {line.term_no for line in lines} == {2}


def test_amounts_round_half_up_to_the_cent(book):  # noqa: F811
    """Bob has no upline. 333.33 × 20 % = 66.666 → 66.67; × 75 % = 50.0025 → 50.00.
    And 0.13 × 20 % = 0.026 → 0.03, × 75 % = 0.0225 → 0.02."""
    _p, lines = pay(book.bob1, "333.33", date(2026, 1, 20))
    assert _figures(lines) == [("commission", book.bob.id, "0.2000", "66.67", "50.00")]
    _q, small = pay(book.bob1, "0.13", date(2026, 1, 21))
    assert _figures(small) == [("commission", book.bob.id, "0.2000", "0.03", "0.02")]


def test_the_rule_is_the_one_in_force_on_the_instalments_due_date(book):  # noqa: F811
    """Fleet motor's rule ends 2026-01-31 and a 30 % one starts 2026-02-01.
    A payment on 2026-02-05 of the instalment due 2026-01-10 takes the old
    20 % (500.00 → 100.00); one without an instalment is judged on the day
    paid, 2026-02-05: 30 % → 150.00, Ann 75 % = 112.50."""
    book.own.effective_to = date(2026, 1, 31)
    rule(book.carrier.id, book.fleet.id, "0.3000", "0.1000", "0.75", "0", start="2026-02-01")
    db.session.commit()
    _p, lines = pay(book.ann1, "500.00", date(2026, 2, 5), first_instalment(book.ann1))
    assert _figures(lines)[0] == ("commission", book.ann.id, "0.2000", "100.00", "75.00")
    _q, later = pay(book.ann1, "500.00", date(2026, 2, 5))
    assert _figures(later) == [("commission", book.ann.id, "0.3000", "150.00", "112.50")]
    assert rule_for(book.ann1, date(2019, 12, 31)) is None  # before any rule


def test_no_rule_books_a_line_at_rate_zero(book, make_customer):  # noqa: F811
    """A carrier without rules: the payment still gets its line, at 0 %, so
    the gap shows on statements."""
    policy = make_issued_policy(book.harbour, book.ann, "P-BARE", date(2026, 1, 10))
    policy.carrier_id, policy.product_id = book.bare.id, book.bare_product.id
    db.session.commit()
    _p, lines = pay(policy, "800.00", date(2026, 1, 11))
    assert _figures(lines) == [("commission", book.ann.id, "0.0000", "0.00", "0.00")]


def test_booking_twice_and_a_reversal(book):  # noqa: F811
    """Booking a payment again writes nothing more. Reversing it on
    2026-03-02 writes lines of the opposite sign in March, for Ann (−150.00)
    and Lee (−20.00); a second reversal writes nothing; the month nets 0."""
    payment, lines = pay(book.ann1, "1000.00", date(2026, 1, 12))
    assert [line.id for line in book_payment(payment)] == [line.id for line in lines]
    reversed_lines = reverse_payment(payment, date(2026, 3, 2))
    db.session.commit()
    assert _figures(reversed_lines) == [
        ("reversal", book.ann.id, "0.2000", "-200.00", "-150.00"),
        ("reversal", book.lee.id, "0.2000", "0.00", "-20.00"),
    ]
    assert {line.month for line in reversed_lines} == {date(2026, 3, 1)}
    assert reverse_payment(payment, date(2026, 3, 3)) == []
    net = db.session.scalar(
        select(func.sum(CommissionLine.agent_amount)).where(CommissionLine.payment_id == payment.id)
    )
    assert net == 0


def test_a_refund_is_negative_commission(book):  # noqa: F811
    """A refund of 400.00 is a payment of −400.00: −80.00 expected, Ann −60.00, Lee −8.00."""
    _p, lines = pay(book.ann1, "-400.00", date(2026, 2, 1))
    assert _figures(lines) == [
        ("commission", book.ann.id, "0.2000", "-80.00", "-60.00"),
        ("override", book.lee.id, "0.2000", "0.00", "-8.00"),
    ]


def test_a_clawback_takes_back_the_agents_first_year_commission_net(book):  # noqa: F811
    """Ann earned 150.00 on 1,000.00 and gave back 60.00 on a 400.00 refund:
    she kept 90.00. A lapse effective 2026-06-01, within 12 months of the
    2026-01-10 inception, claws back 100 % of it: −90.00, booked in today's
    month. Asked again, nothing is left to claw back."""
    pay(book.ann1, "1000.00", date(2026, 1, 12))
    pay(book.ann1, "-400.00", date(2026, 2, 1))
    line = claw_back(book.ann1, date(2026, 6, 1))
    db.session.commit()
    assert line is not None
    assert (line.kind, line.agent_id, str(line.agent_amount), str(line.expected)) == (
        "clawback",
        book.ann.id,
        "-90.00",
        "0.00",
    )
    assert line.month == today().replace(day=1) and line.basis == "first_year"
    assert claw_back(book.ann1, date(2026, 6, 1)) is None


def test_a_clawback_takes_the_products_percent(book):  # noqa: F811
    """clawback_percent 50: half of Ann's 150.00 → −75.00. A term ending at
    or after inception + 12 months (2027-01-10) claws nothing back."""
    product = db.session.get(InsuranceProduct, book.fleet.id)
    product.clawback_percent = D("50")
    db.session.commit()
    pay(book.ann1, "1000.00", date(2026, 1, 12))
    assert claw_back(book.ann1, date(2027, 1, 10)) is None
    line = claw_back(book.ann1, date(2027, 1, 9))
    assert line is not None and str(line.agent_amount) == "-75.00"


def test_no_clawback_on_a_renewal_term_or_after_a_reversal(book):  # noqa: F811
    """Term 2 is never clawed back. A term 1 whose only payment was
    reversed kept nothing: no clawback line."""
    pay(book.renewal, "1200.00", date(2026, 1, 5))
    assert claw_back(book.renewal, date(2026, 2, 1)) is None
    payment, _lines = pay(book.ann1, "1000.00", date(2026, 1, 12))
    reverse_payment(payment, date(2026, 1, 20))
    assert claw_back(book.ann1, date(2026, 2, 1)) is None
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(CommissionLine)
            .where(CommissionLine.kind == "clawback")
        )
        == 0
    )


def test_the_instalment_due_date_comes_from_the_schedule(book):  # noqa: F811
    """The fixtures' schedule: one annual instalment due on the start date."""
    instalment = first_instalment(book.ann1)
    assert isinstance(instalment, PremiumInstalment) and instalment.due_on == date(2026, 1, 10)
