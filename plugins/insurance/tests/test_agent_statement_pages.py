"""An agent statement with more lines than a page holds: the page and the
API (``agent-statements/{id}/lines``) show them a page at a time, narrowed
by kind, while the sums per kind and the total are of all of them
(computed in SQL, not from the page shown); issuing freezes every open
line at once, and an issued statement shows its own lines only.

Ann's January (by hand, on the book of :mod:`.commission_fixtures`): 55
commission lines of 10.00 on P-ANN-1 whose premiums are 500.00 … 554.00
(one each, so a line is told by its premium), and 3 clawbacks of −5.00 on
P-ANN-H: 58 lines, commission 550.00, clawbacks −15.00, total 535.00. Lee
has one override of 2.00 (his own statement)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import db
from plugins.insurance.models import AgentStatement, CommissionLine
from plugins.insurance.services.commission.agent_statements import (
    build_agent_statements,
    issue_statement,
    subtotals,
)
from plugins.insurance.views.commission import LIST_SIZE

from .commission_api_fixtures import API
from .commission_fixtures import book  # noqa: F401

JANUARY = date(2026, 1, 1)
PAGE = "/insurance/commission/agent-statements/{}"


def line(policy, agent, kind: str, amount: str, premium: str, month: date = JANUARY):
    """A commission line as the booking writes it (the booking has its own tests)."""
    made = CommissionLine(
        kind=kind,
        policy_id=policy.id,
        term_no=policy.term_no,
        basis="first_year",
        carrier_id=policy.carrier_id,
        product_id=policy.product_id,
        agent_id=agent.id,
        team_id=agent.team_id,
        month=month,
        currency="CNY",
        premium=Decimal(premium),
        rate=Decimal("0.0200"),
        expected=Decimal(amount),
        agent_amount=Decimal(amount),
    )
    db.session.add(made)
    return made


@pytest.fixture
def januarys(book):  # noqa: F811
    for n in range(55):
        line(book.ann1, book.ann, "commission", "10.00", f"{500 + n}.00")
    for _n in range(3):
        line(book.house, book.ann, "clawback", "-5.00", "0.00")
    line(book.ann1, book.lee, "override", "2.00", "500.00")
    db.session.commit()
    build_agent_statements(JANUARY)
    return db.session.scalar(select(AgentStatement).where(AgentStatement.agent_id == book.ann.id))


def parts(page: str) -> tuple[str, str, str]:
    """The page's statement card, its sums per kind, its lines."""
    by_kind, lines = page.index('id="subtotals"'), page.index('id="lines"')
    return page[:by_kind], page[by_kind:lines], page[lines:]


def premiums_shown(page: str) -> set[int]:
    lines = parts(page)[2]
    return {n for n in range(500, 555) if f"{n}.00" in lines}


def test_the_page_shows_a_page_of_lines_and_sums_them_all(login_as, book, januarys):  # noqa: F811
    """Page 1: the 50 oldest lines (premiums 500 … 549) and a Next link;
    page 2: the other 5 and the 3 clawbacks, no Next. The sums per kind and
    the total are of all 58 lines on both pages."""
    assert LIST_SIZE == 50
    client = login_as(book.ann)
    first = client.get(PAGE.format(januarys.id))
    assert first.status_code == 200
    assert premiums_shown(first.text) == set(range(500, 550))
    assert f'href="{PAGE.format(januarys.id)}?page=2"' in first.text
    second = client.get(PAGE.format(januarys.id) + "?page=2").text
    assert premiums_shown(second) == set(range(550, 555))
    assert second.count("P-ANN-H") == 3 and 'rel="next"' not in second
    for text in (first.text, second):
        by_kind = parts(text)[1]
        assert "550.00" in by_kind and "-CN¥15.00" in by_kind and "535.00" in by_kind
        assert ">55<" in by_kind and ">3<" in by_kind and ">58<" in by_kind
    assert "issuing it takes them in" not in first.text  # the draft's sums are its lines'


def test_the_page_narrows_the_lines_by_kind_and_keeps_it_on_the_pager(
    login_as,
    book,  # noqa: F811
    januarys,
):
    client = login_as(book.ann)
    clawbacks = client.get(PAGE.format(januarys.id) + "?kind=clawback").text
    lines = parts(clawbacks)[2]
    assert lines.count("P-ANN-H") == 3 and premiums_shown(clawbacks) == set()
    commission = client.get(PAGE.format(januarys.id) + "?kind=commission").text
    assert "kind=commission&amp;page=2" in commission or "page=2&amp;kind=commission" in commission
    rest = client.get(PAGE.format(januarys.id) + "?kind=commission&page=2").text
    assert premiums_shown(rest) == set(range(550, 555)) and "P-ANN-H" not in rest


