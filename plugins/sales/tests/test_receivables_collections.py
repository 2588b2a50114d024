"""The collection list (催收): open instalments due before a day, oldest
first, each with its customer, contract number, days overdue and open
amount — a rep sees their own, a manager their team's — and the daily job
that gives each overdue instalment one follow-up task for its owner."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import Activity, complete_task, db
from plugins.sales.services.receivables.collections import (
    LINK,
    collection_page,
    collection_totals,
    create_overdue_tasks,
)
from plugins.sales.services.receivables.payments import today
from plugins.sales.services.receivables.plans import plan_of, set_plan

from .test_receivables import make_contract, pay, people, planned, three_instalments  # noqa: F401  (fixtures)


def days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


@pytest.fixture
def book(people, planned, make_contract):  # noqa: F811
    """Rita's plan (due 120, 90 and 60 days ago): the first paid in full, the
    second 10,000 of 30,000; Pete's (east too): 60,000 due 10 days ago and
    40,000 in 30 days; Wes's (west): 5,000 due 5 days ago."""
    first, second, third = plan_of(planned)
    pay(planned, first, "30000.00", people["rep"])
    pay(planned, second, "10000.00", people["rep"])
    peer = make_contract(owner=people["peer"])
    set_plan(
        peer,
        [
            {"due_date": days(-10), "amount": "60000.00"},
            {"due_date": days(30), "amount": "40000.00"},
        ],
        people["peer"],
    )
    west = make_contract(owner=people["west"], amount="5000.00")
    set_plan(west, [{"due_date": days(-5), "amount": "5000.00"}], people["west"])
    return {
        "rita": [second, third],
        "pete": plan_of(peer),
        "wes": plan_of(west),
        "contracts": {"rita": planned, "pete": peer, "wes": west},
    }


def rows_of(user, **kwargs):
    return [
        (r.instalment.id, r.contract_number, r.days_overdue, r.open_amount)
        for r in collection_page(user, **kwargs)
    ]


def test_a_rep_sees_their_own_overdue_instalments_oldest_first(people, book):
    second, third = book["rita"]
    number = book["contracts"]["rita"].number
    assert rows_of(people["rep"]) == [
        (second.id, number, 90, Decimal("20000.00")),  # 30,000 - 10,000
        (third.id, number, 60, Decimal("40000.00")),
    ]
    assert collection_totals(people["rep"]) == [("CNY", 2, Decimal("60000.00"))]


def test_a_manager_sees_the_team_and_may_pick_an_owner(people, book):
    second, third = book["rita"]
    pete_due = book["pete"][0]
    assert [r[0] for r in rows_of(people["manager"])] == [second.id, third.id, pete_due.id]
    assert [r[0] for r in rows_of(people["manager"], owner_id=people["peer"].id)] == [pete_due.id]
    assert collection_totals(people["manager"]) == [("CNY", 3, Decimal("120000.00"))]
    everyone = [r[0] for r in rows_of(people["admin"])]
    assert everyone == [second.id, third.id, pete_due.id, book["wes"][0].id]


def test_as_of_a_later_day_adds_what_falls_due_by_then(people, book):
    later = today() + timedelta(days=31)
    rows = rows_of(people["peer"], as_of=later)
    assert [(r[0], r[2]) for r in rows] == [(book["pete"][0].id, 41), (book["pete"][1].id, 1)]


def test_pages_go_on_after_the_last_row_shown(people, book):
    second, third = book["rita"]
    assert [r[0] for r in rows_of(people["admin"], limit=2)] == [second.id, third.id]
    after = (third.due_date, third.id)
    assert [r[0] for r in rows_of(people["admin"], limit=2, after=after)] == [
        book["pete"][0].id,
        book["wes"][0].id,
    ]
    assert [r[0] for r in rows_of(people["admin"], limit=2, offset=2)] == [
        book["pete"][0].id,
        book["wes"][0].id,
    ]


def test_the_api_lists_collections_in_scope(people, book, as_user):
    second, third = book["rita"]
    mine = as_user(people["rep"]).get("/api/v1/sales/collections")
    assert mine.status_code == 200 and mine.json["total"] == 2
    first = mine.json["items"][0]
    assert (first["instalment_id"], first["days_overdue"], first["open"]) == (
        second.id,
        90,
        "20000.00",
    )
    assert first["customer_name"] == book["contracts"]["rita"].customer.name
    assert first["contract_number"] == book["contracts"]["rita"].number
    team = as_user(people["manager"]).get(
        f"/api/v1/sales/collections?owner_id={people['peer'].id}&as_of={days(31)}"
    )
    assert [r["instalment_id"] for r in team.json["items"]] == [p.id for p in book["pete"]]
    west = as_user(people["west"]).get("/api/v1/sales/collections")
    assert [r["instalment_id"] for r in west.json["items"]] == [book["wes"][0].id]


def tasks():
    return db.session.scalars(
        select(Activity).where(Activity.link_type == LINK).order_by(Activity.link_id)
    ).all()


def test_each_overdue_instalment_gets_one_task_for_its_owner(people, book):
    assert create_overdue_tasks() == 4
    made = tasks()
    expected = sorted(
        [
            (book["rita"][0].id, people["rep"].id),
            (book["rita"][1].id, people["rep"].id),
            (book["pete"][0].id, people["peer"].id),
            (book["wes"][0].id, people["west"].id),
        ]
    )
    assert [(t.link_id, t.owner_id) for t in made] == expected
    assert all(t.kind == "task" and t.due_at is not None and t.done_at is None for t in made)
    rita = next(t for t in made if t.link_id == book["rita"][0].id)
    assert "20000.00" in rita.subject and book["contracts"]["rita"].number in rita.subject
    assert rita.customer_id == book["contracts"]["rita"].customer_id
    assert create_overdue_tasks() == 0  # not again while the task is open
    complete_task(rita, people["rep"])
    assert create_overdue_tasks() == 1  # done, and the money still missing: a new one
    assert len(tasks()) == 5


def test_the_job_runs_daily(app, people, book):
    job = app.extensions["trellis"].jobs["sales.overdue_collections"]
    assert job.every_minutes == 1440
    assert job.run() == "4 collection tasks created"
    assert job.run() == "0 collection tasks created"


def test_the_api_finds_a_customer_and_sorts_by_amount(people, book, as_user):
    api = as_user(people["manager"])
    name = book["contracts"]["pete"].customer.name
    found = api.get("/api/v1/sales/collections", query_string={"q": name})
    assert [r["instalment_id"] for r in found.json["items"]] == [book["pete"][0].id]
    by_amount = api.get("/api/v1/sales/collections?sort=-amount")
    assert [r["amount"] for r in by_amount.json["items"]] == ["60000.00", "40000.00", "30000.00"]
