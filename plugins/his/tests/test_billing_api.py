"""The billing API: the price list written by ``his.admin``; a payment and
its receipt, an over-payment 422 naming ``tenders``; a refund larger than
paid 422 naming ``amount``, paid out once approved; the caller's
settlement closed once (409 naming ``day`` the second time); permissions
and scope."""

from __future__ import annotations

from .billing_fixtures import clinic, counter  # noqa: F401

PRICE = {"code": "LAB-CBC", "name": "Complete blood count", "category": "lab", "price": "25.00"}


def test_the_price_list_is_kept_by_his_admin(as_user, counter, make_user):
    admin = make_user(role="admin")
    assert as_user(counter.cashier).post("/api/v1/his/price-items", json=PRICE).status_code == 403
    made = as_user(admin).post("/api/v1/his/price-items", json=PRICE)
    assert made.status_code == 201 and made.json["price"] == "25.00"
    taken = as_user(admin).post("/api/v1/his/price-items", json=PRICE)
    assert taken.status_code == 409 and "code" in taken.json["errors"]
    changed = as_user(admin).patch(
        f"/api/v1/his/price-items/{made.json['id']}",
        json={"price": "28.00", "version": made.json["version"]},
    )
    assert changed.status_code == 200 and changed.json["price"] == "28.00", changed.json
    listed = as_user(counter.cashier).get("/api/v1/his/price-items?category=lab").json
    assert [i["code"] for i in listed["items"]] == ["LAB-CBC"]


def test_pay_refund_and_settle_through_the_api(as_user, counter):
    wang = counter.patient("Wang")
    charges = counter.owe(wang, "30.00", "12.50")
    desk = as_user(counter.cashier)
    unpaid = desk.get(f"/api/v1/his/charges?customer_id={wang.id}&status=unpaid").json
    assert unpaid["total"] == 2
    body = {"customer_id": wang.id, "charge_ids": [c.id for c in charges]}
    over = desk.post(
        "/api/v1/his/payments", json=body | {"tenders": [{"method": "card", "amount": "50.00"}]}
    )
    assert over.status_code == 422 and "tenders" in over.json["errors"]
    paid = desk.post(
        "/api/v1/his/payments",
        json=body
        | {
            "tenders": [
                {"method": "card", "amount": "20.00"},
                {"method": "cash", "amount": "30.00"},
            ]
        },
    )
    assert paid.status_code == 201, paid.json
    assert (paid.json["total"], paid.json["change"]) == ("42.50", "7.50")
    assert {c["status"] for c in paid.json["charges"]} == {"paid"}
    assert as_user(counter.sales).get(f"/api/v1/his/payments/{paid.json['id']}").status_code == 403
    too_much = desk.post(
        "/api/v1/his/refunds",
        json={"payment_id": paid.json["id"], "amount": "42.51", "reason": "x"},
    )
    assert too_much.status_code == 422 and "amount" in too_much.json["errors"]
    refund = desk.post(
        "/api/v1/his/refunds",
        json={"payment_id": paid.json["id"], "amount": "12.50", "reason": "test not done"},
    )
    assert refund.status_code == 201 and refund.json["status"] == "approved"
    out = desk.post(f"/api/v1/his/refunds/{refund.json['id']}/payout")
    assert out.status_code == 200 and out.json["status"] == "refunded"
    again = desk.post(f"/api/v1/his/refunds/{refund.json['id']}/payout")
    assert again.status_code == 409 and "status" in again.json["errors"]
    closed = desk.post("/api/v1/his/settlements", json={})
    assert closed.status_code == 201
    assert (
        closed.json["collected"]["cash"] == "22.50" and closed.json["refunded"]["card"] == "12.50"
    )
    assert closed.json["cash_in_drawer"] == "22.50"
    twice = desk.post("/api/v1/his/settlements", json={})
    assert twice.status_code == 409 and "day" in twice.json["errors"]
    mine = as_user(counter.other_cashier).get("/api/v1/his/settlements").json
    assert mine["total"] == 0  # only the caller's own


def test_a_doctor_may_not_take_payments(as_user, counter):
    wang = counter.patient("Wang")
    charges = counter.owe(wang, "5.00")
    refused = as_user(counter.li).post(
        "/api/v1/his/payments",
        json={
            "customer_id": wang.id,
            "charge_ids": [charges[0].id],
            "tenders": [{"method": "cash", "amount": "5.00"}],
        },
    )
    assert refused.status_code == 403
