"""The list standard on the visits list: search by patient or department,
sort both ways keeping the search, pages, the patient linked, an empty list
that says what to do, and a doctor sees only their own visits."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from core.api import DataScope, Role, db, utcnow
from plugins.his.models import Visit
from plugins.his.views import LIST_SIZE


@pytest.fixture
def doctor_role(app):
    db.session.add(Role(name="doctor", permissions=["his.visit.read"], scope=DataScope.own))
    db.session.commit()


def visit(patient, doctor, days_ago, department="Cardiology"):
    db.session.add(
        Visit(
            customer_id=patient.id,
            doctor_id=doctor.id,
            department=department,
            visited_at=utcnow() - timedelta(days=days_ago),
        )
    )
    db.session.commit()


def sort_link(page: str, label: str) -> str:
    found = re.search(r'<a class="sort" href="([^"]+)">' + re.escape(label) + r"[ <]", page)
    assert found, f"no sort link {label!r}"
    return html.unescape(found.group(1))


def order(page: str, names: list[str]) -> list[str]:
    return sorted(names, key=page.index)


def test_visits_search_sort_both_ways_and_link_the_patient(
    make_customer, make_user, login_as, doctor_role
):
    me, other = make_user(role="doctor"), make_user(role="doctor")
    ann, bo = make_customer(name="Ann Heart"), make_customer(name="Bo Heart")
    visit(ann, me, 3)
    visit(bo, me, 1)
    visit(make_customer(name="Cy Tooth"), me, 2, department="Dentistry")
    visit(make_customer(name="Di Other"), other, 1)
    web = login_as(me)
    page = web.get("/his/visits?q=cardio").text
    assert order(page, ["Ann Heart", "Bo Heart"]) == ["Bo Heart", "Ann Heart"]  # latest first
    assert "Cy Tooth" not in page and "Di Other" not in page
    assert f'href="/customers/{ann.id}">Ann Heart</a>' in page
    assert "Cy Tooth" in web.get("/his/visits?q=cy+to").text  # the patient's name
    link = sort_link(page, "Patient")
    assert "q=cardio" in link and "sort=customer" in link
    up = web.get(link).text
    assert order(up, ["Ann Heart", "Bo Heart"]) == ["Ann Heart", "Bo Heart"]
    down = web.get(sort_link(up, "Patient")).text
    assert order(down, ["Ann Heart", "Bo Heart"]) == ["Bo Heart", "Ann Heart"]
    assert "Di Other" not in down and 'aria-sort="descending"' in down
    assert web.get("/his/visits?sort=doctor_id").status_code == 200


def test_visits_page_keeping_search_and_sort(make_customer, make_user, login_as, doctor_role):
    me = make_user(role="doctor")
    for n in range(LIST_SIZE + 1):
        visit(make_customer(name=f"Patient {n:03d}"), me, 1)
    web = login_as(me)
    first = web.get("/his/visits?q=patient&sort=customer").text
    assert "Patient 000" in first and "Patient 050" not in first
    following = html.unescape(re.search(r'rel="next" href="([^"]+)"', first).group(1))
    assert "q=patient" in following and "sort=customer" in following
    second = web.get(following).text
    assert "Patient 050" in second and "Patient 000" not in second and 'rel="next"' not in second


def test_an_empty_visits_list_says_what_to_do(make_user, login_as, doctor_role):
    web = login_as(make_user(role="doctor"))
    assert "No visits yet." in web.get("/his/visits").text
    none = web.get("/his/visits?q=nothing&sort=department").text
    assert "No visits match." in none
    assert '<a href="/his/visits?sort=department">Clear the filters' in none
