"""The pages, in English and Chinese: the board, an order with its action
forms, the new-order form from the customer's page, the engineer's "My jobs
today" and the dashboard widgets."""

import re
from datetime import timedelta

import pytest

from core.api import db, utcnow

from .conftest import reload

REPORT = {
    "diagnosis": "Clogged filter",
    "work_done": "Replaced filter",
    "labour_minutes": "30",
    "charges": "88.00",
    "confirmed_by": "Mr Chen",
}


def token(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


@pytest.mark.parametrize(
    "locale, words",
    [
        ("en", ["Dispatch board", "Suggested engineers", "Overdue", "Assign"]),
        ("zh_CN", ["派工台", "推荐工程师", "已超时", "派工"]),
    ],
)
def test_the_board_shows_orders_to_dispatch_with_suggestions(
    locale, words, make_user, roles, make_order, make_engineer, login_as
):
    make_engineer(name="Wang Gong")
    late = make_order(respond_by=utcnow() - timedelta(hours=1), title="Late job")
    done = make_order("closed", make_engineer())
    page = login_as(make_user(role="dispatcher", locale=locale)).get("/service/board")
    assert page.status_code == 200
    assert late.number in page.text and done.number not in page.text
    assert "Wang Gong" in page.text
    for word in words:
        assert word in page.text, word


def test_a_dispatcher_assigns_from_the_board_and_an_override_is_kept(
    make_user, roles, make_order, make_engineer, login_as
):
    order = make_order(category="installation")
    engineer = make_engineer(skills=["repair"])
    client = login_as(make_user(role="dispatcher"))
    form = {
        "csrf_token": token(client, "/service/board"),
        "action": "assign",
        "back": "board",
        "version": order.version,
        "engineer_id": engineer.id,
    }
    refused = client.post(
        f"/service/work-orders/{order.id}/transition", data=form, follow_redirects=True
    )
    assert "no skill for installation" in refused.text and reload(order).status == "new"
    done = client.post(
        f"/service/work-orders/{order.id}/transition",
        data={**form, "override_reason": "Urgent"},
        follow_redirects=True,
    )
    assert done.status_code == 200 and reload(order).engineer_id == engineer.id
    assert reload(order).override_note == "Urgent"


@pytest.mark.parametrize(
    "locale, words",
    [
        ("en", ["History", "Next steps", "Decline", "Reason"]),
        ("zh_CN", ["处理记录", "下一步", "拒单", "原因"]),
    ],
)
def test_the_order_page_shows_history_and_the_actions_its_state_allows(
    locale, words, make_order, make_engineer, login_as
):
    engineer = make_engineer(locale=locale)
    order = make_order("assigned", engineer)
    page = login_as(engineer).get(f"/service/work-orders/{order.id}")
    assert page.status_code == 200 and order.number in page.text
    assert 'value="accept"' in page.text and 'value="decline"' in page.text
    assert 'value="assign"' not in page.text and 'value="close"' not in page.text
    for word in words:
        assert word in page.text, word


def test_a_refused_form_comes_back_with_the_error_next_to_the_field(
    make_order, make_engineer, login_as
):
    engineer = make_engineer()
    order = make_order("on_site", engineer)
    client = login_as(engineer)
    path = f"/service/work-orders/{order.id}"
    answer = client.post(
        f"{path}/transition",
        data={
            "csrf_token": token(client, path),
            "action": "complete",
            "version": order.version,
            **{**REPORT, "diagnosis": "", "charges": "-3"},
        },
    )
    assert answer.status_code == 422
    assert 'id="e-diagnosis"' in answer.text and 'id="e-charges"' in answer.text
    assert 'value="Mr Chen"' in answer.text and reload(order).status == "on_site"


@pytest.mark.parametrize("locale, title", [("en", "My jobs today"), ("zh_CN", "今日工单")])
def test_the_engineer_works_a_job_from_my_jobs_today(
    locale, title, make_order, make_engineer, make_contact, login_as
):
    engineer = make_engineer(locale=locale)
    soon = make_order("accepted", engineer, appointment_at=utcnow() + timedelta(minutes=5))
    first = make_order("accepted", engineer, appointment_at=utcnow() - timedelta(minutes=5))
    make_order("accepted", engineer, appointment_at=utcnow() + timedelta(days=3))
    client = login_as(engineer)
    page = client.get("/service/my-jobs")
    assert page.status_code == 200 and title in page.text
    assert page.text.index(first.number) < page.text.index(soon.number)
    assert page.text.count('name="action" value="depart"') == 2  # not the job in three days
    for action, data in (("depart", {}), ("check_in", {}), ("complete", REPORT)):
        answer = client.post(
            f"/service/work-orders/{first.id}/transition",
            data={
                "csrf_token": token(client, "/service/my-jobs"),
                "action": action,
                "back": "my_jobs",
                "version": reload(first).version,
                **data,
            },
            follow_redirects=True,
        )
        assert answer.status_code == 200 and answer.request.path == "/service/my-jobs"
    done = reload(first)
    assert done.status == "completed" and str(done.charges) == "88.00"
    assert done.checked_in_at <= done.checked_out_at


@pytest.mark.parametrize(
    "locale, words", [("en", ["Work orders", "New work order"]), ("zh_CN", ["工单", "新建工单"])]
)
def test_an_order_is_opened_from_the_customers_work_orders_tab(
    locale, words, make_user, roles, make_customer, login_as
):
    clerk = make_user(role="dispatcher", locale=locale)
    customer = make_customer(address="5 River Rd", region="East")
    client = login_as(clerk)
    tab = client.get(f"/customers/{customer.id}")
    for word in words:
        assert word in tab.text, word
    form = f"/service/work-orders/new?customer_id={customer.id}"
    page = client.get(form)
    assert page.status_code == 200 and 'for="f-title"' in page.text
    bad = client.post(form, data={"csrf_token": token(client, form), "title": ""})
    assert bad.status_code == 422 and 'id="e-title"' in bad.text
    good = client.post(
        form,
        data={
            "csrf_token": token(client, form),
            "title": "Noisy fan",
            "priority": "high",
            "category": "repair",
            "appointment_at": "2026-12-01T10:00",
        },
    )
    assert good.status_code == 302
    order = client.get(good.headers["Location"])
    assert "Noisy fan" in order.text and "5 River Rd" in order.text
    assert "WO-" in client.get(f"/customers/{customer.id}?tab=work_orders").text


def test_the_dashboard_shows_open_orders_and_my_jobs(
    make_order, make_engineer, make_user, login_as
):
    engineer = make_engineer()
    order = make_order("accepted", engineer, appointment_at=utcnow())
    mine = login_as(engineer).get("/").text
    assert "Open work orders" in mine and "My jobs today" in mine and order.number in mine
    zh = login_as(make_user(role="dispatcher", locale="zh_CN")).get("/").text
    assert "未完成工单" in zh


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_work_order_list_renders(locale, make_order, make_user, login_as):
    order = make_order()
    db.session.commit()
    page = login_as(make_user(role="admin", locale=locale)).get("/service/work-orders?status=new")
    assert page.status_code == 200 and order.number in page.text


def test_the_work_order_list_searches_filters_and_pages(
    make_order, make_customer, make_engineer, dispatcher, login_as
):
    from plugins.service_dispatch.views import orders as views

    li = make_engineer(name="Li Gong")
    acme = make_customer(name="Acme Water", region="East")
    hot = make_order(title="Boiler cold", customer=acme, priority="urgent")
    theirs = make_order("assigned", li, title="Pump noise")
    for i in range(views.LIST_SIZE):
        make_order(title=f"Routine {i:02d}")
    client = login_as(dispatcher)

    def numbers(query: str) -> list[str]:
        return re.findall(
            r">(WO-\d{8}-\d{4})</a>", client.get(f"/service/work-orders?{query}").text
        )

    assert numbers("q=acme") == [hot.number]  # the customer's name
    assert numbers("q=boiler") == [hot.number]  # the title
    assert numbers(f"q={theirs.number}") == [theirs.number]
    assert numbers("priority=urgent") == [hot.number]
    assert numbers(f"engineer_id={li.id}") == [theirs.number]
    first = client.get("/service/work-orders").text
    assert len(re.findall(r">(WO-\d{8}-\d{4})</a>", first)) == views.LIST_SIZE
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = numbers("page=2")
    assert len(second) == 2 and 'rel="prev"' in client.get("/service/work-orders?page=2").text
    assert not set(second) & set(re.findall(r">(WO-\d{8}-\d{4})</a>", first))
    assert "No work orders match." in client.get("/service/work-orders?q=nothing-like-it").text


@pytest.mark.parametrize("locale, word", [("en", "Add an engineer"), ("zh_CN", "添加工程师")])
def test_a_service_admin_adds_and_edits_engineers_on_their_page(locale, word, make_user, login_as):
    from plugins.service_dispatch.services.dispatch import engineer_of

    worker = make_user(name="Zhao Gong")
    client = login_as(make_user(role="admin", locale=locale))
    page = client.get("/service/engineers")
    assert page.status_code == 200 and word in page.text and "Zhao Gong" in page.text
    added = client.post(
        "/service/engineers",
        data={
            "csrf_token": token(client, "/service/engineers"),
            "user_id": worker.id,
            "skills": "repair, installation",
            "regions": "East",
        },
    )
    assert added.status_code == 302
    engineer = engineer_of(worker.id)
    assert engineer.skills == ["repair", "installation"] and engineer.regions == ["East"]
    edited = client.post(
        f"/service/engineers/{engineer.id}",
        data={
            "csrf_token": token(client, "/service/engineers"),
            "version": engineer.version,
            "skills": "repair",
            "regions": "East\nWest",
            "active__present": "1",
        },
    )
    assert edited.status_code == 302
    engineer = engineer_of(worker.id)
    db.session.refresh(engineer)
    assert (engineer.skills, engineer.regions, engineer.active) == (
        ["repair"],
        ["East", "West"],
        False,
    )


def test_dispatchers_see_the_engineers_but_cannot_change_them(make_engineer, dispatcher, login_as):
    make_engineer(name="Qian Gong")
    client = login_as(dispatcher)
    page = client.get("/service/engineers")
    assert page.status_code == 200 and "Qian Gong" in page.text
    assert 'name="skills"' not in page.text and 'name="user_id"' not in page.text
    assert (
        client.post(
            "/service/engineers",
            data={"csrf_token": token(client, "/service/engineers"), "user_id": 1},
        ).status_code
        == 403
    )


def test_the_customer_page_offers_a_new_order_and_links_orders_only_to_who_may_open_them(
    dispatcher, make_user, make_customer, make_order, login_as
):
    """The dispatcher gets a "New work order" button and the order's entries
    linked to it; the sales rep who owns the customer, who may not open work
    orders, gets neither the button nor the order's entries."""
    rep = make_user(role="sales")
    customer = make_customer(name="Cold Co", owner_id=rep.id)
    order = make_order(customer=customer, title="Fan broken")
    page = login_as(dispatcher).get(f"/customers/{customer.id}?tab=timeline").text
    head = page[page.index('class="page-head"') : page.index('class="tabs"')]
    assert f'href="/service/work-orders/new?customer_id={customer.id}">New work order</a>' in head
    assert (
        f'<a href="/service/work-orders/{order.id}">New work order {order.number}: Fan broken</a>'
    ) in page
    page = login_as(rep).get(f"/customers/{customer.id}?tab=timeline").text
    assert order.number not in page and "New work order" not in page
