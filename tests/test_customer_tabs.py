"""The customer's page as tabs: the page renders the chosen tab's panel
(``?tab=``) and each panel has its own URL, loaded on demand, behind the same
checks as the page — a customer out of scope is a 404, a tab the user may not
open is neither listed nor loadable, and hidden fields stay hidden."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from core.api import DataScope, Role, db, utcnow

TABS = [
    "overview",
    "timeline",
    "follow-ups",
    "consent",
    "deals",
    "work_orders",
    "journey",
    "billing",
]


@pytest.fixture
def customer(make_user, make_customer, make_contact, make_activity):
    """A customer of a sales rep with a contact, a call, an open follow-up,
    a deal and a work order: something for every tab to show."""
    from plugins.sales.models import Deal, Pipeline, Stage
    from plugins.service_dispatch.models import WorkOrder

    rep = make_user(role="sales", name="Rita Rep")
    customer = make_customer(
        name="Tabbed Tea Co", owner_id=rep.id, industry="Qhidden", phones=["+8613800138000"]
    )
    make_contact(customer=customer, name="Li Na", is_primary=True)
    make_activity(customer=customer, subject="Asked for samples")
    make_activity(
        customer=customer,
        kind="task",
        subject="Send the price list",
        due_at=utcnow() + timedelta(days=2),
        owner_id=rep.id,
    )
    pipeline = Pipeline(name="Tabs pipeline")
    db.session.add(pipeline)
    db.session.flush()
    stage = Stage(pipeline_id=pipeline.id, name="Qualify", position=0)
    db.session.add(stage)
    db.session.flush()
    db.session.add_all(
        [
            Deal(
                title="Spring order",
                customer_id=customer.id,
                pipeline_id=pipeline.id,
                stage_id=stage.id,
                amount=Decimal(100),
                owner_id=rep.id,
            ),
            WorkOrder(number="WO-TABS-1", title="Fix the kettle", customer_id=customer.id),
        ]
    )
    db.session.commit()
    customer.rep = rep
    return customer


SHOWN = {
    "overview": "Li Na",
    "timeline": "Asked for samples",
    "follow-ups": "Send the price list",
    "consent": "No decision recorded yet.",
    "deals": "Spring order",
    "work_orders": "WO-TABS-1",
    "journey": 'id="journey-contacted"',
    "billing": "/sales/customers/",  # the billing details form posts there
}


def selected_tab(html: str) -> str:
    return re.search(r'id="tab-([\w-]+)"[^>]*aria-selected="true"', html).group(1)


@pytest.mark.parametrize("key", TABS)
def test_each_tab_panel_renders_for_an_admin(make_user, login_as, customer, key):
    client = login_as(make_user(role="admin"))
    answer = client.get(f"/customers/{customer.id}/tab/{key}")
    assert answer.status_code == 200 and "<html" not in answer.text
    assert SHOWN[key] in answer.text
    others = [text for other, text in SHOWN.items() if other not in (key, "follow-ups")]
    assert not any(text in answer.text for text in others)  # a task is on the timeline too


def test_the_page_renders_only_the_chosen_tab_and_lists_them_all(make_user, login_as, customer):
    client = login_as(make_user(role="admin"))
    page = client.get(f"/customers/{customer.id}").text
    assert selected_tab(page) == "overview" and "Li Na" in page
    assert "Asked for samples" not in page and "Spring order" not in page
    tabs = re.findall(r'role="tab" id="tab-([\w-]+)"', page)
    assert tabs == TABS  # core's tabs, then the plugins' by their order
    for key in TABS:  # without JavaScript each tab is a link to the page showing it
        assert f'aria-controls="panel-{key}"' in page
        assert f'hx-get="/customers/{customer.id}/tab/{key}"' in page
    assert f'href="/customers/{customer.id}?tab=timeline"' in page


def test_the_tab_in_the_address_is_rendered_server_side(make_user, login_as, customer):
    client = login_as(make_user(role="admin"))
    page = client.get(f"/customers/{customer.id}?tab=timeline").text
    assert selected_tab(page) == "timeline"
    assert "Asked for samples" in page and 'id="profile"' not in page
    panel = re.search(r'<div class="tab-panel"[^>]*id="panel-timeline"[^>]*>', page).group(0)
    assert "hidden" not in panel and "data-loaded" in panel
    assert re.search(r'id="panel-overview"[^>]* hidden></div>', page)
    deals = client.get(f"/customers/{customer.id}?tab=deals").text
    assert selected_tab(deals) == "deals" and "Spring order" in deals
    unknown = client.get(f"/customers/{customer.id}?tab=nonsense")
    assert unknown.status_code == 200 and selected_tab(unknown.text) == "overview"


def test_a_panel_of_a_customer_out_of_scope_is_a_404(make_user, login_as, customer):
    client = login_as(make_user(role="sales"))
    assert client.get(f"/customers/{customer.id}?tab=timeline").status_code == 404
    for key in TABS:
        answer = client.get(f"/customers/{customer.id}/tab/{key}")
        assert answer.status_code == 404, key
        assert not any(text in answer.text for text in SHOWN.values())


def test_a_tab_the_user_may_not_open_is_not_listed_nor_loadable(login_as, customer):
    """The sales rep may read deals but not work orders."""
    client = login_as(customer.rep)
    page = client.get(f"/customers/{customer.id}").text
    assert 'id="tab-deals"' in page and 'id="tab-work_orders"' not in page
    assert client.get(f"/customers/{customer.id}/tab/work_orders").status_code == 404
    assert "WO-TABS-1" not in client.get(f"/customers/{customer.id}?tab=work_orders").text
    assert client.get(f"/customers/{customer.id}/tab/nonsense").status_code == 404
    assert "Spring order" in client.get(f"/customers/{customer.id}/tab/deals").text


def test_hidden_fields_stay_hidden_in_the_header_and_the_panels(make_user, login_as, customer):
    db.session.add(
        Role(
            name="tabs_hiding_rep",
            scope=DataScope.all,
            permissions=["customer.read"],
            hidden_fields=["customer.industry", "customer.phones"],
        )
    )
    db.session.commit()
    urls = (f"/customers/{customer.id}", f"/customers/{customer.id}/tab/overview")
    admin = login_as(make_user(role="admin"))
    assert all("Qhidden" in admin.get(url).text for url in urls)
    assert "+8613800138000" in admin.get(urls[0]).text  # the header's contact points
    client = login_as(make_user(role="tabs_hiding_rep"))
    for url in urls:
        body = client.get(url).text
        assert "Li Na" in body and "Qhidden" not in body and "+8613800138000" not in body, url


def test_the_follow_ups_tab_marks_a_task_done_and_comes_back(login_as, customer):
    client = login_as(customer.rep)
    page = f"/customers/{customer.id}?tab=follow-ups"
    body = client.get(page).text
    form = re.search(r'<form method="post" action="(/tasks/\d+/complete)">', body).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    done = client.post(
        form, data={"csrf_token": token}, headers={"Referer": f"http://localhost{page}"}
    )
    assert done.status_code == 302 and done.location.endswith(page)
    after = client.get(page).text
    assert selected_tab(after) == "follow-ups" and "Send the price list" not in after


def test_every_panel_speaks_chinese(make_user, login_as, customer):
    from core.testing.pages import untranslated

    client = login_as(make_user(role="admin", locale="zh_CN"))
    for key in TABS:
        answer = client.get(f"/customers/{customer.id}/tab/{key}")
        assert answer.status_code == 200 and untranslated(answer.text) == [], key
