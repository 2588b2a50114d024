"""Examination orders: ordered from the price list in an open visit and
charged at once; a result entered (by a nurse too) or imported from a CSV,
all rows or none; cancelled before its result (the charge voided); bad input
named with nothing written; another department's doctor gets 404."""

from __future__ import annotations

from sqlalchemy import func, select

from core.api import db
from plugins.his.models import Charge, ExamOrder, Visit

from .booking_fixtures import clinic  # noqa: F401
from .orders_fixtures import formulary  # noqa: F401
from .visit_fixtures import started

URL = "/api/v1/his/exam-orders"


def order(client, visit, code="LAB-CBC", **fields):
    return client.post(URL, json={"visit_id": visit.id, "item_code": code, **fields})


def test_an_order_is_charged_at_the_price_list_and_resulted_by_a_nurse(clinic, formulary, as_user):
    visit = started(clinic)
    made = order(as_user(clinic.li), visit, note="fasting")
    assert made.status_code == 201, made.json
    body = made.json
    assert (body["kind"], body["item_name"], body["price"]) == (
        "lab",
        "Complete blood count",
        "25.00",
    )
    assert body["status"] == "ordered" and body["number"].startswith("EX")
    charge = db.session.scalar(select(Charge).where(Charge.source == "exam_order"))
    assert (charge.source_id, charge.category, str(charge.amount)) == (body["id"], "lab", "25.00")
    nurse = as_user(clinic.nurse)
    result = {"version": body["version"], "value": "5.2", "unit": "10^9/L", "flag": "normal"}
    resulted = nurse.post(f"{URL}/{body['id']}/result", json=result)
    assert resulted.status_code == 200, resulted.json
    assert resulted.json["status"] == "resulted"
    assert resulted.json["resulted_by_id"] == clinic.nurse.id
    again = nurse.post(f"{URL}/{body['id']}/result", json={**result, "version": 2})
    assert again.status_code == 409 and "status" in again.json["errors"]


def test_a_result_needs_a_value_or_a_text(clinic, formulary, as_user):
    visit = started(clinic)
    li = as_user(clinic.li)
    body = order(li, visit, "IMG-CXR").json
    empty = li.post(f"{URL}/{body['id']}/result", json={"version": 1, "unit": "mm"})
    assert empty.status_code == 422 and {"value", "unit"} <= set(empty.json["errors"])
    text = li.post(f"{URL}/{body['id']}/result", json={"version": 1, "text": "No infiltrate."})
    assert text.status_code == 200 and text.json["result_text"] == "No infiltrate."


def test_bad_orders_are_refused_by_field(clinic, formulary, as_user):
    visit = started(clinic)
    li = as_user(clinic.li)
    unknown = order(li, visit, "NOPE")
    assert unknown.status_code == 404 and "item_code" in unknown.json["errors"]
    not_an_exam = order(li, visit, "CONSULT")
    assert not_an_exam.status_code == 404 and "item_code" in not_an_exam.json["errors"]
    db.session.get(Visit, visit.id).status = "closed"
    db.session.commit()
    closed = order(li, visit)
    assert closed.status_code == 409 and "visit_id" in closed.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(ExamOrder)) == 0
    assert db.session.scalar(select(func.count()).select_from(Charge)) == 0


def test_cancelling_voids_the_charge_and_a_resulted_order_stays(clinic, formulary, as_user):
    visit = started(clinic)
    li = as_user(clinic.li)
    first, second = order(li, visit).json, order(li, visit, "IMG-CXR").json
    cancelled = li.post(f"{URL}/{first['id']}/cancel", json={"version": 1, "reason": "duplicate"})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    charge = db.session.scalar(select(Charge).where(Charge.source_id == first["id"]))
    assert charge.status == "void"
    li.post(f"{URL}/{second['id']}/result", json={"version": 1, "text": "clear"})
    refused = li.post(f"{URL}/{second['id']}/cancel", json={"version": 2, "reason": "x"})
    assert refused.status_code == 409 and "status" in refused.json["errors"]


def test_results_import_from_csv_all_or_nothing(clinic, formulary, as_user):
    visit = started(clinic)
    li = as_user(clinic.li)
    cbc, cxr = order(li, visit).json, order(li, visit, "IMG-CXR").json
    bad = f"order,value,unit,flag,text\n{cbc['number']},5.1,10^9/L,normal,\nEX-NONE,1,,,\n"
    refused = li.post(f"{URL}/import", data=bad.encode(), content_type="text/csv")
    assert refused.status_code == 422
    assert "order" in refused.json["errors"]["rows"]["3"]
    db.session.expire_all()
    assert db.session.get(ExamOrder, cbc["id"]).status == "ordered"
    good = f"order,value,unit,flag,text\n{cbc['number']},5.1,10^9/L,high,\n{cxr['id']},,,,clear\n"
    done = li.post(f"{URL}/import", data=good.encode(), content_type="text/csv")
    assert done.status_code == 200, done.json
    assert done.json["imported"] == 2
    db.session.expire_all()
    resulted = db.session.get(ExamOrder, cbc["id"])
    assert (resulted.status, resulted.result_value, resulted.result_flag) == (
        "resulted",
        "5.1",
        "high",
    )
    twice = li.post(f"{URL}/import", data=good.encode(), content_type="text/csv")
    assert twice.status_code == 422 and set(twice.json["errors"]["rows"]) == {"2", "3"}


def test_another_departments_doctor_gets_404(clinic, formulary, as_user):
    visit = started(clinic)
    made = order(as_user(clinic.li), visit).json
    zhou = as_user(clinic.zhou)
    assert zhou.get(f"{URL}/{made['id']}").status_code == 404
    assert order(zhou, visit).status_code == 404
    assert zhou.get(URL).json["total"] == 0
    text = f"order,text\n{made['number']},x\n"
    refused = zhou.post(f"{URL}/import", data=text.encode(), content_type="text/csv")
    assert refused.status_code == 422 and "order" in refused.json["errors"]["rows"]["2"]
