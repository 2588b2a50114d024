"""The work orders' API: create, list with filters and paging, detail, and
who sees which orders (an engineer only theirs; others are a 404)."""

import re

from core.api import utcnow
from plugins.service_dispatch.services.lifecycle import transition

API = "/api/v1/service"


def test_an_order_is_opened_with_a_unique_daily_number_and_the_customers_address(
    make_customer, make_contact, dispatcher, as_user
):
    customer = make_customer(city="Hangzhou", address="8 West Lake Rd", region="East")
    contact = make_contact(customer=customer)
    api = as_user(dispatcher)
    first = api.post(
        f"{API}/work-orders",
        json={
            "title": "Purifier leaking",
            "customer_id": customer.id,
            "contact_id": contact.id,
            "priority": "urgent",
            "category": "repair",
            "product": "RO-500",
            "serial_number": "SN123",
            "appointment_at": "2026-11-26T09:00:00+08:00",
        },
    )
    assert first.status_code == 201, first.json
    second = api.post(f"{API}/work-orders", json={"title": "Again", "customer_id": customer.id})
    day = f"{utcnow():%Y%m%d}"
    assert (first.json["number"], second.json["number"]) == (f"WO-{day}-0001", f"WO-{day}-0002")
    assert first.json["address"] == "Hangzhou 8 West Lake Rd"
    assert first.json["appointment_at"].startswith("2026-11-26T01:00:00")
    assert first.json["status"] == "new" and first.json["history"][0]["action"] == "create"
    assert first.json["customer_name"] == customer.name


def test_bad_input_names_the_field(make_customer, make_contact, make_user, dispatcher, as_user):
    api = as_user(dispatcher)
    customer = make_customer()
    cases = [  # a malformed value is a 422, an id naming no record (here) a 404
        ({"customer_id": customer.id}, "title", 422),
        ({"title": " ", "customer_id": customer.id}, "title", 422),
        ({"title": "x", "customer_id": 999999}, "customer_id", 404),
        ({"title": "x", "customer_id": customer.id, "priority": "asap"}, "priority", 422),
        (
            {"title": "x", "customer_id": customer.id, "contact_id": make_contact().id},
            "contact_id",
            404,
        ),
    ]
    for body, field, status in cases:
        answer = api.post(f"{API}/work-orders", json=body)
        assert answer.status_code == status and field in answer.json["errors"], (body, answer.json)
    # a customer the clerk may not see is refused like one that does not exist
    rep = make_user(role="sales")
    hidden = make_customer(owner_id=make_user().id)
    from core.api import DataScope, Role, db

    db.session.add(Role(name="clerk", permissions=["service.order.write"], scope=DataScope.own))
    db.session.commit()
    clerk = make_user(role="clerk")
    answer = as_user(clerk).post(
        f"{API}/work-orders", json={"title": "x", "customer_id": hidden.id}
    )
    assert answer.status_code == 404 and "customer_id" in answer.json["errors"]
    assert as_user(rep).post(f"{API}/work-orders", json={}).status_code == 403


def test_the_list_filters_and_pages(make_order, make_engineer, dispatcher, as_user):
    engineer = make_engineer()
    make_order("assigned", engineer, priority="urgent")
    make_order("assigned", engineer)
    for _ in range(3):
        make_order()
    api = as_user(dispatcher)
    every = api.get(f"{API}/work-orders?per_page=2&sort=number").json
    assert every["total"] == 5 and len(every["items"]) == 2 and every["per_page"] == 2
    assert api.get(f"{API}/work-orders?status=new").json["total"] == 3
    assert api.get(f"{API}/work-orders?engineer_id={engineer.id}").json["total"] == 2
    assert api.get(f"{API}/work-orders?priority=urgent").json["total"] == 1
    assert api.get(f"{API}/work-orders?status=lost").status_code == 422
    assert api.get(f"{API}/work-orders?sort=secret").status_code == 422


def test_the_list_sorts_priority_by_urgency(make_order, dispatcher, as_user):
    for priority in ("low", "urgent", "normal", "high"):
        make_order(priority=priority)
    api = as_user(dispatcher)
    first = [o["priority"] for o in api.get(f"{API}/work-orders?sort=priority").json["items"]]
    assert first == ["urgent", "high", "normal", "low"]  # not the words' alphabetical order
    last = [o["priority"] for o in api.get(f"{API}/work-orders?sort=-priority").json["items"]]
    assert last == ["low", "normal", "high", "urgent"]


