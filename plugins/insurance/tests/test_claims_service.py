"""Claims through the service: reporting and its refusals by name, every
state × action of the claim's table (legal moves with their effects,
illegal ones a 409 that changes nothing), the money (the events' reserve
and paid changes add up to what is incurred), permissions and versions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from core.api import (
    ForbiddenError,
    IllegalTransition,
    MissingReferenceError,
    StaleVersionError,
    ValidationError,
    db,
)
from core.testing import plugin_module
from plugins.insurance.models import Claim, ClaimEvent
from plugins.insurance.services.claims import transition
from plugins.insurance.services.states import CLAIM

from .claim_fixtures import INPUTS, PATHS, book, claim_in, report  # noqa: F401

ZERO = Decimal("0")


def _events(claim) -> list[ClaimEvent]:
    return list(
        db.session.scalars(
            select(ClaimEvent).where(ClaimEvent.claim_id == claim.id).order_by(ClaimEvent.seq)
        )
    )


def _claims() -> int:
    return db.session.scalar(select(func.count()).select_from(Claim)) or 0


def test_a_report_numbers_reserves_copies_audits_and_logs(book, register_plugin):  # noqa: F811
    seen: list[tuple[str, str]] = []

    def on_reported(claim):
        with db.engine.connect() as other:  # sees only what is committed
            seen.append(
                (claim.number, other.scalar(select(Claim.status).where(Claim.id == claim.id)))
            )

    register_plugin(plugin_module("probe", trellis_insurance_claim_reported=on_reported))
    claim = report(book)
    assert claim.number == f"LP-{book.day:%Y%m}-00001"
    assert report(book).number == f"LP-{book.day:%Y%m}-00002"
    assert (claim.status, claim.reserve, claim.paid_amount) == (
        "reported",
        Decimal("1000.00"),
        ZERO,
    )
    assert (claim.customer_id, claim.agent_id, claim.currency) == (
        book.harbour.id,
        book.ann.id,
        "CNY",
    )
    [event] = _events(claim)
    assert (event.seq, event.action, event.to_status, event.reserve_delta) == (
        1,
        "report",
        "reported",
        Decimal("1000.00"),
    )
    assert event.carrier_id == book.live.carrier_id and event.line == "motor"
    audited = db.session.execute(
        text("SELECT action FROM audit_entry WHERE entity = 'insurance_claim' AND entity_id = :i"),
        {"i": claim.id},
    ).scalars()
    assert list(audited) == ["create"]
    logged = db.session.execute(
        text(
            "SELECT kind, link_type FROM activity"
            " WHERE link_id = :i AND link_type = 'insurance_claim'"
        ),
        {"i": claim.id},
    ).all()
    assert [tuple(r) for r in logged] == [("insurance_claim", "insurance_claim")]
    assert seen[0] == (claim.number, "reported")


@pytest.mark.parametrize(
    ("policy", "days_ago", "words"),
    [
        ("lapsed", 10, "lapsed"),
        ("back", 50, "lapsed"),  # inside the gap the reinstatement left uncovered
        ("future", 0, "not yet effective"),
        ("ended", 5, "ended"),
    ],
)
def test_a_loss_the_term_did_not_cover_is_refused_naming_policy_id(book, policy, days_ago, words):  # noqa: F811
    with pytest.raises(ValidationError) as refused:
        report(book, getattr(book, policy), loss_date=(book.day - timedelta(days_ago)).isoformat())
    assert list(refused.value.errors) == ["policy_id"]
    assert words in refused.value.errors["policy_id"][0]
    assert _claims() == 0


@pytest.mark.parametrize(("policy", "days_ago"), [("lapsed", 40), ("back", 20), ("back", 70)])
def test_a_loss_before_the_lapse_or_after_reinstatement_is_covered(book, policy, days_ago):  # noqa: F811
    claim = report(
        book, getattr(book, policy), loss_date=(book.day - timedelta(days_ago)).isoformat()
    )
    assert claim.status == "reported" and claim.exception is False
    assert "not_covered" not in claim.risk_flags


def test_an_exception_needs_the_permission_and_a_note(book):  # noqa: F811
    lapsed = {"loss_date": (book.day - timedelta(10)).isoformat(), "exception": True}
    with pytest.raises(ValidationError) as refused:
        report(book, book.lapsed, book.ann, exception_note="Goodwill", **lapsed)
    assert list(refused.value.errors) == ["exception"]
    with pytest.raises(ValidationError) as refused:
        report(book, book.lapsed, book.manager, **lapsed)
    assert list(refused.value.errors) == ["exception_note"]
    assert _claims() == 0
    claim = report(book, book.lapsed, book.manager, exception_note="Goodwill", **lapsed)
    assert claim.exception and claim.exception_note == "Goodwill"
    assert "not_covered" in claim.risk_flags and claim.risk_count == len(claim.risk_flags)
    covered = report(book, book.live, book.manager, exception=True, exception_note="Not needed")
    assert covered.exception is False and covered.exception_note is None


def test_the_risk_warnings_that_fire_are_kept(book):  # noqa: F811
    """The live term began 100 days ago (a loss 5 days ago is not early)."""
    first = report(book)
    assert (first.risk_flags, first.risk_count) == ([], 0)
    late = report(book, book.back, loss_date=(book.day - timedelta(31)).isoformat())
    assert late.risk_flags == ["late_report"]
    third = report(book)  # Harbour Freight's third loss within a year
    assert third.risk_flags == ["frequent"] and third.risk_count == 1
    book.theirs.inception_on = book.day - timedelta(400)
    book.theirs.start_date = book.day - timedelta(89)
    db.session.commit()
    renewed = report(book, book.theirs, book.bob)  # a renewal term is not "new"
    assert renewed.risk_flags == []
    book.theirs.inception_on = book.day - timedelta(89)
    db.session.commit()
    early = report(book, book.theirs, book.bob, loss_date=book.day.isoformat())
    assert early.risk_flags == ["early_claim"]


def test_a_cover_raised_shortly_before_the_loss_is_a_warning(book):  # noqa: F811
    """An endorsement raising the sum insured 20 days before the loss fires
    ``raised_cover`` (the window is 30 days); one lowering it, or raising it
    40 days before, does not."""
    from plugins.insurance.services.policies.transactions import add_transaction

    def endorsement(days_before_loss: int, before: str, after: str) -> None:
        add_transaction(
            book.live,
            "endorsement",
            book.day - timedelta(5 + days_before_loss),
            Decimal("0"),
            None,
            changes={"before": {"sum_insured": before}, "after": {"sum_insured": after}},
        )
        db.session.commit()

    endorsement(40, "100000.00", "300000.00")  # long before the loss
    endorsement(10, "300000.00", "250000.00")  # lowered
    assert "raised_cover" not in report(book).risk_flags
    endorsement(20, "250000.00", "400000.00")
    assert "raised_cover" in report(book).risk_flags


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"claimed_amount": "0.00"}, "claimed_amount"),
        ({"claimed_amount": "-5"}, "claimed_amount"),
        ({"description": ""}, "description"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_bad_input_is_refused_naming_the_field(book, fields, field):  # noqa: F811
    with pytest.raises(ValidationError) as refused:
        report(book, **fields)
    assert field in refused.value.errors and _claims() == 0


def test_a_future_loss_and_another_agents_policy_are_refused(book):  # noqa: F811
    with pytest.raises(ValidationError) as refused:
        report(book, loss_date=(book.day + timedelta(1)).isoformat())
    assert list(refused.value.errors) == ["loss_date"]
    with pytest.raises(MissingReferenceError) as missing:
        report(book, book.theirs)
    assert list(missing.value.errors) == ["policy_id"] and _claims() == 0


@pytest.mark.parametrize(("state", "action", "target"), list(CLAIM.pairs()))
def test_every_state_and_action(book, state, action, target):  # noqa: F811
    claim = claim_in(book, state)
    before = (claim.status, claim.version, claim.reserve, claim.paid_amount, len(_events(claim)))
    if target is None:
        with pytest.raises(IllegalTransition) as refused:
            transition(claim, action, book.manager, INPUTS.get(action, {}), claim.version)
        assert refused.value.allowed_actions == CLAIM.allowed(state)
        db.session.rollback()
        again = db.session.get(Claim, claim.id)
        assert (again.status, again.version, again.reserve, again.paid_amount) == before[:4]
        assert len(_events(again)) == before[4]
        return
    transition(claim, action, book.manager, INPUTS.get(action, {}), claim.version)
    db.session.expire_all()
    claim = db.session.get(Claim, claim.id)
    events = _events(claim)
    assert claim.status == target and claim.version == before[1] + 1
    assert (events[-1].seq, events[-1].action, events[-1].from_status, events[-1].to_status) == (
        before[4] + 1,
        action,
        state,
        target,
    )
    # incurred: the events' changes add up to what is held and what was paid
    assert sum(e.reserve_delta for e in events) == claim.reserve
    assert sum(e.paid_delta for e in events) == claim.paid_amount
    expected = {
        "approve": (Decimal("1000.00"), ZERO),
        "approve_partially": (Decimal("600.00"), ZERO),
        "reject": (ZERO, ZERO),
        "withdraw": (ZERO, ZERO),
        "pay": (ZERO, claim.approved_amount),
    }
    if action in expected:
        assert (claim.reserve, claim.paid_amount) == expected[action]
    if action == "pay":
        assert claim.paid_on == book.day and claim.paid_amount > 0
    if action == "reject":
        assert (claim.reject_code, claim.reason) == ("R01", "Wear and tear")


def test_a_claim_paid_in_part_appealed_paid_reopened_and_topped_up(book):  # noqa: F811
    claim = claim_in(book, "partially_approved")
    assert (claim.approved_amount, claim.reserve) == (Decimal("600.00"), Decimal("600.00"))
    for action, payload in (
        ("appeal", INPUTS["appeal"]),
        ("approve", {"approved_amount": "800.00"}),
        ("pay", {}),
        ("close", {}),
        ("reopen", INPUTS["reopen"]),
        ("approve", {}),
        ("pay", {"paid_on": (book.day - timedelta(1)).isoformat()}),
    ):
        transition(claim, action, book.assessor, payload, claim.version)
    events = _events(claim)
    assert [e.paid_delta for e in events if e.action == "pay"] == [
        Decimal("800.00"),
        Decimal("200.00"),  # the supplement after the reopen
    ]
    assert [e.reserve_delta for e in events] == [
        Decimal("1000.00"),  # report
        ZERO,  # submit
        ZERO,  # assess
        Decimal("-400.00"),  # approve in part: 600
        ZERO,  # appeal
        Decimal("200.00"),  # approve 800
        Decimal("-800.00"),  # pay
        ZERO,  # close
        ZERO,  # reopen
        Decimal("200.00"),  # approve 1000, 800 already paid
        Decimal("-200.00"),  # pay
    ]
    assert (claim.paid_amount, claim.reserve) == (Decimal("1000.00"), ZERO)
    assert claim.paid_on == book.day - timedelta(1)


@pytest.mark.parametrize(
    ("state", "action", "payload", "field"),
    [
        ("assessing", "reject", {"reason": "No"}, "reject_code"),
        ("assessing", "reject", {"reject_code": "R01"}, "reason"),
        (
            "assessing",
            "approve_partially",
            {"approved_amount": "1000.00", "reason": "x"},
            "approved_amount",
        ),
        ("assessing", "approve_partially", {"reason": "x"}, "approved_amount"),
        ("assessing", "approve_partially", {"approved_amount": "10.00"}, "reason"),
        ("assessing", "approve", {"approved_amount": "1000.01"}, "approved_amount"),
        ("assessing", "approve", {"approved_amount": "0"}, "approved_amount"),
        ("rejected", "appeal", {"reason": "  "}, "reason"),
        ("closed", "reopen", {}, "reason"),
    ],
)
def test_a_move_missing_its_input_is_refused_naming_it(book, state, action, payload, field):  # noqa: F811
    claim = claim_in(book, state)
    version = claim.version
    with pytest.raises(ValidationError) as refused:
        transition(claim, action, book.manager, payload, version)
    assert field in refused.value.errors
    db.session.rollback()
    again = db.session.get(Claim, claim.id)
    assert (again.status, again.version) == (state, version)


def test_an_agent_may_not_assess_and_a_stale_version_is_refused(book):  # noqa: F811
    claim = claim_in(book, "submitted")
    with pytest.raises(ForbiddenError):
        transition(claim, "assess", book.ann, {}, claim.version)
    with pytest.raises(StaleVersionError):
        transition(claim, "assess", book.assessor, {}, claim.version - 1)
    db.session.rollback()
    again = db.session.get(Claim, claim.id)
    assert again.status == "submitted" and len(_events(again)) == 2
    transition(again, "request_documents", book.ann, {"reason": "The police report"}, again.version)
    assert again.status == "documents_pending" and again.reason == "The police report"


def test_paying_fires_claim_settled_after_the_commit(book, register_plugin):  # noqa: F811
    seen: list[tuple[str, Decimal | None]] = []

    def on_settled(claim):
        with db.engine.connect() as other:
            seen.append(
                (claim.number, other.scalar(select(Claim.paid_amount).where(Claim.id == claim.id)))
            )

    register_plugin(plugin_module("probe", trellis_insurance_claim_settled=on_settled))
    claim = claim_in(book, "approved")
    assert seen == []
    transition(claim, "pay", book.assessor, {}, claim.version)
    assert seen == [(claim.number, Decimal("1000.00"))]
