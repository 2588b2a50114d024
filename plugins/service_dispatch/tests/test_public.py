"""Requests customers file through a public link (报修) and the tracking
link they get back: no account, rate-limited, and every bad input — missing
fields, spam, a wrong key, a forged token — refused with nothing changed."""

import hashlib
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.api import ConflictError, Contact, Customer, db, utcnow
from plugins.service_dispatch.models import Attachment, ServiceRequest, WorkOrder, WorkOrderEvent
from plugins.service_dispatch.services import lifecycle, public, review

from .conftest import reload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REQUEST = {
    "name": "Zhou Jie",
    "phone": "139 1234 5678",
    "address": "8 Lake Rd",
    "product": "KFR-35GW",
    "serial_number": "SN-778",
    "description": "Not cooling\nsince yesterday evening",
}
TRACK = re.compile(r"http://localhost/service/track/([A-Za-z0-9_-]+)")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def link(app):
    return public.create_link("Website", None, None)


def send(client, link, **fields):
    return client.post(
        f"/service/request/{link.key}",
        data={**REQUEST, **fields},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_the_public_form_stands_alone_without_the_app_menu(client, link):
    page = client.get(f"/service/request/{link.key}")
    assert page.status_code == 200
    assert 'name="website"' in page.text and 'name="photos"' in page.text
    assert 'class="menu"' not in page.text and "Sign out" not in page.text
    assert 'name="viewport"' in page.text


def test_the_form_speaks_the_visitors_language(client, link):
    chinese = client.get(f"/service/request/{link.key}", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="zh-CN">' in chinese.text
    picked = client.get(
        f"/service/request/{link.key}?lang=en", headers={"Accept-Language": "zh-CN"}
    )
    assert '<html lang="en">' in picked.text


def test_a_request_opens_an_order_for_a_new_pool_customer_and_the_link_tracks_it(
    client, link, dispatcher, make_engineer
):
    sent = send(client, link, photos=[(io.BytesIO(PNG), "ac.png")])
    assert sent.status_code == 200 and sent.request.path.endswith("/thanks")
    token = TRACK.search(sent.text).group(1)
    customer = db.session.scalar(select(Customer))
    assert (customer.name, customer.phones, customer.owner_id) == (
        "Zhou Jie",
        ["+8613912345678"],
        None,
    )
    contact = db.session.scalar(select(Contact))
    assert (contact.customer_id, contact.phones) == (customer.id, ["+8613912345678"])
    order = db.session.scalar(select(WorkOrder))
    assert (order.source, order.requester_name, order.requester_phone) == (
        "public",
        "Zhou Jie",
        "139 1234 5678",
    )
    assert (order.customer_id, order.contact_id, order.status, order.priority) == (
        customer.id,
        contact.id,
        "new",
        "normal",
    )
    assert order.title == "KFR-35GW: Not cooling"
    assert (order.address, order.serial_number) == ("8 Lake Rd", "SN-778")
    assert order.tracking_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert db.session.scalar(select(Attachment)).content_type == "image/png"
    assert order.number in sent.text
    again = client.get(sent.request.path)  # a reload of the thank-you page files nothing
    assert again.status_code == 200 and TRACK.search(again.text).group(1) == token
    assert count(WorkOrder) == 1 and count(Customer) == 1

    page = client.get(f"/service/track/{token}")
    assert page.status_code == 200
    assert order.number in page.text and "New" in page.text
    engineer = make_engineer(name="Wang Gong")
    appointment = utcnow() + timedelta(days=1)
    lifecycle.transition(
        reload(order),
        "assign",
        dispatcher,
        {
            "engineer_id": engineer.id,
            "appointment_at": appointment,
            "note": "Gate code 4471, dog in yard",
        },
        order.version,
    )
    page = client.get(f"/service/track/{token}")
    assert page.status_code == 200 and "Assigned" in page.text
    assert "Gate code 4471" not in page.text and "Wang Gong" not in page.text
    assert "not agreed yet" not in page.text  # the appointment is shown instead


def waiting_requests() -> list[ServiceRequest]:
    return list(db.session.scalars(select(ServiceRequest).order_by(ServiceRequest.id)))


def known_customer(make_customer, make_contact):
    """Lake Hotel, whose front desk has the phone the public form sends."""
    make_customer(name="Other Co")
    known = make_customer(name="Lake Hotel")
    desk = make_contact(customer=known, name="Front desk", phones=["+86 139-1234-5678"])
    db.session.expire_all()
    return db.session.get(Customer, known.id), desk


def test_a_known_phone_changes_nothing_and_waits_for_review(
    client, link, make_customer, make_contact
):
    """Anyone can type a customer's phone: an anonymous request never adds a
    contact or an order to an existing customer, it waits for a dispatcher."""
    known, desk = known_customer(make_customer, make_contact)
    stamp, before = known.updated_at, (count(Customer), count(Contact))
    sent = send(client, link, name="Mr Zhou", photos=[(io.BytesIO(PNG), "ac.html")])
    assert sent.status_code == 200 and sent.request.path.endswith("/thanks")
    assert (count(Customer), count(Contact), count(WorkOrder), count(Attachment)) == (*before, 0, 0)
    db.session.expire_all()
    assert db.session.get(Customer, known.id).updated_at == stamp
    [waiting] = waiting_requests()
    assert (waiting.name, waiting.phone, waiting.title) == (
        "Mr Zhou",
        "139 1234 5678",
        "KFR-35GW: Not cooling",
    )
    # the visitor cannot tell: a number and a tracking link as always
    token = TRACK.search(sent.text).group(1)
    assert waiting.number in sent.text and re.fullmatch(r"WO-\d{8}-\d{4}", waiting.number)
    page = client.get(f"/service/track/{token}")
    assert page.status_code == 200 and waiting.number in page.text and "New" in page.text


def test_a_request_for_an_unknown_phone_answers_the_same_as_for_a_known_one(
    client, link, make_customer, make_contact
):
    def answer(phone: str) -> str:
        text = send(client, link, phone=phone).text
        text = TRACK.sub("TRACK", text)
        return re.sub(r"WO-\d{8}-\d{4}", "NUMBER", text)

    known_customer(make_customer, make_contact)
    assert answer("139 1234 5678") == answer("139 8765 4321")
    assert count(WorkOrder) == 1 and len(waiting_requests()) == 1


def test_a_dispatcher_links_the_request_to_the_customer_and_the_order_opens(
    client, link, make_customer, make_contact, dispatcher, login_as
):
    known, desk = known_customer(make_customer, make_contact)
    sent = send(client, link, name="Mr Zhou", photos=[(io.BytesIO(PNG), "ac.html")])
    token = TRACK.search(sent.text).group(1)
    [waiting] = waiting_requests()
    web = login_as(dispatcher)
    page = web.get("/service/requests")
    assert page.status_code == 200 and "Mr Zhou" in page.text and "Lake Hotel" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    linked = web.post(
        f"/service/requests/{waiting.id}/accept",
        data={"csrf_token": csrf, "customer_id": str(known.id)},
    )
    assert linked.status_code == 302
    order = db.session.scalar(select(WorkOrder))
    assert (order.customer_id, order.contact_id, order.number, order.source) == (
        known.id,
        desk.id,
        waiting.number,
        "public",
    )
    assert (order.requester_name, order.title) == ("Mr Zhou", "KFR-35GW: Not cooling")
    assert [(a.filename, a.content_type) for a in order_files(order)] == [("ac.png", "image/png")]
    assert waiting_requests() == [] and count(Contact) == 1
    page = client.get(f"/service/track/{token}")  # the tracking link now follows the order
    assert page.status_code == 200 and order.number in page.text


@pytest.mark.parametrize("decision", ["link", "new customer", "dismiss"])
def test_a_request_another_dispatcher_just_handled_is_a_409_and_changes_nothing(
    decision, client, link, make_customer, make_contact, dispatcher
):
    """Both dispatchers read the request; the other one's decision commits
    first (here: through another connection). The second decision finds the
    request gone: a conflict, no order, no new customer."""
    known, _desk = known_customer(make_customer, make_contact)
    send(client, link, name="Mr Zhou")
    [held] = waiting_requests()
    number = held.number
    customers = db.session.scalar(select(func.count()).select_from(Customer))
    with db.engine.begin() as other_dispatcher:
        other_dispatcher.execute(ServiceRequest.__table__.delete())
    with pytest.raises(ConflictError) as refused:
        if decision == "dismiss":
            review.dismiss(held, dispatcher)
        else:
            review.accept(held, known.id if decision == "link" else None, dispatcher)
    assert number in str(refused.value)
    assert db.session.scalar(select(func.count()).select_from(WorkOrder)) == 0
    assert db.session.scalar(select(func.count()).select_from(Customer)) == customers


def order_files(order):
    return db.session.scalars(select(Attachment).where(Attachment.work_order_id == order.id)).all()


def test_a_dispatcher_may_open_a_new_customer_for_the_request_or_dismiss_it(
    client, link, make_customer, make_contact, dispatcher, as_user
):
    known, _desk = known_customer(make_customer, make_contact)
    send(client, link, name="Mr Zhou")
    send(client, link, name="Spam", photos=[(io.BytesIO(PNG), "x.png")])
    first, spam = waiting_requests()
    api = as_user(dispatcher)
    listed = api.get("/api/v1/service/requests").json
    assert [r["id"] for r in listed["items"]] == [first.id, spam.id]
    assert [c["id"] for c in listed["items"][0]["customers"]] == [known.id]
    opened = api.post(f"/api/v1/service/requests/{first.id}/accept", json={"customer_id": None})
    assert opened.status_code == 201, opened.json
    order = db.session.get(WorkOrder, opened.json["id"])
    assert order.customer_id != known.id and order.customer.name == "Mr Zhou"
    assert order.customer.owner_id is None  # in the pool, like any new requester
    assert api.delete(f"/api/v1/service/requests/{spam.id}").status_code == 204
    assert waiting_requests() == [] and count(WorkOrder) == 1
    assert count(Attachment) == 0


def test_the_review_queue_is_for_dispatchers_and_checks_the_customer(
    client, link, make_customer, make_contact, make_engineer, dispatcher, as_user, login_as
):
    known_customer(make_customer, make_contact)
    send(client, link)
    [waiting] = waiting_requests()
    engineer = make_engineer()
    assert login_as(engineer).get("/service/requests").status_code == 403
    assert as_user(engineer).get("/api/v1/service/requests").status_code == 403
    url = f"/api/v1/service/requests/{waiting.id}/accept"
    assert as_user(engineer).post(url, json={"customer_id": None}).status_code == 403
    wrong = as_user(dispatcher).post(url, json={"customer_id": 99999})
    assert wrong.status_code == 422 and "customer_id" in wrong.json["errors"]
    assert len(waiting_requests()) == 1 and count(WorkOrder) == 0


def test_a_phone_on_the_customer_itself_is_found_too(client, link, make_customer):
    known = make_customer(name="Zhou Jie", phones=["13912345678"])
    assert send(client, link).status_code == 200
    assert count(WorkOrder) == 0 and count(Customer) == 1
    [waiting] = waiting_requests()
    order = review.accept(waiting, known.id, None)
    assert order.customer_id == known.id and order.contact.name == "Zhou Jie"


def test_missing_fields_are_named_and_nothing_is_created(client, link):
    empty = send(client, link, name=" ", phone="", description="")
    assert empty.status_code == 422
    for field in ("name", "phone", "description"):
        assert f'id="e-{field}"' in empty.text, field
    bad_phone = send(client, link, phone="call me maybe")
    assert bad_phone.status_code == 422 and 'id="e-phone"' in bad_phone.text
    assert 'value="Zhou Jie"' in bad_phone.text  # what was typed is kept
    fake = send(client, link, photos=[(io.BytesIO(b"#!/bin/sh\nrm -rf /"), "photo.jpg")])
    assert fake.status_code == 422 and 'id="e-file"' in fake.text
    assert [count(m) for m in (Customer, Contact, WorkOrder, WorkOrderEvent, Attachment)] == [
        0,
        0,
        0,
        0,
        0,
    ]


def test_spam_in_the_honeypot_is_thanked_and_dropped(client, link):
    spam = send(client, link, website="http://spam.example")
    assert spam.status_code == 200 and TRACK.search(spam.text)
    token = TRACK.search(spam.text).group(1)
    assert count(WorkOrder) == 0 and count(Customer) == 0
    assert client.get(f"/service/track/{token}").status_code == 404


def test_the_thank_you_page_without_a_request_leads_to_the_form(client, link):
    answer = client.get(f"/service/request/{link.key}/thanks")
    assert answer.status_code == 302 and answer.location.endswith(f"/service/request/{link.key}")


def test_a_wrong_or_switched_off_key_is_a_404(client, link):
    assert client.get("/service/request/not-the-key").status_code == 404
    assert send(client, type("L", (), {"key": "not-the-key"})).status_code == 404
    public.set_active(link, False, None)
    assert send(client, link).status_code == 404
    assert count(WorkOrder) == 0


def test_the_eleventh_request_in_a_minute_is_refused(client, link):
    answers = [send(client, link, description=f"Problem {i}").status_code for i in range(11)]
    assert answers == [200] * 10 + [429]
    # the first opens the customer; the others have its phone and wait for review
    assert count(WorkOrder) == 1 and count(Customer) == 1 and len(waiting_requests()) == 9


def test_a_forged_tracking_link_is_a_404(client, link):
    token = TRACK.search(send(client, link).text).group(1)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (forged, "x", "a" * 200, hashlib.sha256(token.encode()).hexdigest()):
        answer = client.get(f"/service/track/{bad}")
        assert answer.status_code == 404 and "not valid" in answer.text, bad
    assert client.get(f"/service/track/{token}").status_code == 200


def test_an_admin_creates_a_link_and_sees_its_public_address(make_user, login_as):
    admin = make_user(role="admin")
    client = login_as(admin)
    page = client.get("/service/request-links")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = client.post(
        "/service/request-links", data={"csrf_token": csrf, "name": "QR on the unit"}
    )
    assert answer.status_code == 302
    link = db.session.scalar(select(public.RequestLink))
    assert link.name == "QR on the unit" and link.active and len(link.key) >= 32
    page = client.get("/service/request-links")
    assert f"http://localhost/service/request/{link.key}" in page.text
    client.post(
        f"/service/request-links/{link.id}/active", data={"csrf_token": csrf, "active": "0"}
    )
    assert reload_link(link).active is False


def reload_link(link):
    db.session.expire_all()
    return db.session.get(public.RequestLink, link.id)


def test_request_links_are_for_service_admins_only(dispatcher, login_as):
    assert login_as(dispatcher).get("/service/request-links").status_code == 403


def test_requests_filed_at_the_same_moment_each_get_their_own_number(app, link):
    """Four customers press "send" together, each on its own connection:
    each request opens its customer, contact and order with its own number,
    and nobody gets an error. (Retrying on a clash of the unique number used
    to roll back the request's whole transaction, its new customer with it.)"""
    import threading

    key, start, numbers, errors = link.key, threading.Barrier(4), [], []

    def file_one(i: int) -> None:
        with app.app_context():
            try:
                found = db.session.scalar(
                    select(public.RequestLink).where(public.RequestLink.key == key)
                )
                start.wait(timeout=10)
                filed = public.file_request(
                    found, {**REQUEST, "name": f"Caller {i}", "phone": f"139 0000 000{i}"}
                )
                numbers.append(filed.number)
            except Exception as exc:  # noqa: BLE001 (collected, asserted below)
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=file_one, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    day = f"{utcnow():%Y%m%d}"
    assert not errors, errors
    assert sorted(numbers) == [f"WO-{day}-{n:04d}" for n in range(1, 5)]
    orders = db.session.scalars(select(WorkOrder)).all()
    assert sorted(o.customer.name for o in orders) == [f"Caller {i}" for i in range(4)]
