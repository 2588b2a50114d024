"""The report cells (earned premium added up by month): kept in the same
transaction as every kind of policy transaction the services write — new
business, endorsement up and down, cancellation, lapse, reinstatement,
renewal — and through a purge's and a merge's bulk statements and a moved
term end, always equal to the cells added up again from the transactions;
``rebuild`` after rows written with plain SQL; and the premium and
loss-ratio figures read from the cells equal those split from the
transactions, for an admin, a manager and an agent, with a customer in the
recycle bin and one moved out of the team's sight."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, select, update

from core.api import Customer, db
from plugins.insurance.models import Policy, PolicyTransaction, ReportCell
from plugins.insurance.services import report_cells
from plugins.insurance.services.claims import report_claim, transition
from plugins.insurance.services.policies import endorsements, issuing
from plugins.insurance.services.policies.cancellation import cancel
from plugins.insurance.services.policies.successors import renew
from plugins.insurance.services.premiums import payments
from plugins.insurance.services.premiums.arrears import run_arrears
from plugins.insurance.services.premiums.reinstatement import reinstate
from plugins.insurance.services.records import merge_records, purge_records, transfer_records
from plugins.insurance.services.reports import Period
from plugins.insurance.services.reports.claims import (
    incurred_from_cells,
    incurred_from_events,
    loss_ratio,
)
from plugins.insurance.services.reports.premium import earned_from_cells, earned_from_transactions
from plugins.insurance.services.terms import today

from .factories import make_issued_policy
from .policy_fixtures import book, make_quote  # noqa: F401
from .report_fixtures import fixed_book  # noqa: F401


def kept(kind: str = "earned") -> dict[str, tuple[int, int]]:
    """The cells of ``kind`` as they stand: ``{key: (parts, cents)}``."""
    return {
        key: (parts, cents)
        for key, parts, cents in db.session.execute(
            select(ReportCell.key, ReportCell.parts, ReportCell.cents).where(
                ReportCell.kind == kind
            )
        )
    }


def recounted(kind: str = "earned") -> dict[str, tuple[int, int]]:
    """The cells of ``kind`` added up again from every row."""
    (found,) = [k for k in report_cells.KEPT if k.kind == kind]
    cells = found.contributions(db.session.execute(found.query()))
    return {report_cells.cell_key(k): (p, c) for k, (p, c) in cells.items() if p}


def assert_in_step(kind: str = "earned") -> dict[str, tuple[int, int]]:
    db.session.flush()
    cells = kept(kind)
    assert cells == recounted(kind)
    return cells


def test_issue_and_endorsements_up_and_down_keep_the_cells(book):  # noqa: F811
    """Issued 2026-01-01 at 1,200.00 a year: its cells add up to 1,200.00
    over twelve months; own damage added from 07-01 (+302.47) then dropped
    from 10-01 (−151.23 = 600.00 × 92 / 365, half up) adds and takes off
    their parts from those months on."""
    book.motor.backdate_days = 36500
    db.session.commit()
    policy = make_quote(book, start_date="2026-01-01", frequency="annual",
                        coverages=[{"code": "TPL"}])  # fmt: skip
    issuing.bind(policy, book.ann)
    issuing.issue(policy, book.meg)
    cells = assert_in_step()
    assert len(cells) == 12
    assert sum(cents for _p, cents in cells.values()) == 120_000
    endorsements.endorse(
        policy,
        book.ann,
        {
            "effective_on": "2026-07-01",
            "coverages": [{"code": "TPL"}, {"code": "OD", "sum_insured": "150000.00"}],
        },
    )
    db.session.commit()
    cells = assert_in_step()
    assert sum(cents for _p, cents in cells.values()) == 120_000 + 30_247
    endorsements.endorse(
        policy, book.ann, {"effective_on": "2026-10-01", "coverages": [{"code": "TPL"}]}
    )
    db.session.commit()
    cells = assert_in_step()
    assert sum(cents for _p, cents in cells.values()) == 120_000 + 30_247 - 15_123
    assert sum(parts for parts, _c in cells.values()) == 12 + 6 + 3


def test_a_cancellation_and_a_renewal_keep_the_cells(book):  # noqa: F811
    book.motor.backdate_days = 36500
    db.session.commit()
    first = make_quote(book, start_date=(today() - timedelta(days=40)).isoformat(),
                       frequency="annual", coverages=[{"code": "TPL"}])  # fmt: skip
    issuing.bind(first, book.ann)
    issuing.issue(first, book.meg)
    db.session.commit()
    cancel(first, book.meg, effective_on=today(), reason="sold the car")
    db.session.commit()
    assert assert_in_step()
    kinds = db.session.scalars(
        select(PolicyTransaction.kind).where(PolicyTransaction.policy_id == first.id)
    )
    assert list(kinds) == ["new_business", "cancellation"]
    second = make_quote(book, start_date=(today() - timedelta(days=300)).isoformat(),
                        frequency="annual", coverages=[{"code": "TPL"}])  # fmt: skip
    issuing.bind(second, book.ann)
    issuing.issue(second, book.meg)
    db.session.commit()
    before = assert_in_step()
    successor = renew(second, book.meg)
    db.session.commit()
    after = assert_in_step()
    assert after != before
    kinds = db.session.scalars(
        select(PolicyTransaction.kind).where(PolicyTransaction.policy_id == successor.id)
    )
    assert list(kinds) == ["renewal"]


def test_a_lapse_and_a_reinstatement_keep_the_cells(book):  # noqa: F811
    """A monthly life term started 100 days ago with its first instalment
    paid lapses in today's job (its grace of 30 days is over) and is put
    back in force on payment of its arrears."""
    day = today()
    policy = make_issued_policy(
        book.harbour,
        book.ann,
        "P-RE-1",
        day - timedelta(100),
        frequency="monthly",
        product="Term life",
        line="life",
        product_fields={"grace_days": 30, "reinstatement_days": 60},
    )
    db.session.commit()
    assert assert_in_step()
    payments.record_payment(policy, book.ann, "100.00", day, "cash")
    assert run_arrears(day)["lapsed"] == 1
    lapsed = assert_in_step()
    db.session.expire_all()
    policy = db.session.get(Policy, policy.id)
    reinstate(policy, book.meg, "300.00", True)
    db.session.commit()
    back = assert_in_step()
    assert lapsed != back
    # the lapse and the reinstatement cancel out: the term's whole premium again
    assert sum(c for _p, c in back.values()) == 120_000


def test_a_purge_a_merge_and_a_moved_term_end_keep_the_cells(book):  # noqa: F811
    start = date(2025, 1, 1)
    ann = make_issued_policy(book.harbour, book.ann, "P-A", start)
    bob = make_issued_policy(book.elsewhere, book.bob, "P-B", start, premium="2400.00")
    db.session.commit()
    ann_id = ann.id
    assert sum(c for _p, c in assert_in_step().values()) == 360_000
    bob.end_date = date(2025, 6, 30)  # the term end moved: its parts move with it
    db.session.commit()
    cells = assert_in_step()
    months = db.session.scalars(
        select(ReportCell.month)
        .where(ReportCell.owner_id == book.bob.id, ReportCell.kind == "earned")
        .order_by("month")
    ).all()
    assert months == [date(2025, m, 1) for m in range(1, 7)]
    assert sum(c for _p, c in cells.values()) == 360_000  # 2,400.00 over six months now
    merge_records(book.harbour.id, book.elsewhere.id)  # bulk UPDATE of the customer
    db.session.commit()
    assert kept() == cells
    purge_records(book.harbour.id)  # bulk DELETE of both terms' transactions
    db.session.commit()
    assert assert_in_step() == {}
    assert db.session.get(Policy, ann_id) is None


def test_claim_events_a_transfer_a_deletion_and_a_purge_keep_the_cells(book):  # noqa: F811
    """A claim of 1,000.00 reported (reserve +1,000.00), assessed, approved
    and paid (reserve −1,000.00, paid +1,000.00): incurred 1,000.00 in
    four events; the claim follows Ann's open book to Bob; deleted, it
    counts nothing; restored and purged with its customer, nothing."""
    day = today()
    policy = make_issued_policy(book.harbour, book.ann, "P-CL", day - timedelta(100))
    db.session.commit()
    claim = report_claim(
        {
            "policy_id": policy.id,
            "loss_date": (day - timedelta(5)).isoformat(),
            "claimed_amount": "1000.00",
            "description": "Rear-ended at a red light",
        },
        book.ann,
    )
    db.session.commit()
    assert assert_in_step("incurred")
    for action in ("submit", "assess", "approve", "pay"):
        transition(claim, action, book.meg, {}, claim.version)
    cells = assert_in_step("incurred")
    assert sum(c for _p, c in cells.values()) == 100_000
    assert {owner for (owner,) in db.session.execute(select(ReportCell.owner_id))} == {book.ann.id}
    transfer_records(book.ann.id, book.bob.id)  # the paid claim is open: it moves to Bob
    db.session.commit()
    owners = db.session.scalars(
        select(ReportCell.owner_id).where(ReportCell.kind == "incurred")
    ).all()
    assert set(owners) == {book.bob.id}
    assert sum(c for _p, c in assert_in_step("incurred").values()) == 100_000
    claim.deleted_at = datetime.now(UTC)
    db.session.commit()
    assert assert_in_step("incurred") == {}
    claim.deleted_at = None
    db.session.commit()
    assert assert_in_step("incurred")
    purge_records(book.harbour.id)
    db.session.commit()
    assert assert_in_step("incurred") == {} == assert_in_step()


def test_rebuild_adds_up_what_plain_sql_wrote(book):  # noqa: F811
    policy = make_issued_policy(book.harbour, book.ann, "P-SQL", date(2025, 3, 15))
    db.session.commit()
    kept_before = assert_in_step()
    written = db.session.scalars(
        select(PolicyTransaction).where(PolicyTransaction.policy_id == policy.id)
    ).one()
    row = {c.name: getattr(written, c.name) for c in PolicyTransaction.__table__.columns}
    del row["id"]
    row.update(seq=2, kind="endorsement", effective_on=date(2025, 9, 1))
    row["premium_delta"] = Decimal("-100.00")
    db.session.execute(insert(PolicyTransaction.__table__), [row])  # no flush sees it
    db.session.commit()
    assert kept() == kept_before != recounted()
    every = len(recounted()) + len(recounted("incurred")) + len(recounted("cohort"))
    assert report_cells.rebuild() == every
    db.session.commit()
    assert kept() == recounted()


@pytest.mark.parametrize("group_by", ["month", "carrier", "product", "line", "agent"])
def test_the_reports_read_the_same_figures_from_the_cells(fixed_book, group_by):  # noqa: F811
    """On the fixed book (hand-checked in ``report_fixtures``), for every
    grouping, an admin, the manager of Ann's team and each agent get the
    same earned premium from the cells as from the transactions — over the
    hand-checked quarter and over five years — also once a customer of
    Bob's is in the recycle bin and Ann's customer is moved to Bob (out of
    the manager's and Ann's sight, while Ann's terms stay with her)."""
    users = [fixed_book.admin, fixed_book.meg, fixed_book.ann, fixed_book.bob]
    periods = [
        Period(date(2024, 1, 1), date(2024, 3, 31)),
        Period(date(2022, 1, 1), date(2026, 12, 31)),
    ]

    def same() -> list[dict]:
        found = []
        for user in users:
            for period in periods:
                for currency in (None, "USD"):
                    cells = earned_from_cells(user, period, group_by, currency)
                    assert cells == earned_from_transactions(user, period, group_by, currency)
                    spent = incurred_from_cells(user, period, group_by, currency)
                    assert spent == incurred_from_events(user, period, group_by, currency)
                    found += [cells, spent]
        return found

    first = same()
    quarter = earned_from_cells(fixed_book.ann, periods[0], "month")
    if group_by == "month":  # the figures worked out by hand
        assert [quarter[(m, "CNY")] for m in ("2024-01", "2024-02", "2024-03")] == [
            Decimal("1550.00"),
            Decimal("1740.00"),
            Decimal("1581.00"),
        ]
    harbour = db.session.get(Customer, fixed_book.p[1].customer_id)
    elsewhere = db.session.get(Customer, fixed_book.p[9].customer_id)
    elsewhere.deleted_at = datetime.now(UTC)  # in the recycle bin
    db.session.commit()
    binned = same()
    assert binned != first
    elsewhere.deleted_at = None
    harbour.owner_id, harbour.team_id = fixed_book.bob.id, fixed_book.bob.team_id
    db.session.commit()
    moved = same()
    assert moved != first
    nothing = earned_from_cells(fixed_book.meg, periods[0], group_by)
    assert nothing == {}  # Meg sees none of Ann's terms now
    assert incurred_from_cells(fixed_book.meg, periods[0], group_by) == {}


def test_the_loss_ratio_reads_both_figures_from_the_cells(fixed_book):  # noqa: F811
    """The hand-checked quarter: CNY 800 ÷ 4871 = 0.1642, USD 50 ÷ 91 = 0.5495."""
    period = Period(date(2024, 1, 1), date(2024, 3, 31))
    report = loss_ratio(fixed_book.ann, period)
    totals = {t["currency"]: t for t in report["totals"]}
    assert (totals["CNY"]["earned"], totals["CNY"]["ratio"]) == (
        Decimal("4871.00"),
        Decimal("0.1642"),
    )
    assert (totals["USD"]["earned"], totals["USD"]["ratio"]) == (
        Decimal("91.00"),
        Decimal("0.5495"),
    )
    db.session.execute(update(ReportCell).values(cents=0))  # the cells are what it reads
    cny = loss_ratio(fixed_book.ann, period)["totals"][0]
    assert (cny["incurred"], cny["earned"], cny["ratio"]) == (
        Decimal("0.00"),
        Decimal("0.00"),
        None,
    )
    db.session.rollback()


def test_the_rebuild_command_adds_the_cells_up_again(trellis_cli, book):  # noqa: F811
    make_issued_policy(book.harbour, book.ann, "P-CLI", date(2025, 3, 15))
    db.session.commit()
    cells = kept()
    every = len(db.session.scalars(select(ReportCell.id)).all())  # the cohort's too
    db.session.execute(update(ReportCell).values(cents=0))
    db.session.commit()
    assert kept() != cells
    result = trellis_cli("insurance", "rebuild-cells")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{every} report cells rebuilt"
    db.session.expire_all()
    assert kept() == cells
