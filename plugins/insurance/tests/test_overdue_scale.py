"""The overdue lists read from the terms that can owe (issue 17): the grace
list (``/api/v1/insurance/instalments?status=grace``) and the "Overdue
premiums" page start from the terms in grace or in force with an
instalment due before today, and reach their open instalments by term. A
lapsed term's instalments stay open for ever: they are on neither list
(only on the page's "Lapsed" filter). Otherwise the lists are what they
were — every open instalment due before today of a term in the state, in
the user's scope, oldest due first, partly paid ones with what is left —
checked against the rows themselves for an agent, the team's manager and
an admin, and the plans read the term indexes, not the due-date one."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import count
from types import SimpleNamespace

import pytest
from sqlalchemy import func, insert, select, text

from core.api import Team, db
from plugins.insurance.models import Policy, PremiumInstalment
from plugins.insurance.services.access import visible_instalments
from plugins.insurance.services.premiums import payments
from plugins.insurance.services.premiums.arrears import run_arrears
from plugins.insurance.services.premiums.queries import list_sorts, narrow_instalments
from plugins.insurance.services.terms import today

from .factories import make_issued_policy

GRACE = "/api/v1/insurance/instalments?status=grace"


@pytest.fixture
def book(make_user, make_customer):
    """Agent Ann (the life desk, with manager Meg): a term in grace (its
    first instalment paid), one in grace partly paid (30.00 of its second),
    one lapsed long ago (seven instalments left open), one in force whose
    instalment (200.00; the others' are 100.00) fell due ten days ago (the
    nightly job has not run since), one paid up; agent Bob (another team):
    a term in grace, its second instalment due five days before Ann's. An
    admin sees all."""
    desk, other = Team(name="Life desk"), Team(name="Motor desk")
    db.session.add_all([desk, other])
    db.session.commit()
    ann = make_user(role="insurance_agent", team=desk, name="Ann Agent")
    bob = make_user(role="insurance_agent", team=other, name="Bob Agent")
    meg = make_user(role="manager", team=desk, name="Meg Manager")
    admin = make_user(role="admin", name="Ada Admin")
    day = today()
    anns = make_customer(name="Harbour Freight", owner_id=ann.id)
    bobs = make_customer(name="Elsewhere Ltd", owner_id=bob.id)

    def term(customer, agent, number, days_ago, paid=(), premium="1200.00"):
        start = day - timedelta(days_ago)
        policy = make_issued_policy(
            customer, agent, number, start, frequency="monthly", premium=premium
        )
        db.session.commit()
        for amount in paid:
            payments.record_payment(policy, agent, amount, day, "cash")
        return policy

    grace = term(anns, ann, "P-GRACE", 45, ["100.00"])
    partly = term(anns, ann, "P-PART", 45, ["100.00", "30.00"])
    lapsed = term(anns, ann, "P-LAPSED", 200)
    current = term(anns, ann, "P-PAID", 45, ["100.00", "100.00"])
    bobs_term = term(bobs, bob, "P-BOB", 50, ["100.00"])
    run_arrears(day)
    late = term(anns, ann, "P-LATE", 10, premium="2400.00")  # in force until tonight's job
    db.session.expire_all()
    states = {p.number: p.status for p in db.session.scalars(select(Policy))}
    assert states == {
        "P-GRACE": "grace",
        "P-PART": "grace",
        "P-LAPSED": "lapsed",
        "P-PAID": "in_force",
        "P-BOB": "grace",
        "P-LATE": "in_force",
    }
    return SimpleNamespace(
        ann=ann,
        bob=bob,
        meg=meg,
        admin=admin,
        day=day,
        grace=grace,
        partly=partly,
        lapsed=lapsed,
        current=current,
        bobs_term=bobs_term,
        late=late,
    )


def meant(book, user, states) -> list[tuple[str, int]]:
    """The list from the rows: every open instalment due before today of a
    term in ``states`` the user sees, oldest due first (then by id)."""
    policies = {p.id: p for p in db.session.scalars(select(Policy))}
    sees = {
        book.ann.id: {book.ann.id},
        book.meg.id: {book.ann.id},  # the life desk's
        book.bob.id: {book.bob.id},
        book.admin.id: {book.ann.id, book.bob.id},
    }[user.id]
    rows = [
        i
        for i in db.session.scalars(select(PremiumInstalment))
        if i.settled_on is None
        and i.due_on < book.day
        and policies[i.policy_id].status in states
        and i.agent_id in sees
    ]
    rows.sort(key=lambda i: (i.due_on, i.id))
    return [(policies[i.policy_id].number, i.seq) for i in rows]


def listed(api, path: str) -> list[tuple[str, int]]:
    answer = api.get(path)
    assert answer.status_code == 200, answer.json
    items = answer.json["items"]
    assert answer.json["total"] == len(items)
    return [(i["policy_number"], i["seq"]) for i in items]


def shown(client, query: str = "") -> list[tuple[str, int]]:
    """The Overdue premiums page's rows: (policy number, instalment #)."""
    page = client.get("/insurance/overdue" + query)
    assert page.status_code == 200
    found = re.findall(r">(P-[A-Z]+)</a></td><td>.*?</td><td>(\d+)</td>", page.text)
    return [(number, int(seq)) for number, seq in found]


