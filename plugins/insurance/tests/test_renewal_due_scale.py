"""The renewal due list's window (issue 17): the due list reads the terms
ending from the most late days ago to the most lead days ahead through the
renewal index, and the successor check through the unique successor index.
These tests pin the edges that window and that check must keep: a term
ending exactly on its product's last lead day or exactly its late days
ago, products with different lead and late days, ``within``, successors
cancelled, drafted, quoted, bound, issued or deleted — for an agent, a
manager and an admin; the page's agent filter; the nightly expiry with
issued successors; and the query plans."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select, text

from core.api import db, utcnow
from plugins.insurance.models import Policy
from plugins.insurance.services.policies.renewals import due_query, expire_due, expiring
from plugins.insurance.services.terms import today

from .factories import make_policy, product_named
from .test_renewals_fixtures import book  # noqa: F401

API = "/api/v1/insurance"
#: the products of these tests: (lead days, late days)
PRODUCTS = {"Short lead": (10, 5), "Long lead": (60, 45), "No late": (30, 0)}


def _products() -> None:
    for name, (lead, late) in PRODUCTS.items():
        product = product_named(name)
        product.renewal_lead_days, product.renewal_late_days = lead, late
    db.session.flush()


def _term(book, number, ends_in, product="Short lead", agent=None, **fields) -> Policy:  # noqa: F811
    agent = agent or book.ann
    customer = book.harbour if agent is book.ann else book.elsewhere
    end = today() + timedelta(ends_in)
    return make_policy(
        customer,
        agent,
        number,
        end - timedelta(364),
        end,
        product=product,
        team_id=agent.team_id,
        **fields,
    )


def _numbers(user, **options) -> set[str]:
    return {p.number for p in db.session.scalars(due_query(user, today(), **options))}


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", name="Ada Admin")


@pytest.fixture
def edges(book):  # noqa: F811
    _products()
    for number, ends_in, product, fields in (
        ("S-TODAY", 0, "Short lead", {}),
        ("S-LEAD", 10, "Short lead", {}),  # exactly on + lead: due
        ("S-LEAD+1", 11, "Short lead", {}),
        ("S-GRACE", 10, "Short lead", {"status": "grace"}),
        ("S-40", 40, "Short lead", {}),  # within the long product's lead, not its own
        ("S-LATE", -5, "Short lead", {"status": "expired"}),  # exactly late days ago: due
        ("S-LATE+1", -6, "Short lead", {"status": "expired"}),
        ("S-EXPIRED-TODAY", 0, "Short lead", {"status": "expired"}),
        ("S-ENDED", -1, "Short lead", {}),  # in force after its end: for the nightly job
        ("S-LAPSED", 5, "Short lead", {"status": "lapsed"}),
        ("S-LOST", 5, "Short lead", {"renewal_outcome": "lost", "lost_reason": "price"}),
        ("S-DELETED", 5, "Short lead", {"deleted_at": utcnow()}),
        ("L-40", 40, "Long lead", {}),
        ("L-LEAD", 60, "Long lead", {}),
        ("L-LEAD+1", 61, "Long lead", {}),
        ("L-LATE", -45, "Long lead", {"status": "expired"}),
        ("L-LATE+1", -46, "Long lead", {"status": "expired"}),
        ("N-LEAD", 30, "No late", {}),
        ("N-EXPIRED", -1, "No late", {"status": "expired"}),  # no late days: never due
    ):
        _term(book, number, ends_in, product, **fields)
    db.session.commit()


DUE = {"S-TODAY", "S-LEAD", "S-GRACE", "S-LATE", "L-40", "L-LEAD", "L-LATE", "N-LEAD"}


def test_the_windows_edges_per_product(book, edges, admin):  # noqa: F811
    for user in (book.ann, book.meg, admin):
        assert _numbers(user) == DUE, user.name
    assert _numbers(book.bob) == set()
    # ``within`` replaces every product's lead days; the late days stay each product's
    assert _numbers(admin, within=10) == {"S-TODAY", "S-LEAD", "S-GRACE", "S-LATE", "L-LATE"}
    assert _numbers(admin, within=40) == {
        *("S-TODAY", "S-LEAD", "S-LEAD+1", "S-GRACE", "S-40", "S-LATE", "L-40", "L-LATE"),
        "N-LEAD",
    }
    assert _numbers(admin, within=0) == {"S-TODAY", "S-LATE", "L-LATE"}
    assert _numbers(admin, within=100) == {*DUE, "S-LEAD+1", "S-40", "L-LEAD+1"}
    assert _numbers(admin, agent_id=book.bob.id) == set()


def test_the_api_lists_the_edges_soonest_first(as_user, book, edges):  # noqa: F811
    answer = as_user(book.meg).get(f"{API}/renewals?per_page=50")
    assert answer.status_code == 200, answer.json
    numbers = [row["number"] for row in answer.json["items"]]
    assert numbers[:2] == ["L-LATE", "S-LATE"] and numbers[-1] == "L-LEAD"
    assert set(numbers) == DUE


@pytest.fixture
def successors(book):  # noqa: F811
    """A term per kind of successor, each ending in 5 days (due without one)."""
    _products()
    rows = {}
    for key, states in {
        "none": (),
        "cancelled": ("cancelled",),
        "draft": ("draft",),
        "quoted": ("quoted",),
        "bound": ("bound",),
        "issued": ("in_force",),
        "deleted": ("quoted*",),  # a quote in the recycle bin
        "requoted": ("cancelled", "quoted"),
        "requote-draft": ("cancelled", "draft"),
    }.items():
        term = rows[key] = _term(book, f"T-{key.upper()}", 5)
        db.session.flush()
        for n, state in enumerate(states):
            nxt = make_policy(
                book.harbour,
                book.ann,
                None,
                term.end_date + timedelta(1),
                term.end_date + timedelta(365),
                status=state.rstrip("*"),
                term_no=2,
                predecessor_id=term.id,
                product="Short lead",
                deleted_at=utcnow() if state.endswith("*") else None,
                issued_on=today() if state == "in_force" else None,
            )
            nxt.quote_number = f"Q-{key.upper()}-{n}"
    db.session.commit()
    return rows


def test_a_successor_beyond_a_draft_takes_the_term_off_the_list(book, successors, admin):  # noqa: F811
    due = {"T-NONE", "T-CANCELLED", "T-DRAFT", "T-DELETED", "T-REQUOTE-DRAFT"}
    for user in (book.ann, book.meg, admin):
        assert _numbers(user) == due, user.name


def test_the_page_offers_the_agents_of_the_window(login_as, book, admin):  # noqa: F811
    short = product_named("Short lead")
    short.renewal_lead_days, short.renewal_late_days = 10, 5
    _term(book, "ANN-SOON", 5)
    _term(book, "BOB-LATER", 50, agent=book.bob)
    db.session.commit()
    client = login_as(admin)
    page = client.get("/insurance/renewals").text
    assert "ANN-SOON" in page and "Bob Agent" not in page  # one agent: no filter
    wide = client.get("/insurance/renewals?within=90").text
    assert "BOB-LATER" in wide
    assert f'<option value="{book.bob.id}"' in wide and f'<option value="{book.ann.id}"' in wide
    mine = login_as(book.ann).get("/insurance/renewals?within=90").text
    assert "Bob Agent" not in mine  # another agent's term: out of sight
    # a product with 60 lead days widens the window: Bob's term is in it (an
    # agent to filter by) though past its own product's 10 days (not listed)
    product_named("Long lead").renewal_lead_days = 60
    db.session.commit()
    page = login_as(admin).get("/insurance/renewals").text  # a new session: no filter kept
    assert "BOB-LATER" not in page and f'<option value="{book.bob.id}"' in page


def test_expiry_keeps_the_terms_with_an_issued_successor(book):  # noqa: F811
    _products()
    ended = {}
    for key, successor in {
        "none": None,
        "draft": ("draft", False, False),
        "issued": ("in_force", True, False),
        "issued-cancelled": ("cancelled", True, False),
        "issued-deleted": ("in_force", True, True),
        "quoted-cancelled": ("cancelled", False, False),
    }.items():
        term = ended[key] = _term(book, f"E-{key.upper()}", -3)
        db.session.flush()
        if successor is not None:
            state, issued, deleted = successor
            make_policy(
                book.harbour,
                book.ann,
                f"E-{key.upper()}" if issued else None,
                term.end_date + timedelta(1),
                term.end_date + timedelta(365),
                status=state,
                term_no=2,
                predecessor_id=term.id,
                product="Short lead",
                issued_on=term.end_date if issued else None,
                deleted_at=utcnow() if deleted else None,
            )
    db.session.commit()
    assert expire_due(today()) == 3
    assert expire_due(today()) == 0
    db.session.expire_all()
    states = {key: db.session.get(Policy, term.id).status for key, term in ended.items()}
    assert states == {
        "none": "expired",
        "draft": "expired",
        "issued": "in_force",
        "issued-cancelled": "in_force",
        "issued-deleted": "in_force",
        "quoted-cancelled": "expired",
    }


def _plan(statement) -> str:
    sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":
            rows = connection.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
            return "\n".join(str(row[-1]) for row in rows)
        connection.execute(text("SET enable_seqscan = off"))  # as a large table would
        return "\n".join(row[0] for row in connection.execute(text(f"EXPLAIN {sql}")))


def test_the_plans_read_the_indexes(book, edges, admin):  # noqa: F811
    """The successor is looked up by the unique successor index (per term,
    never a scan of the policies), the due list's window by the renewal
    index (for an admin) or the agent's renewal index, whatever the
    statistics (this database has none)."""
    for user, window_index in (
        (admin, "ix_insurance_policy_renewal"),
        (book.meg, "ix_insurance_policy_renewal"),
        (book.ann, "ix_insurance_policy_agent_renewal"),
    ):
        plan = _plan(due_query(user, today()).with_only_columns(Policy.id))
        assert "uq_insurance_policy_predecessor" in plan, plan
        if db.engine.dialect.name == "sqlite":
            assert "SCAN insurance_policy" not in plan, plan
            assert f"SEARCH insurance_policy USING INDEX {window_index} " in plan, plan
        else:
            # either renewal index: their condition is proved from the query's
            assert re.search(r"using ix_insurance_policy_(agent_)?renewal on", plan), plan
    # the expiry reads the ended terms, then their issued successors: two
    # plain statements, nothing looked up per term
    statements: list[str] = []
    ended = db.session.scalar(select(Policy.id).where(Policy.number == "S-ENDED"))

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert expiring(today()) == [ended]
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len(statements) == 2 and not any("EXISTS" in s for s in statements), statements
