"""The billing pages: the cashier desk finds the patient, takes a split
payment and lands on the printable receipt; an over-payment is a message
with nothing saved; a refund is asked on the receipt and paid out from the
refunds list; the cashier closes the day once; the price list is
``his.admin``'s; a doctor may not open the desk."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.api import db
from plugins.his.models import PatientPayment, PriceItem, Refund, Settlement

from .billing_fixtures import clinic, counter  # noqa: F401


def _post(web, url: str, data: dict):
    page = web.get("/his/cashier").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on the page"
    return web.post(url, data=data | {"csrf_token": token.group(1)})


def test_the_desk_takes_a_split_payment_and_prints_the_receipt(counter, login_as):
    wang = counter.patient("Wang Xiaoying")
    charges = counter.owe(wang, "30.00", "12.50")
    web = login_as(counter.cashier)
    found = web.get("/his/cashier?q=Wang")
    assert found.status_code == 200 and f"customer_id={wang.id}" in found.text
    desk = web.get(f"/his/cashier?customer_id={wang.id}")
    assert desk.status_code == 200 and "Test 0" in desk.text and 'name="amount_cash"' in desk.text
    ids = [str(c.id) for c in charges]
    over = _post(
        web, "/his/cashier", {"customer_id": wang.id, "charge_id": ids, "amount_card": "50.00"}
    )
    assert over.status_code == 302 and db.session.scalar(select(PatientPayment)) is None
    assert "over-payment" in web.get(over.location).text
    paid = _post(
        web,
        "/his/cashier",
        {
            "customer_id": wang.id,
            "charge_id": ids,
            "amount_wechat": "20.00",
            "amount_cash": "25.00",
        },
    )
    assert paid.status_code == 302 and "/receipts/" in paid.location
    payment = db.session.scalar(select(PatientPayment))
    receipt = web.get(paid.location)
    assert receipt.status_code == 200 and payment.number in receipt.text
    assert "2.50" in receipt.text  # the change


def test_a_refund_is_asked_on_the_receipt_and_paid_out(counter, login_as):
    wang = counter.patient("Wang")
    charges = counter.owe(wang, "30.00")
    web = login_as(counter.cashier)
    _post(
        web,
        "/his/cashier",
        {"customer_id": wang.id, "charge_id": [str(charges[0].id)], "amount_cash": "30.00"},
    )
    payment = db.session.scalar(select(PatientPayment))
    too_much = _post(web, f"/his/receipts/{payment.id}", {"amount": "31.00", "reason": "x"})
    assert too_much.status_code == 302 and db.session.scalar(select(Refund)) is None
    _post(web, f"/his/receipts/{payment.id}", {"amount": "10.00", "reason": "not done"})
    refund = db.session.scalar(select(Refund))
    assert refund.status == "approved"
    listed = web.get("/his/refunds?status=approved")
    assert listed.status_code == 200 and payment.number in listed.text
    _post(web, f"/his/refunds/{refund.id}/pay", {})
    db.session.refresh(refund)
    assert refund.status == "refunded"


def test_the_cashier_closes_the_day_once(counter, login_as):
    web = login_as(counter.cashier)
    assert web.get("/his/settlement").status_code == 200
    _post(web, "/his/settlement", {})
    twice = _post(web, "/his/settlement", {})
    assert len(db.session.scalars(select(Settlement)).all()) == 1
    assert "closed already" in web.get(twice.location).text


def test_the_price_list_is_his_admins(counter, login_as, make_user):
    assert login_as(counter.cashier).get("/his/price-items").status_code == 403
    web = login_as(make_user(role="admin"))
    assert web.get("/his/price-items").status_code == 200
    bad = _post(
        web, "/his/price-items", {"code": "lab cbc", "name": "", "category": "lab", "price": "x"}
    )
    assert bad.status_code == 200 and db.session.scalar(select(PriceItem)) is None
    _post(
        web,
        "/his/price-items",
        {"code": "LAB-CBC", "name": "CBC", "category": "lab", "price": "25.00"},
    )
    item = db.session.scalar(select(PriceItem))
    page = web.get(f"/his/price-items/{item.id}")
    assert page.status_code == 200 and "LAB-CBC" in page.text
    _post(
        web,
        f"/his/price-items/{item.id}",
        {"name": "Blood count", "category": "lab", "price": "26.00", "version": item.version},
    )
    db.session.refresh(item)
    assert (item.name, str(item.price), item.active) == ("Blood count", "26.00", False)


def test_a_doctor_may_not_open_the_desk(counter, login_as):
    assert login_as(counter.li).get("/his/cashier").status_code == 403
