"""The search box's best few matches of a kind (core.search.best_matches):
the exact name first, then names that start with the query, then the other
matches newest first — eight at most, found without ranking every match —
through the user's scope, never searching a field their role hides."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql

from core.access import scoped
from core.api import Contact, Customer, Role, db
from core.search import best_matches
from core.search.index import pg_match, searchable_for, sqlite_query


def box_customers(html: str) -> list[str]:
    """The customers' names in the box's Customers section, in order."""
    section = re.search(r'<h2 id="search-\d+">Customers .*?</ul>', html, re.S)
    return re.findall(r'<a href="/customers/\d+">([^<]+)</a>', section.group()) if section else []


def best(words: str, user=None, limit: int = 8) -> list[str]:
    query = scoped(select(Customer.name), Customer, user) if user else select(Customer.name)
    return list(db.session.scalars(best_matches(query, Customer, words, user, limit)))


@pytest.fixture
def thirty(make_customer):
    """30 customers matching "acme": 20 with it inside the name (added
    first), then the exact name, then 9 names starting with it."""
    for n in range(20):
        make_customer(name=f"Old Acme {n:02d}")
    make_customer(name="ACME")
    for n in range(9):
        make_customer(name=f"Acme Trading {n}")
    db.session.commit()


def test_exact_then_prefix_then_the_newest_others(thirty):
    assert best("acme") == ["ACME", *(f"Acme Trading {n}" for n in range(8, 1, -1))]
    assert best("acme", limit=12) == [
        "ACME",
        *(f"Acme Trading {n}" for n in range(8, -1, -1)),
        "Old Acme 19",
        "Old Acme 18",
    ]
    assert best("old acme", limit=3) == ["Old Acme 19", "Old Acme 18", "Old Acme 17"]


def test_chinese_fragments_and_phone_digits_follow_the_same_order(make_customer):
    for name in ("北京上海贸易", "上海", "上海华为科技", "南京上海路店"):
        make_customer(name=name, phones=["+86 138 0013 8000"])
    db.session.commit()
    assert best("上海") == ["上海", "上海华为科技", "南京上海路店", "北京上海贸易"]
    assert best("0013 8000") == ["南京上海路店", "上海华为科技", "上海", "北京上海贸易"]


def test_the_box_lists_eight_in_that_order_for_its_user_only(thirty, make_user, login_as):
    rep = make_user(role="sales")
    mine = db.session.scalars(
        select(Customer).where(Customer.name.in_(["Old Acme 03", "Acme Trading 1"]))
    ).all()
    for customer in mine:
        customer.owner_id = rep.id
    db.session.commit()
    admin = make_user(role="admin")
    assert box_customers(login_as(admin).get("/search?q=acme").text) == best("acme")
    assert box_customers(login_as(rep).get("/search?q=ACME").text) == [
        "Acme Trading 1",
        "Old Acme 03",
    ]


def test_a_field_the_role_hides_is_neither_searched_nor_ranked(make_customer, make_user):
    make_customer(name="Zeta Foods", phones=["13800138000"])
    make_customer(name="13800 Club")
    db.session.commit()
    rep = make_user(role="admin")
    role = db.session.get(Role, rep.role_id)
    role.hidden_fields = ["customer.phones"]
    db.session.commit()
    assert best("13800", user=rep) == ["13800 Club"]
    assert best("13800") == ["13800 Club", "Zeta Foods"]
    role.hidden_fields = ["customer.name"]
    db.session.commit()
    assert best("13800", user=rep) == ["Zeta Foods"]  # by phone only, unranked


def test_contacts_come_in_the_same_order_with_their_customer(make_customer, make_contact):
    shop = make_customer(name="Tea House")
    for name in ("Wang Li", "Li Wang", "Li"):
        make_contact(customer=shop, name=name)
    db.session.commit()
    query = select(Contact.name, Customer.name).join(Customer)
    rows = db.session.execute(best_matches(query, Contact, "li", None, 8)).all()
    assert rows == [("Li", "Tea House"), ("Li Wang", "Tea House"), ("Wang Li", "Tea House")]


def test_one_kinds_question_names_its_kind_and_asks_weights_only_when_hiding(app):
    customer = searchable_for(Customer)
    asked = sqlite_query(customer, ["acme"], [0, 1, 2], kind=True)
    assert asked.startswith('{kind} : "customer" AND ') and '"acme"*' in asked
    assert "{kind}" not in sqlite_query(customer, ["acme"], [0, 1, 2])
    everything = pg_match("search_document", customer, ["acme"], [0, 1, 2])
    some = pg_match("search_document", customer, ["acme"], [0, 2])
    dialect = postgresql.dialect()
    params = everything.compile(dialect=dialect).params
    assert "'acme':*" in params.values()
    assert "'acme':*AC" in some.compile(dialect=dialect).params.values()


def test_the_search_page_sends_at_most_ten_statements(thirty, make_user, login_as):
    client = login_as(make_user(role="admin"))
    client.get("/search?q=acme")
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        page = client.get("/search?q=acme")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert page.status_code == 200 and "ACME" in page.text
    assert len(sent) <= 10, "\n".join(" ".join(s.split())[:100] for s in sent)
