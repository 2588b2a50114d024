"""A contract's life: draft → pending (approval) → approved → signed →
active → completed, or terminated with a reason; each move, each refusal,
the approval's outcomes moving the status, amendments and their history,
the start-date job and the ``trellis_sales_contract_signed`` event."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import ConflictError, StateError, ValidationError, db, is_locked, save_approval_flow
from core.testing import plugin_module
from plugins.sales.models import Contract, ContractAmendment
from plugins.sales.services.contracts import lifecycle
from plugins.sales.services.contracts.amendments import amend
from plugins.sales.services.contracts.approvals import RECORD, submit_contract
from plugins.sales.services.contracts.editing import update_contract

from .test_contracts import contact, customer, make_contract, people  # noqa: F401  (fixtures)


@pytest.fixture
def large_contracts(people):  # noqa: F811
    """The flow: a manager approves every contract above 100,000."""
    return save_approval_flow(
        {
            "record_type": RECORD,
            "name": "Large contracts",
            "condition": {"field": "amount", "op": "gt", "value": "100000"},
            "steps": [{"approver_kind": "role", "role": "manager"}],
        },
        None,
        people["admin"],
    )


@pytest.fixture
def approved(people, make_contract):  # noqa: F811
    """A small contract, approved at once (no flow applies)."""
    contract = make_contract(amount="5000.00")
    assert submit_contract(contract, people["rep"]).status == "approved"
    assert contract.status == "approved"
    return contract


def signed(contract, people, contact):  # noqa: F811
    return lifecycle.sign(
        contract, {"signed_date": "2030-01-02", "contact_id": contact.id}, people["rep"]
    )


def fresh(contract) -> Contract:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Contract, contract.id)


def test_a_large_contract_waits_pending_and_the_managers_approval_approves_it(
    people, make_contract, large_contracts, as_user
):
    contract = make_contract()
    request = submit_contract(contract, people["rep"])
    assert request.status == "pending" and fresh(contract).status == "pending"
    assert is_locked(RECORD, contract.id)
    with pytest.raises(ConflictError):
        update_contract(fresh(contract), {"title": "Changed"}, people["rep"])
    answer = as_user(people["manager"]).post(
        f"/api/v1/approvals/requests/{request.id}/approve", json={}
    )
    assert answer.status_code == 200, answer.json
    assert fresh(contract).status == "approved" and not is_locked(RECORD, contract.id)


def test_a_rejected_contract_goes_back_to_draft(people, make_contract, large_contracts, as_user):
    contract = make_contract()
    request = submit_contract(contract, people["rep"])
    answer = as_user(people["manager"]).post(
        f"/api/v1/approvals/requests/{request.id}/reject", json={"comment": "Too cheap"}
    )
    assert answer.status_code == 200, answer.json
    assert fresh(contract).status == "draft"


def test_a_withdrawn_contract_goes_back_to_draft_and_may_be_edited(
    people, make_contract, large_contracts, as_user
):
    contract = make_contract()
    request = submit_contract(contract, people["rep"])
    answer = as_user(people["rep"]).post(f"/api/v1/approvals/requests/{request.id}/withdraw")
    assert answer.status_code == 200, answer.json
    contract = fresh(contract)
    assert contract.status == "draft"
    update_contract(contract, {"title": "Changed"}, people["rep"])
    assert fresh(contract).title == "Changed"


def test_only_a_draft_is_submitted(people, approved):
    with pytest.raises(StateError) as refused:
        submit_contract(approved, people["rep"])
    assert "status" in refused.value.errors


def test_an_unapproved_contract_is_not_signed(people, make_contract, contact):  # noqa: F811
    draft = make_contract()
    with pytest.raises(StateError) as refused:
        signed(draft, people, contact)
    assert "approval" in refused.value.errors["status"][0]
    assert fresh(draft).status == "draft" and fresh(draft).signed_date is None


def test_signing_records_the_day_and_the_signatory_once(people, approved, contact):  # noqa: F811
    signed(approved, people, contact)
    contract = fresh(approved)
    assert contract.status == "signed" and contract.signed_date == date(2030, 1, 2)
    assert contract.contact_id == contact.id
    with pytest.raises(StateError) as twice:
        signed(contract, people, contact)
    assert "already signed" in twice.value.errors["status"][0]


def test_the_signatory_works_for_the_customer(
    people,
    approved,
    make_customer,
    make_contact,  # noqa: F811
):
    stranger = make_contact(customer=make_customer(name="Elsewhere"), name="Li Lei")
    with pytest.raises(ValidationError) as refused:
        lifecycle.sign(
            approved, {"signed_date": "2030-01-02", "contact_id": stranger.id}, people["rep"]
        )
    assert "contact_id" in refused.value.errors
    with pytest.raises(ValidationError) as undated:
        lifecycle.sign(approved, {"contact_id": stranger.id}, people["rep"])
    assert "signed_date" in undated.value.errors
    assert fresh(approved).status == "approved"


def test_a_signed_contract_starts_completes_and_nothing_moves_backwards(
    people,
    approved,
    contact,  # noqa: F811
):
    signed(approved, people, contact)
    with pytest.raises(StateError):
        lifecycle.complete(fresh(approved), people["rep"])
    lifecycle.activate(fresh(approved), people["rep"])
    assert fresh(approved).status == "active"
    with pytest.raises(StateError):
        lifecycle.activate(fresh(approved), people["rep"])
    lifecycle.complete(fresh(approved), people["rep"])
    assert fresh(approved).status == "completed"
    with pytest.raises(StateError):
        lifecycle.terminate(fresh(approved), {"reason": "late"}, people["rep"])


def test_a_signed_contract_starts_by_itself_on_its_start_date(
    people,
    approved,
    contact,  # noqa: F811
):
    signed(approved, people, contact)
    assert lifecycle.activate_started(on=date(2029, 12, 31)) == 0
    assert fresh(approved).status == "signed"
    assert lifecycle.activate_started(on=date(2030, 1, 1)) == 1
    assert fresh(approved).status == "active"
    assert lifecycle.activate_started(on=date(2030, 1, 1)) == 0


def test_termination_needs_a_reason_and_a_signed_or_active_contract(
    people,
    approved,
    contact,  # noqa: F811
):
    with pytest.raises(StateError):
        lifecycle.terminate(approved, {"reason": "changed our minds"}, people["rep"])
    signed(approved, people, contact)
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            lifecycle.terminate(fresh(approved), {"reason": reason}, people["rep"])
        assert "reason" in refused.value.errors
    assert fresh(approved).status == "signed"
    lifecycle.terminate(fresh(approved), {"reason": "The customer closed"}, people["rep"])
    contract = fresh(approved)
    assert contract.status == "terminated" and contract.termination_reason == "The customer closed"
    assert contract.terminated_at is not None


def test_a_signed_contract_changes_only_by_an_amendment_with_its_history(
    people,
    approved,
    contact,  # noqa: F811
):
    signed(approved, people, contact)
    with pytest.raises(StateError):
        update_contract(fresh(approved), {"title": "Quietly changed"}, people["rep"])
    amend(
        fresh(approved),
        {"amount": "6500.00", "end_date": "2031-06-30"},
        "Two more offices",
        people["rep"],
    )
    amend(fresh(approved), {"title": "Tea for all offices"}, "Renamed", people["manager"])
    contract = fresh(approved)
    assert contract.amendment == 2 and contract.amount == Decimal("6500.00")
    assert contract.end_date == date(2031, 6, 30) and contract.title == "Tea for all offices"
    history = db.session.scalars(
        select(ContractAmendment)
        .where(ContractAmendment.contract_id == contract.id)
        .order_by(ContractAmendment.number)
    ).all()
    assert [(a.number, a.reason, a.changes, a.user_id) for a in history] == [
        (
            1,
            "Two more offices",
            {"amount": ["5000.00", "6500.00"], "end_date": ["2030-12-31", "2031-06-30"]},
            people["rep"].id,
        ),
        (
            2,
            "Renamed",
            {"title": ["Tea for every office", "Tea for all offices"]},
            people["manager"].id,
        ),
    ]


@pytest.mark.parametrize(
    "changes, reason, field",
    [
        ({"amount": "6000"}, "", "reason"),
        ({"amount": "0"}, "Cut", "amount"),
        ({"amount": "999.99"}, "Below what was paid", "amount"),
        ({"end_date": "2029-01-01"}, "Earlier", "end_date"),
        ({}, "Nothing", "changes"),
    ],
)
def test_a_bad_amendment_is_refused_by_field_and_nothing_changes(
    people,
    approved,
    contact,
    changes,
    reason,
    field,  # noqa: F811
):
    signed(approved, people, contact)
    contract = fresh(approved)
    contract.collected = Decimal("1000.00")
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        amend(fresh(approved), changes, reason, people["rep"])
    assert field in refused.value.errors
    contract = fresh(approved)
    assert contract.amendment == 0 and contract.amount == Decimal("5000.00")
    assert db.session.scalar(select(ContractAmendment.id)) is None


def test_a_draft_is_not_amended(people, make_contract):  # noqa: F811
    with pytest.raises(StateError):
        amend(make_contract(), {"amount": "1.00"}, "Why not", people["rep"])


def test_hook_trellis_sales_contract_signed(
    register_plugin, make_user, make_customer, make_contact
):
    seen: list[tuple[int, str | None]] = []

    def on_signed(contract):
        with db.engine.connect() as other:  # another connection sees only what is committed
            stored = other.scalar(select(Contract.status).where(Contract.id == contract.id))
        seen.append((contract.id, stored))

    register_plugin(plugin_module("probe", trellis_sales_contract_signed=on_signed))
    rep = make_user(role="sales")
    customer = make_customer(name="Acme Tea", owner_id=rep.id)
    contact_ = make_contact(customer=customer, name="Chen Jing")
    from plugins.sales.services.contracts import create_contract

    contract = create_contract(
        {"title": "Tea", "customer_id": customer.id, "amount": "10.00", "currency": "CNY"}, rep
    )
    submit_contract(contract, rep)
    assert seen == []
    lifecycle.sign(contract, {"signed_date": "2030-01-02", "contact_id": contact_.id}, rep)
    assert seen == [(contract.id, "signed")]


def test_a_draft_submitted_through_core_waits_pending_and_a_signed_one_stays_signed(
    people,
    make_contract,
    large_contracts,
    as_user,
    contact,  # noqa: F811
):
    api = as_user(people["rep"])
    draft = make_contract()
    sent = api.post(
        "/api/v1/approvals/requests", json={"record_type": RECORD, "record_id": draft.id}
    )
    assert sent.status_code == 201, sent.json
    assert fresh(draft).status == "pending"
    small = make_contract(amount="50.00")
    submit_contract(small, people["rep"])
    signed(fresh(small), people, contact)
    again = api.post(
        "/api/v1/approvals/requests", json={"record_type": RECORD, "record_id": small.id}
    )
    assert again.status_code == 201 and again.json["status"] == "approved"
    assert fresh(small).status == "signed"