def test_a_lapsed_terms_open_instalments_are_on_neither_list(book, as_user, login_as):
    lapsed_open = meant(book, book.ann, ("lapsed",))
    assert [seq for _n, seq in lapsed_open] == [1, 2, 3, 4, 5, 6, 7]  # open for ever
    for user in (book.ann, book.meg, book.admin):
        grace = listed(as_user(user), GRACE)
        assert grace and not any(number == "P-LAPSED" for number, _s in grace)
        page = shown(login_as(user))
        assert page and not any(number == "P-LAPSED" for number, _s in page)
    # the page's "Lapsed" filter still shows them, oldest first
    assert shown(login_as(book.ann), "?status=lapsed") == lapsed_open


def test_the_grace_list_is_every_overdue_instalment_of_a_term_in_grace(book, as_user):
    mine = [("P-GRACE", 2), ("P-PART", 2)]  # both due 15 days ago; by id
    assert meant(book, book.ann, ("grace",)) == mine
    assert listed(as_user(book.ann), GRACE) == mine
    assert listed(as_user(book.meg), GRACE) == mine  # the team's, not Bob's
    assert listed(as_user(book.bob), GRACE) == [("P-BOB", 2)]
    everyone = listed(as_user(book.admin), GRACE)
    assert everyone == meant(book, book.admin, ("grace",))
    assert everyone == [("P-BOB", 2), *mine]
    api = as_user(book.ann)
    part = [i for i in api.get(GRACE).json["items"] if i["policy_number"] == "P-PART"]
    assert [(i["amount"], i["paid"], i["status"]) for i in part] == [("100.00", "30.00", "overdue")]
    assert part[0]["policy_status"] == "grace" and part[0]["grace_ends_on"]


def test_the_grace_list_pages_sorts_and_filters_as_before(book, as_user):
    admin = as_user(book.admin)
    whole = listed(admin, GRACE)
    first = admin.get(GRACE + "&per_page=2").json
    second = admin.get(GRACE + "&per_page=2&page=2").json
    assert first["total"] == second["total"] == 3
    pages = [(i["policy_number"], i["seq"]) for i in first["items"] + second["items"]]
    assert pages == whole
    backwards = listed(admin, GRACE + "&sort=-due_on")
    assert [row[0] for row in whole] == ["P-BOB", "P-GRACE", "P-PART"]
    assert [row[0] for row in backwards] == ["P-GRACE", "P-PART", "P-BOB"]  # ties: by id
    assert listed(admin, GRACE + f"&agent_id={book.bob.id}") == [("P-BOB", 2)]
    assert listed(admin, GRACE + f"&policy_id={book.partly.id}") == [("P-PART", 2)]
    assert listed(admin, GRACE + f"&customer_id={book.grace.customer_id}") == [
        ("P-GRACE", 2),
        ("P-PART", 2),
    ]
    assert listed(admin, GRACE + f"&policy_id={book.lapsed.id}") == []
    # the other statuses read every open or overdue instalment, lapsed terms' too
    overdue = listed(as_user(book.ann), "/api/v1/insurance/instalments?status=overdue")
    assert overdue == meant(book, book.ann, ("grace", "lapsed", "in_force"))
    assert ("P-LAPSED", 1) in overdue and ("P-LATE", 1) in overdue


