"""Commission pages: an agent's own statements (another's is a 404), a
statement's lines, issuing it; the carrier statement upload (a bad row
shown by its line, nothing stored; a good file reconciled with status
badges and a status filter); the rules page (rates typed and shown as
percent, a refused field kept); the leaderboard; the policy page's
Commission section; the menu — in English and in Chinese."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from flask import render_template
from sqlalchemy import func, select

from core.api import db
from core.testing.pages import untranslated
from plugins.insurance.declarations import menu_items
from plugins.insurance.models import AgentStatement, CarrierStatement, InsuranceCommissionRule
from plugins.insurance.services.commission.agent_statements import build_agent_statements
from plugins.insurance.views.commission import commission_panel

from .commission_fixtures import book, first_instalment, pay  # noqa: F401

#: the words of these pages that other catalogues translate but the insurance one
#: does not yet (they are in the helper's i18n file)
AWAITING_CATALOGUE = {
    "Commission",
    "Commission rules",
    "Month",
    "Issued",
    "Lines",
    "Basis",
    "Rate",
    "Amount",
    "Received",
    "Line",
    "Actions",
    "Edit",
    "From",
    "To",
    "Show",
    "Expected",
    "Problem",
    "File",
    "New commission rule",
    "Edit commission rule",
    "Add rule",
}
HEADER = "policy_number,term_no,commission_rate,commission_amount\n"


def _csrf(client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


def _january(book):
    """Ann 150.00 + 100.00, Lee 20.00, Bob 150.00 (see commission_fixtures);
    January's drafts built."""
    pay(book.ann1, "1000.00", date(2026, 1, 12), first_instalment(book.ann1))
    pay(book.house, "1000.00", date(2026, 1, 15))
    pay(book.bob1, "1000.00", date(2026, 1, 20))
    build_agent_statements(date(2026, 1, 1))


def _statement_of(user) -> AgentStatement:
    return db.session.scalar(select(AgentStatement).where(AgentStatement.agent_id == user.id))


def test_an_agent_sees_their_own_statements_only(login_as, book):  # noqa: F811
    _january(book)
    client = login_as(book.ann)
    page = client.get("/insurance/commission")
    assert page.status_code == 200
    mine, bobs = _statement_of(book.ann), _statement_of(book.bob)
    assert f"/insurance/commission/agent-statements/{mine.id}" in page.text
    assert f"/insurance/commission/agent-statements/{bobs.id}" not in page.text
    assert "250.00" in page.text and "Draft the statements" not in page.text
    detail = client.get(f"/insurance/commission/agent-statements/{mine.id}")
    assert detail.status_code == 200
    assert "P-ANN-1" in detail.text and "P-ANN-H" in detail.text and "20%" in detail.text
    assert "Issue statement" not in detail.text  # an agent does not issue
    assert client.get(f"/insurance/commission/agent-statements/{bobs.id}").status_code == 404
    assert client.get("/insurance/commission/statements").status_code == 403
    assert client.get("/insurance/commission/rules").status_code == 403


def test_a_manager_drafts_and_issues_a_statement(login_as, book):  # noqa: F811
    pay(book.ann1, "1000.00", date(2026, 1, 12))
    client = login_as(book.admin)
    token = _csrf(client, "/insurance/commission")
    built = client.post("/insurance/commission", data={"month": "2026-01", "csrf_token": token})
    assert built.status_code == 302
    mine = _statement_of(book.ann)
    assert mine is not None and str(mine.total) == "150.00"
    url = f"/insurance/commission/agent-statements/{mine.id}"
    assert "Issue statement" in client.get(url).text
    done = client.post(f"{url}/issue", data={"version": mine.version, "csrf_token": token})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(AgentStatement, mine.id).status == "issued"
    page = client.get(url).text
    assert "Issue statement" not in page and "Issued" in page


