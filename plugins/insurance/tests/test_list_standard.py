"""The list standard on the policies list: search by policy number or
policyholder, sort both ways keeping the search, pages, the policyholder
linked, an empty list that says what to do, and an agent sees only their own."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from core.api import DataScope, Role, db, utcnow
from plugins.insurance.views import LIST_SIZE

from .factories import make_policy


@pytest.fixture
def agent_role(app):
    db.session.add(Role(name="agent", permissions=["insurance.policy.read"], scope=DataScope.own))
    db.session.commit()


def policy(customer, agent, number, ends_in_days, premium="100.00"):
    today = utcnow().date()
    make_policy(
        customer,
        agent,
        number,
        today - timedelta(300),
        today + timedelta(days=ends_in_days),
        premium=premium,
    )
    db.session.commit()


def sort_link(page: str, label: str) -> str:
    found = re.search(r'<a class="sort" href="([^"]+)">' + re.escape(label) + r"[ <]", page)
    assert found, f"no sort link {label!r}"
    return html.unescape(found.group(1))


def order(page: str, names: list[str]) -> list[str]:
    return sorted(names, key=page.index)


def test_policies_search_sort_both_ways_and_link_the_policyholder(
    make_customer, make_user, login_as, agent_role
):
    me, other = make_user(role="agent"), make_user(role="agent")
    acme = make_customer(name="Acme Fleet", owner_id=me.id)
    zeta = make_customer(name="Zeta Fleet", owner_id=me.id)
    policy(zeta, me, "P-ZETA", 10, "500.00")
    policy(acme, me, "P-ACME", 20, "900.00")
    policy(make_customer(name="Home Owner", owner_id=me.id), me, "P-HOME", 30)
    policy(make_customer(name="Fleet of another agent", owner_id=other.id), other, "P-THEIRS", 5)
    web = login_as(me)
    page = web.get("/insurance/policies?q=fleet").text
    assert order(page, ["P-ZETA", "P-ACME"]) == ["P-ZETA", "P-ACME"]  # soonest end first
    assert "P-HOME" not in page and "P-THEIRS" not in page
    assert f'href="/customers/{acme.id}">Acme Fleet</a>' in page
    assert "P-ACME" in web.get("/insurance/policies?q=p-acm").text  # the number
    link = sort_link(page, "Policyholder")
    assert "q=fleet" in link and "sort=customer" in link
    up = web.get(link).text
    assert order(up, ["P-ZETA", "P-ACME"]) == ["P-ACME", "P-ZETA"]
    down = web.get(sort_link(up, "Policyholder")).text
    assert order(down, ["P-ZETA", "P-ACME"]) == ["P-ZETA", "P-ACME"]
    assert "P-THEIRS" not in down and 'aria-sort="descending"' in down
    assert web.get("/insurance/policies?sort=-agent_id").status_code == 200


def test_policies_page_keeping_search_and_sort(make_customer, make_user, login_as, agent_role):
    me = make_user(role="agent")
    customer = make_customer(name="Big Fleet", owner_id=me.id)
    for n in range(LIST_SIZE + 1):
        policy(customer, me, f"P-{n:03d}", n + 1)
    web = login_as(me)
    first = web.get("/insurance/policies?q=fleet&sort=-number").text
    assert "P-050" in first and "P-000" not in first and 'rel="prev"' not in first
    following = html.unescape(re.search(r'rel="next" href="([^"]+)"', first).group(1))
    assert "q=fleet" in following and "sort=-number" in following
    second = web.get(following).text
    assert "P-000" in second and "P-050" not in second and 'rel="next"' not in second


def test_an_empty_policies_list_says_what_to_do(make_user, login_as, agent_role):
    web = login_as(make_user(role="agent"))
    assert "No policies yet." in web.get("/insurance/policies").text
    none = web.get("/insurance/policies?q=nothing&sort=number").text
    assert "No policies match." in none
    assert '<a href="/insurance/policies?sort=number">Clear the filters' in none
