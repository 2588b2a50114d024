"""Invoices: requested against a signed contract, issued by finance, cancelled
— each refusal named by its field and leaving nothing written, and
``Contract.invoiced`` kept by hand-computed sums."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import (
    Activity,
    ForbiddenError,
    MissingReferenceError,
    StateError,
    TakenError,
    ValidationError,
    db,
)
from plugins.sales.models import Contract, Invoice
from plugins.sales.services.invoices.invoices import (
    cancel_invoice,
    issue_invoice,
    request_invoice,
    today,
)

from .test_invoices_helpers import USCC, billed, finance, make_contract, make_payment  # noqa: F401  (fixtures)


@pytest.fixture
def rep(make_user):
    return make_user(role="sales", name="Rita Rep")


def invoice_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Invoice))


def invoiced(contract) -> Decimal:
    db.session.expire_all()
    return db.session.get(Contract, contract.id).invoiced


def test_vat_special_names_every_missing_billing_detail(rep, make_contract, billed):
    contract = make_contract(rep)
    billed(contract.customer_id, address="", phone=None, bank_name="", bank_account="")
    with pytest.raises(StateError) as refused:
        request_invoice({"contract_id": contract.id, "kind": "vat_special", "amount": "100"}, rep)
    assert set(refused.value.errors) == {"address", "phone", "bank_name", "bank_account"}
    assert invoice_count() == 0


def test_vat_normal_needs_title_and_tax_number_receipt_only_title(rep, make_contract, billed):
    contract = make_contract(rep)
    billed(contract.customer_id, tax_number=None, address=None)
    with pytest.raises(StateError) as refused:
        request_invoice({"contract_id": contract.id, "kind": "vat_normal", "amount": "100"}, rep)
    assert list(refused.value.errors) == ["tax_number"]
    receipt = request_invoice({"contract_id": contract.id, "kind": "receipt", "amount": "100"}, rep)
    assert receipt.status == "requested" and receipt.title == "上海示例科技有限公司"


def test_a_customer_without_billing_details_is_refused_by_title(rep, make_contract):
    contract = make_contract(rep)
    with pytest.raises(StateError) as refused:
        request_invoice({"contract_id": contract.id, "kind": "receipt", "amount": "1"}, rep)
    assert list(refused.value.errors) == ["title"]


def test_the_request_copies_the_billing_details_and_the_contracts_people(
    rep, make_contract, billed
):
    contract = make_contract(rep)
    billed(contract.customer_id)
    invoice = request_invoice(
        {"contract_id": contract.id, "kind": "vat_special", "amount": "2500.50"}, rep
    )
    billed(contract.customer_id, title="改名后的公司")  # a later change leaves the invoice
    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice.id)
    assert (invoice.title, invoice.tax_number) == ("上海示例科技有限公司", USCC)
    assert invoice.bank_account == "6225 8812 3456 7890"
    assert (invoice.customer_id, invoice.owner_id, invoice.currency) == (
        contract.customer_id,
        rep.id,
        "CNY",
    )
    assert invoice.amount == Decimal("2500.50") and invoice.requested_by_id == rep.id
    assert invoiced(contract) == Decimal("0")  # requested is not invoiced


def test_over_invoicing_is_refused_by_amount(rep, make_contract, billed):
    contract = make_contract(rep, amount="1000.00")
    billed(contract.customer_id)
    first = request_invoice({"contract_id": contract.id, "amount": "600"}, rep)
    with pytest.raises(StateError) as refused:
        request_invoice({"contract_id": contract.id, "amount": "400.01"}, rep)
    assert list(refused.value.errors) == ["amount"]
    assert "400.00" in refused.value.errors["amount"][0]
    assert invoice_count() == 1
    # a cancelled request frees its amount again
    cancel_invoice(first, {"reason": "金额有误"}, rep)
    assert request_invoice({"contract_id": contract.id, "amount": "1000"}, rep).amount == 1000


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        ({"amount": "0"}, "amount", ValidationError),
        ({"amount": -5}, "amount", ValidationError),
        ({"currency": "USD"}, "currency", ValidationError),
        ({"kind": "proforma"}, "kind", ValidationError),
        ({"contract_id": 999999}, "contract_id", MissingReferenceError),
        ({"payment_id": 999999}, "payment_id", MissingReferenceError),
    ],
)
def test_bad_requests_name_their_field(rep, make_contract, billed, change, field, error):
    contract = make_contract(rep)
    billed(contract.customer_id)
    with pytest.raises(error) as refused:
        request_invoice({"contract_id": contract.id, "amount": "10", **change}, rep)
    assert field in refused.value.errors
    assert invoice_count() == 0


def test_only_a_signed_contract_and_a_confirmed_payment_are_invoiced(
    rep, make_contract, make_payment, billed
):
    draft = make_contract(rep, status="draft")
    billed(draft.customer_id)
    with pytest.raises(StateError) as refused:
        request_invoice({"contract_id": draft.id, "amount": "10"}, rep)
    assert list(refused.value.errors) == ["contract_id"]
    signed = make_contract(rep, customer=draft.customer)
    pending = make_payment(signed, "100", status="pending")
    with pytest.raises(StateError) as refused:
        request_invoice({"contract_id": signed.id, "amount": "10", "payment_id": pending.id}, rep)
    assert list(refused.value.errors) == ["payment_id"]
    paid = make_payment(signed, "100")
    invoice = request_invoice(
        {"contract_id": signed.id, "amount": "100", "payment_id": paid.id}, rep
    )
    assert invoice.payment_id == paid.id


def test_a_rep_cannot_request_on_another_reps_contract(rep, make_user, make_contract, billed):
    other = make_user(role="sales")
    contract = make_contract(other)
    billed(contract.customer_id)
    with pytest.raises(MissingReferenceError) as refused:
        request_invoice({"contract_id": contract.id, "amount": "10"}, rep)
    assert list(refused.value.errors) == ["contract_id"]


def test_issue_and_cancel_keep_contract_invoiced(rep, finance, make_contract, billed):
    contract = make_contract(rep, amount="10000.00")
    billed(contract.customer_id)
    a = request_invoice({"contract_id": contract.id, "amount": "3000.00"}, rep)
    b = request_invoice({"contract_id": contract.id, "amount": "2500.25"}, rep)
    issue_invoice(a, {"number": "044031900111"}, finance)
    assert invoiced(contract) == Decimal("3000.00")
    issue_invoice(b, {"number": "044031900112", "issued_on": today().isoformat()}, finance)
    assert invoiced(contract) == Decimal("5500.25")  # 3000.00 + 2500.25
    cancel_invoice(db.session.get(Invoice, a.id), {"reason": "开票信息有误"}, finance)
    assert invoiced(contract) == Decimal("2500.25")  # 5500.25 − 3000.00
    a = db.session.get(Invoice, a.id)
    assert (a.status, a.cancel_reason) == ("cancelled", "开票信息有误")
    assert a.number == "044031900111"  # kept: the tax system knows it
    b = db.session.get(Invoice, b.id)
    assert (b.status, b.issued_by_id, b.issued_on) == ("issued", finance.id, today())


def test_issue_needs_the_permission(rep, make_contract, billed):
    contract = make_contract(rep)
    billed(contract.customer_id)
    invoice = request_invoice({"contract_id": contract.id, "amount": "10"}, rep)
    with pytest.raises(ForbiddenError):
        issue_invoice(invoice, {"number": "1"}, rep)
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).status == "requested"
    assert invoiced(contract) == 0


def test_issue_refusals_name_their_field(rep, finance, make_contract, billed):
    contract = make_contract(rep)
    billed(contract.customer_id)
    first = request_invoice({"contract_id": contract.id, "amount": "10"}, rep)
    second = request_invoice({"contract_id": contract.id, "amount": "20"}, rep)
    issue_invoice(first, {"number": "NO-1"}, finance)
    with pytest.raises(TakenError) as refused:
        issue_invoice(second, {"number": " NO-1 "}, finance)
    assert list(refused.value.errors) == ["number"]
    tomorrow = (today() + timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError) as refused:
        issue_invoice(second, {"number": "NO-2", "issued_on": tomorrow}, finance)
    assert list(refused.value.errors) == ["issued_on"]
    with pytest.raises(ValidationError) as refused:
        issue_invoice(second, {"number": "  "}, finance)
    assert list(refused.value.errors) == ["number"]
    with pytest.raises(StateError) as refused:
        issue_invoice(db.session.get(Invoice, first.id), {"number": "NO-3"}, finance)
    assert list(refused.value.errors) == ["status"]
    db.session.expire_all()
    assert db.session.get(Invoice, second.id).status == "requested"
    assert invoiced(contract) == Decimal("10.00")


def test_a_cancelled_invoices_number_may_be_used_again(rep, finance, make_contract, billed):
    contract = make_contract(rep)
    billed(contract.customer_id)
    first = request_invoice({"contract_id": contract.id, "amount": "10"}, rep)
    issue_invoice(first, {"number": "NO-9"}, finance)
    cancel_invoice(first, {"reason": "作废"}, finance)
    again = request_invoice({"contract_id": contract.id, "amount": "10"}, rep)
    assert issue_invoice(again, {"number": "NO-9"}, finance).status == "issued"


def test_the_database_keeps_an_issued_number_unique_when_the_check_is_raced(
    rep, finance, make_contract, billed
):
    """Two clerks typing one number at the same instant both pass the
    service's look-up; the partial unique index refuses the second, and the
    service turns that into the same refusal, naming the number."""
    from sqlalchemy import update

    contract = make_contract(rep)
    billed(contract.customer_id)
    first = request_invoice({"contract_id": contract.id, "amount": "10"}, rep)
    second = request_invoice({"contract_id": contract.id, "amount": "10"}, rep)
    issue_invoice(first, {"number": "RACE-1"}, finance)
    # as if the second clerk had read before the first committed: hide the
    # first from the look-up by its status, then give it back at flush time
    db.session.execute(update(Invoice).where(Invoice.id == first.id).values(status="raced"))
    db.session.commit()

    from sqlalchemy import event

    def restore(session, flush_context, instances):
        session.execute(update(Invoice).where(Invoice.id == first.id).values(status="issued"))

    event.listen(db.session(), "before_flush", restore, once=True)
    with pytest.raises(ValidationError) as refused:
        issue_invoice(second, {"number": "RACE-1"}, finance)
    assert list(refused.value.errors) == ["number"]
    db.session.expire_all()
    assert db.session.get(Invoice, second.id).status == "requested"
    assert invoiced(contract) == Decimal("10.00")


def test_cancel_needs_a_reason_and_issue_rights_once_issued(rep, finance, make_contract, billed):
    contract = make_contract(rep)
    billed(contract.customer_id)
    invoice = request_invoice({"contract_id": contract.id, "amount": "10"}, rep)
    with pytest.raises(ValidationError) as refused:
        cancel_invoice(invoice, {"reason": "  "}, rep)
    assert list(refused.value.errors) == ["reason"]
    issue_invoice(invoice, {"number": "X-1"}, finance)
    with pytest.raises(ForbiddenError):
        cancel_invoice(invoice, {"reason": "客户要求"}, rep)
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).status == "issued"
    assert invoiced(contract) == Decimal("10.00")
    cancel_invoice(db.session.get(Invoice, invoice.id), {"reason": "客户要求"}, finance)
    with pytest.raises(StateError) as refused:
        cancel_invoice(db.session.get(Invoice, invoice.id), {"reason": "again"}, finance)
    assert list(refused.value.errors) == ["status"]


def test_every_write_is_audited_and_on_the_timeline(
    rep, finance, make_user, as_user, make_contract, billed
):
    contract = make_contract(rep)
    billed(contract.customer_id)
    invoice = request_invoice({"contract_id": contract.id, "amount": "10"}, rep)
    issue_invoice(invoice, {"number": "A-1"}, finance)
    cancel_invoice(invoice, {"reason": "重开"}, finance)
    admin = make_user(role="admin")
    got = as_user(admin).get(
        f"/api/v1/audit?entity=sales_invoice&entity_id={invoice.id}&per_page=100"
    )
    assert got.status_code == 200, got.json
    assert sorted(entry["action"] for entry in got.json["items"]) == ["cancel", "create", "issue"]
    notes = db.session.scalars(
        select(Activity.subject)
        .where(Activity.link_type == "sales_invoice", Activity.link_id == invoice.id)
        .order_by(Activity.id)
    ).all()
    assert len(notes) == 3 and "A-1" in notes[1]