def test_a_bad_row_is_shown_by_its_line_and_nothing_is_stored(login_as, book):  # noqa: F811
    client = login_as(book.admin)
    token = _csrf(client, "/insurance/commission/statements")
    data = {
        "carrier_id": str(book.carrier.id),
        "month": "2026-01",
        "csrf_token": token,
        "file": (
            io.BytesIO((HEADER + "P-ANN-1,1,20,200.00\nP-BOB-1,1,20,lots\n").encode()),
            "a.csv",
        ),
    }
    refused = client.post(
        "/insurance/commission/statements", data=data, content_type="multipart/form-data"
    )
    assert refused.status_code == 422
    assert 'id="row-errors"' in refused.text and "<td>3</td>" in refused.text
    assert "commission_amount" in refused.text
    assert db.session.scalar(select(func.count()).select_from(CarrierStatement)) == 0


def test_a_statement_is_imported_and_shown_with_its_badges(login_as, book):  # noqa: F811
    """P-ANN-1: 200.00 for 200.00 expected, matched; P-BOB-1: 150.00 for
    200.00, variance −50.00; P-NOPE unknown. Totals: received 362.50,
    expected 400.00, variance −37.50."""
    pay(book.ann1, "1000.00", date(2026, 1, 12))
    pay(book.bob1, "1000.00", date(2026, 1, 20))
    client = login_as(book.admin)
    token = _csrf(client, "/insurance/commission/statements")
    csv = HEADER + "P-ANN-1,1,20,200.00\nP-BOB-1,1,20,150.00\nP-NOPE,,,12.50\n"
    made = client.post(
        "/insurance/commission/statements",
        data={
            "carrier_id": str(book.carrier.id),
            "month": "2026-01",
            "csrf_token": token,
            "file": (io.BytesIO(csv.encode()), "jan.csv"),
        },
        content_type="multipart/form-data",
    )
    assert made.status_code == 302
    statement = db.session.scalar(select(CarrierStatement))
    assert made.headers["Location"].endswith(f"/insurance/commission/statements/{statement.id}")
    page = client.get(f"/insurance/commission/statements/{statement.id}").text
    assert "CN¥362.50" in page and "CN¥400.00" in page and "-CN¥37.50" in page
    assert 'class="badge ok">Matched' in page and 'class="badge warn">Variance' in page
    assert 'class="badge bad">Unknown policy' in page
    only = client.get(f"/insurance/commission/statements/{statement.id}?status=unknown").text
    assert "P-NOPE" in only and "P-BOB-1" not in only
    listing = client.get("/insurance/commission/statements").text
    assert "jan.csv" in listing and "Test Mutual" in listing