def test_the_overdue_page_is_the_terms_in_force_or_in_grace(book, login_as):
    def ann(query: str = "") -> list[tuple[str, int]]:
        return shown(login_as(book.ann), query)  # one client: signed in again each time

    default = [("P-GRACE", 2), ("P-PART", 2), ("P-LATE", 1)]
    assert meant(book, book.ann, ("in_force", "grace")) == default
    assert ann() == default
    assert shown(login_as(book.meg)) == default
    assert shown(login_as(book.bob)) == [("P-BOB", 2)]
    everyone = shown(login_as(book.admin))
    assert everyone == meant(book, book.admin, ("in_force", "grace"))
    assert everyone == [("P-BOB", 2), *default]
    assert ann("?status=in_force") == [("P-LATE", 1)]
    assert ann("?status=grace") == [("P-GRACE", 2), ("P-PART", 2)]
    page = login_as(book.ann).get("/insurance/overdue").text
    assert "70.00" in page  # what is left of the partly paid instalment
    assert "P-PAID" not in page and "Harbour Freight" in page
    # by the term's grace end (P-LATE has none yet), by what is due, page 2
    by_end = ann("?sort=grace_ends_on")
    assert sorted(by_end) == sorted(default) and by_end != ann("?sort=-grace_ends_on")
    assert [number for number, _s in ann("?sort=-amount")] == ["P-LATE", "P-GRACE", "P-PART"]
    assert ann("?page=2") == []


def _plan(query) -> str:
    """The query's plan as text, on either database. PostgreSQL's with
    sorting made to look dear: a walk of an index in the list's order, if
    there were one, would be taken instead (as at 1,000,000 terms)."""
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET enable_sort = off"))
        try:
            return "\n".join(db.session.execute(text("EXPLAIN " + sql)).scalars())
        finally:
            db.session.execute(text("RESET enable_sort"))
    return "\n".join(str(r[3]) for r in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))


def test_the_lists_read_the_terms_not_the_open_instalments_by_due_date(book):
    # a book of some years: 3,000 lapsed terms left 18,000 instalments open,
    # due on every day back to long ago — and the statistics know it
    table, lapsed = Policy.__table__, book.lapsed
    copied = {c.key: getattr(lapsed, c.key) for c in table.columns if c.key != "id"}
    terms = [{**copied, "number": f"P-OLD-{n}", "quote_number": None} for n in range(3000)]
    db.session.execute(insert(Policy), terms)
    old = db.session.scalars(select(Policy.id).where(Policy.number.like("P-OLD-%"))).all()
    dues = (book.day - timedelta(days=30 + n % 1800) for n in count())
    db.session.execute(
        insert(PremiumInstalment),
        [
            {
                "policy_id": policy_id,
                "seq": seq,
                "due_on": next(dues),
                "amount": 100,
                "paid": 0,
                "customer_id": lapsed.customer_id,
                "agent_id": lapsed.agent_id,
                "team_id": lapsed.team_id,
                "currency": "CNY",
            }
            for policy_id in old
            for seq in range(1, 7)
        ],
    )
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    grace, page = {"status": "grace"}, {"status": "overdue", "policy_status": ("in_force", "grace")}
    lists = {
        "grace list": (
            narrow_instalments(visible_instalments(book.admin), grace, book.day, book.admin),
            grace,
        ),
        "overdue page": (
            narrow_instalments(visible_instalments(book.meg), page, book.day, book.meg),
            page,
        ),
    }
    for name, (query, args) in lists.items():
        due_on = list_sorts({"due_on": PremiumInstalment.due_on}, args)["due_on"]
        ordered = query.order_by(due_on, PremiumInstalment.id)
        counted = select(func.count()).select_from(query.subquery())
        for read in (ordered.limit(51), counted):
            plan = _plan(read)
            # term by term: an instalment index searched by the term's id ...
            assert re.search(
                r"SEARCH insurance_instalment USING (COVERING )?INDEX \w+ \(policy_id=\?"
                r"|Index Cond: \(+policy_id = (ANY|insurance_policy)",
                plan,
            ), (name, plan)
            # ... not the open instalments by due date, nor all of them
            assert "ix_insurance_instalment_due" not in plan, (name, plan)
            assert not re.search(r"(Seq Scan on |SCAN )insurance_instalment\b", plan), plan
            if read is counted and db.engine.dialect.name == "sqlite":
                # the count reads the open-instalment index alone: the
                # customer, agent and team it checks are in it (1a5000000007)
                assert "COVERING INDEX ix_insurance_instalment_open" in plan, (name, plan)
        # and the lists are still the few that matter
        rows = [(i.policy.number, i.seq) for i in db.session.scalars(ordered)]
        user, states = (
            (book.admin, ("grace",)) if name == "grace list" else (book.meg, page["policy_status"])
        )
        assert rows == meant(book, user, states), name
    assert len(rows) == 3