def test_work_orders_leak_nothing_across_scopes(scope_leak_check, make_customer):
    from plugins.service_dispatch.services import dispatch, orders

    def create(owner):
        dispatch.create_engineer({"user_id": owner.id, "skills": ["repair"]}, None)
        order = orders.create_work_order(
            {"title": "Fix", "customer_id": make_customer().id, "category": "repair"}, None
        )
        return transition(order, "assign", None, {"engineer_id": owner.id})

    scope_leak_check(
        create,
        lambda o: o.number,
        api_list=f"{API}/work-orders",
        api_detail=f"{API}/work-orders/{{id}}",
        pages=["/service/work-orders/{id}", "/service/work-orders"],
        permissions=["service.order.read", "service.engineer"],
    )


def test_an_engineer_cannot_see_or_move_another_engineers_order(
    make_order, make_engineer, as_user, login_as
):
    me, other = make_engineer(), make_engineer()
    theirs = make_order("assigned", other)
    mine = make_order("assigned", me)
    api = as_user(me)
    base = f"{API}/work-orders/{theirs.id}"
    assert api.get(base).status_code == 404
    assert api.get(f"{base}/transitions").status_code == 404
    assert (
        api.post(f"{base}/transitions", json={"action": "accept", "version": 1}).status_code == 404
    )
    assert api.get(f"{base}/suggested-engineers").status_code == 403
    allowed = api.get(f"{API}/work-orders/{mine.id}/transitions").json
    assert [a["action"] for a in allowed["actions"]] == ["accept", "decline"]
    # an engineer may not dispatch, even their own order
    refused = api.post(
        f"{API}/work-orders/{mine.id}/transitions",
        json={"action": "assign", "version": mine.version, "engineer_id": me.id},
    )
    assert refused.status_code == 403
    page = login_as(me)
    assert page.get(f"/service/work-orders/{theirs.id}").status_code == 404
    jobs = page.get("/service/my-jobs").text
    assert mine.number in jobs and theirs.number not in jobs
    token = re.search(r'name="csrf_token" value="([^"]+)"', jobs).group(1)
    assert (
        page.post(
            f"/service/work-orders/{theirs.id}/transition",
            data={"action": "accept", "version": 1, "csrf_token": token},
        ).status_code
        == 404
    )


def test_the_csv_export_holds_what_the_list_shows_and_needs_its_permission(
    make_order, make_engineer, make_customer, make_user, dispatcher, as_user, login_as
):
    import csv
    import io

    from core.api import DataScope, Role, db

    db.session.add(
        Role(
            name="field_lead",
            scope=DataScope.own,
            permissions=["service.order.read", "service.order.export", "service.engineer"],
        )
    )
    db.session.commit()
    lead = make_user(role="field_lead", name="Lead")
    acme = make_customer(name='=HYPERLINK("x")', region="East")
    mine = make_order("assigned", lead, title="Boiler cold", customer=acme)
    other = make_order(title="Pump noise")

    def rows(client, query=""):
        answer = client.get(f"{API}/work-orders/export{query}")
        assert answer.status_code == 200, answer.data[:200]
        assert answer.data.startswith("\ufeff".encode())
        return list(csv.DictReader(io.StringIO(answer.data.decode("utf-8-sig"))))

    admin = as_user(make_user(role="admin"))
    assert {r["number"] for r in rows(admin)} == {mine.number, other.number}
    found = rows(admin, "?q=boiler")
    assert [r["number"] for r in found] == [mine.number]
    assert found[0]["customer_name"].startswith("'=")  # a formula is defused
    assert [r["number"] for r in rows(as_user(lead))] == [mine.number]  # own scope
    assert as_user(dispatcher).get(f"{API}/work-orders/export").status_code == 403
    page = login_as(make_user(role="admin")).get("/service/work-orders?q=boiler").text
    assert "/api/v1/service/work-orders/export?q=boiler" in page
    assert "/work-orders/export" not in login_as(dispatcher).get("/service/work-orders").text
