"""The search box in the top bar finds customers, contacts, deals, leads
and work orders by name, title or number — only what the user may open."""

import re

import pytest

from core.api import db
from plugins.sales.services import pipelines
from plugins.sales.services.deals import create_deal
from plugins.sales.services.leads import create_lead
from plugins.service_dispatch.services.orders import create_work_order

STAGES = [
    {"name": "Open", "probability": 20},
    {"name": "Won", "probability": 100, "outcome": "won"},
    {"name": "Lost", "probability": 0, "outcome": "lost"},
]


@pytest.fixture
def two_reps(make_user, make_customer, make_contact):
    pipeline = pipelines.create_pipeline({"name": "Sales", "stages": STAGES}, None)
    reps = {}
    for mark in ("Alpha", "Bravo"):
        rep = make_user(name=f"{mark} Rep")
        customer = make_customer(name=f"Greenleaf {mark}", owner_id=rep.id, city="Ningbo")
        make_contact(customer=customer, name=f"Greenleaf {mark} buyer")
        create_deal(
            {
                "title": f"Greenleaf {mark} boilers",
                "customer_id": customer.id,
                "pipeline_id": pipeline.id,
                "owner_id": rep.id,
            },
            None,
        )
        create_lead({"name": f"Greenleaf {mark} lead", "owner_id": rep.id}, None)
        order = create_work_order(
            {"title": f"Greenleaf {mark} leak", "customer_id": customer.id, "category": "repair"},
            None,
        )
        order.engineer_id, order.team_id = rep.id, rep.team_id
        reps[mark] = rep
    db.session.commit()
    return reps


def test_a_rep_finds_their_records_of_every_kind_and_none_of_anothers(two_reps, login_as):
    from core.api import Role

    role = db.session.get(Role, two_reps["Alpha"].role_id)
    role.permissions = sorted(
        {*role.permissions, "sales.deal.read", "sales.lead.read", "service.order.read"}
    )
    db.session.commit()
    page = login_as(two_reps["Alpha"]).get("/search?q=greenleaf").text
    for found in (
        "Greenleaf Alpha",
        "Greenleaf Alpha buyer",
        "Greenleaf Alpha boilers",
        "Greenleaf Alpha lead",
        "Greenleaf Alpha leak",
    ):
        assert found in page, found
    assert "Bravo" not in page.replace("Bravo Rep", "")  # the other rep's records: none


def test_the_box_is_on_every_page_and_asks_for_two_letters_in_chinese(make_user, login_as):
    client = login_as(make_user(role="admin", locale="zh_CN"))
    assert 'class="global-search"' in client.get("/").text
    short = client.get("/search?q=g").text
    assert "请至少输入" in short
    assert "没有" in client.get("/search?q=nothing-here").text


def test_a_hidden_city_is_not_shown_beside_a_customer(two_reps, login_as):
    from core.api import Role

    role = db.session.get(Role, two_reps["Alpha"].role_id)
    role.hidden_fields = ["customer.city"]
    db.session.commit()
    page = login_as(two_reps["Alpha"]).get("/search?q=greenleaf").text
    assert "Greenleaf Alpha" in page and "Ningbo" not in page


def test_deals_and_leads_show_the_exact_and_prefix_matches_among_many(
    make_user, make_customer, login_as
):
    """More matches than the box shows: the deal titled the query and the
    one starting with it come first, then the newest others; leads alike."""
    pipeline = pipelines.create_pipeline({"name": "Sales", "stages": STAGES}, None)
    admin = make_user(role="admin")
    customer = make_customer(name="Harbour Foods", owner_id=admin.id)

    def deal(title):
        create_deal({"title": title, "customer_id": customer.id, "pipeline_id": pipeline.id}, admin)

    deal("Boilers")
    deal("Boilers for the east hall")
    for i in range(12):
        deal(f"Spare boilers {i}")
    create_lead({"name": "Kettles"}, admin)
    for i in range(12):
        create_lead({"name": f"Old kettles {i}"}, admin)
    db.session.commit()
    web = login_as(admin)
    page = web.get("/search?q=boilers").text
    titles = re.findall(r">([^<>]*[Bb]oilers[^<>]*)</a>", page)
    assert titles[:3] == ["Boilers", "Boilers for the east hall", "Spare boilers 11"], titles
    assert "Spare boilers 0" not in titles  # 8 a section: the oldest others are left out
    leads = re.findall(r">([^<>]*[Kk]ettles[^<>]*)</a>", web.get("/search?q=kettles").text)
    assert leads[:2] == ["Kettles", "Old kettles 11"], leads  # the exact name, though oldest