def test_rules_are_typed_and_shown_in_percent(login_as, book):  # noqa: F811
    client = login_as(book.admin)
    token = _csrf(client, "/insurance/commission/rules")
    body = {
        "carrier_id": str(book.bare.id),
        "product_id": "",
        "first_year_rate": "25",
        "renewal_rate": "7.5",
        "agent_share": "80",
        "leader_override": "5",
        "effective_from": "2026-01-01",
        "effective_to": "",
        "csrf_token": token,
    }
    refused = client.post("/insurance/commission/rules", data=body | {"first_year_rate": "250"})
    assert refused.status_code == 422 and 'id="e-first_year_rate"' in refused.text
    assert 'value="250"' in refused.text  # kept as typed
    made = client.post("/insurance/commission/rules", data=body)
    assert made.status_code == 302
    rule = db.session.scalar(
        select(InsuranceCommissionRule).where(InsuranceCommissionRule.carrier_id == book.bare.id)
    )
    assert (str(rule.first_year_rate), str(rule.renewal_rate), str(rule.agent_share)) == (
        "0.2500",
        "0.0750",
        "0.8000",
    )
    listing = client.get("/insurance/commission/rules").text
    assert "25%" in listing and "7.5%" in listing
    form = client.get(f"/insurance/commission/rules/{rule.id}").text
    assert 'value="25"' in form and 'value="7.5"' in form
    stale = client.post(
        f"/insurance/commission/rules/{rule.id}",
        data=body | {"version": rule.version + 1, "renewal_rate": "8"},
    )
    assert stale.status_code == 409
    saved = client.post(
        f"/insurance/commission/rules/{rule.id}",
        data=body | {"version": rule.version, "renewal_rate": "8"},
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert str(db.session.get(InsuranceCommissionRule, rule.id).renewal_rate) == "0.0800"


def test_the_leaderboard_page(login_as, book):  # noqa: F811
    _january(book)
    page = login_as(book.admin).get("/insurance/leaderboard?from=2026-01-01&to=2026-01-31").text
    ann, bob, lee = page.find("Ann Agent"), page.find("Bob Agent"), page.find("Lee Leader")
    assert -1 < ann < bob < lee
    own = login_as(book.ann).get("/insurance/leaderboard?from=2026-01-01&to=2026-01-31").text
    assert "Ann Agent" in own and "Bob Agent" not in own


def test_the_policy_pages_commission_section(app, book, make_user):  # noqa: F811
    """Ann sees her lines on P-ANN-1 (not Lee's override); Lee his override;
    an assessor (no commission.read) gets no section."""
    pay(book.ann1, "1000.00", date(2026, 1, 12))
    panel = commission_panel(book.ann1, book.ann)
    assert panel is not None and [line.kind for line in panel["lines"]] == ["commission"]
    assert str(panel["agent"]["CNY"]) == "150.00" and str(panel["expected"]["CNY"]) == "200.00"
    assert [line.kind for line in commission_panel(book.ann1, book.lee)["lines"]] == ["override"]
    assert commission_panel(book.ann1, make_user(role="claims_assessor")) is None
    assert commission_panel(book.ann1, book.bob)["lines"] == []
    with app.test_request_context("/"):
        html = render_template(
            "insurance/policies/_commission.html",
            commission=commission_panel(book.ann1, book.admin),
        )
    assert 'id="commission"' in html and "150.00" in html and "20.00" in html
    with app.test_request_context("/"):
        assert render_template("insurance/policies/_commission.html", commission=None).strip() == ""


def test_the_policy_page_shows_the_section(login_as, book):  # noqa: F811
    """On P-ANN-1's page Ann sees her 150.00; Bob may not open it."""
    pay(book.ann1, "1000.00", date(2026, 1, 12))
    page = login_as(book.ann).get(f"/insurance/policies/{book.ann1.id}")
    assert page.status_code == 200
    section = page.text[page.text.find('id="commission"') :]
    assert 'id="commission"' in page.text and "150.00" in section and "20%" in section
    assert login_as(book.bob).get(f"/insurance/policies/{book.ann1.id}").status_code == 404


def test_the_menu(book, make_user):  # noqa: F811
    agent = [str(i.label) for i in menu_items(book.ann)]
    assert "Agent commission" in agent and "Leaderboard" in agent
    assert "Commission rates" not in agent and "Carrier statements" not in agent
    admin = [str(i.label) for i in menu_items(book.admin)]
    assert {"Carrier statements", "Commission rates"} <= set(admin)


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_every_commission_page_in_both_languages(make_user, login_as, book, locale):  # noqa: F811
    _january(book)
    reader = make_user(role="admin", locale=locale)
    client = login_as(reader)
    token = _csrf(client, "/insurance/commission/statements")
    client.post(
        "/insurance/commission/statements",
        data={
            "carrier_id": str(book.carrier.id),
            "month": "2026-01",
            "csrf_token": token,
            "file": (io.BytesIO((HEADER + "P-ANN-1,1,20,200.00\n").encode()), "jan.csv"),
        },
        content_type="multipart/form-data",
    )
    statement = db.session.scalar(select(CarrierStatement))
    rule = db.session.scalar(select(InsuranceCommissionRule))
    for url in (
        "/insurance/commission",
        f"/insurance/commission/agent-statements/{_statement_of(book.ann).id}",
        "/insurance/commission/statements",
        f"/insurance/commission/statements/{statement.id}",
        "/insurance/commission/rules",
        f"/insurance/commission/rules/{rule.id}",
        "/insurance/leaderboard?from=2026-01-01&to=2026-01-31",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert f'<html lang="{locale[:2]}' in page.text, url
        if locale == "zh_CN":
            # core's words are in Chinese; the commission pages' own wait in the i18n
            # file for the insurance catalogue (once there, this set is empty)
            left = {t for t in untranslated(page.text, locale) if not t.startswith("First row:")}
            assert left <= AWAITING_CATALOGUE, (url, left - AWAITING_CATALOGUE)
    if locale == "zh_CN":  # the month as Chinese writes it
        assert "2026年1月" in client.get("/insurance/commission").text