def test_a_line_booked_after_the_draft_is_shown_and_said(login_as, book, januarys):  # noqa: F811
    """A 20.00 line of January booked after the draft: the draft's stored
    total stays 535.00 until rebuilt or issued, its lines' sum is 555.00."""
    line(book.ann1, book.ann, "commission", "20.00", "600.00")
    db.session.commit()
    card, by_kind, _lines = parts(login_as(book.ann).get(PAGE.format(januarys.id)).text)
    assert "535.00" in card and "555.00" not in card
    assert "555.00" in by_kind and ">59<" in by_kind and "issuing it takes them in" in by_kind


def test_issuing_freezes_every_open_line_and_the_issued_page_shows_only_those(
    login_as,
    as_user,
    book,  # noqa: F811
    januarys,
):
    """Issued: all 58 of Ann's lines carry the statement (Lee's override
    not), its sums are theirs. A line of January booked afterwards is open:
    it is on neither the issued statement's page nor its API lines, but on
    February's draft."""
    issue_statement(januarys, book.admin, januarys.version)
    frozen = db.session.scalar(
        select(func.count())
        .select_from(CommissionLine)
        .where(CommissionLine.agent_statement_id == januarys.id)
    )
    assert frozen == 58
    assert (str(januarys.commission), str(januarys.clawbacks), str(januarys.total)) == (
        "550.00",
        "-15.00",
        "535.00",
    )
    line(book.ann1, book.ann, "commission", "20.00", "600.00")
    db.session.commit()
    assert [(s.kind, s.lines, str(s.amount)) for s in subtotals(januarys)] == [
        ("commission", 55, "550.00"),
        ("clawback", 3, "-15.00"),
    ]
    page = login_as(book.ann).get(PAGE.format(januarys.id) + "?page=2").text
    assert "600.00" not in page and premiums_shown(page) == set(range(550, 555))
    listed = as_user(book.ann).get(f"{API}/agent-statements/{januarys.id}/lines?per_page=200")
    assert listed.json["total"] == 58 and "600.00" not in {
        i["premium"] for i in listed.json["items"]
    }
    build_agent_statements(date(2026, 2, 1))
    february = db.session.scalar(
        select(AgentStatement).where(
            AgentStatement.agent_id == book.ann.id, AgentStatement.month == date(2026, 2, 1)
        )
    )
    assert february is not None and str(february.total) == "20.00"


def test_the_api_gives_the_sums_per_kind_and_pages_the_lines(as_user, book, januarys):  # noqa: F811
    """The detail: the sums per kind of all 58 lines, no lines. The lines:
    20 a page (58 in all), oldest first; ``kind`` and ``sort`` as any list."""
    ann = as_user(book.ann)
    detail = ann.get(f"{API}/agent-statements/{januarys.id}").json
    assert "lines" not in detail and detail["total"] == "535.00"
    assert detail["subtotals"] == [
        {"kind": "commission", "lines": 55, "amount": "550.00"},
        {"kind": "clawback", "lines": 3, "amount": "-15.00"},
    ]
    url = f"{API}/agent-statements/{januarys.id}/lines"
    first = ann.get(f"{url}?per_page=20").json
    assert (first["page"], first["per_page"], first["total"], len(first["items"])) == (
        1,
        20,
        58,
        20,
    )
    assert [i["premium"] for i in first["items"]] == [f"{n}.00" for n in range(500, 520)]
    last = ann.get(f"{url}?per_page=20&page=3").json["items"]
    assert len(last) == 18 and [i["kind"] for i in last[-3:]] == ["clawback"] * 3
    clawbacks = ann.get(f"{url}?kind=clawback").json
    assert clawbacks["total"] == 3 and {i["agent_amount"] for i in clawbacks["items"]} == {"-5.00"}
    top = ann.get(f"{url}?sort=-agent_amount&per_page=1").json["items"]
    assert top[0]["agent_amount"] == "10.00"
    assert ann.get(f"{url}?kind=bonus").status_code == 422
    assert ann.get(f"{url}?per_page=201").status_code == 422


def test_another_agents_statement_lines_are_not_found(as_user, login_as, book, januarys):  # noqa: F811
    bob = as_user(book.bob)
    assert bob.get(f"{API}/agent-statements/{januarys.id}/lines").status_code == 404
    assert login_as(book.bob).get(PAGE.format(januarys.id) + "?page=2").status_code == 404
    meg = as_user(book.meg)  # Ann's manager
    assert meg.get(f"{API}/agent-statements/{januarys.id}/lines").json["total"] == 58


def test_the_lines_route_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    lines = paths["/api/v1/insurance/agent-statements/{agent_statement_id}/lines"]["get"]
    assert {p["name"] for p in lines["parameters"]} >= {"page", "per_page", "sort", "kind"}
