"""The money a campaign brought: last-touch attribution over plugins'
money events, checked against sums worked out by hand, through the API and
on the campaign's page in both locales."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Integer, Numeric, literal, select, union_all

from core.api import MoneyEvent, UTCDateTime, db, utcnow
from core.testing import plugin_module
from plugins.marketing.models import Recipient

from .smtp import campaign_of

API = "/api/v1/marketing"
DAY = timedelta(days=1)
ANYONE = [{"field": "stage", "op": "is", "value": "lead"}]


def _money(paid: list[tuple], key: str, label: str, permission: str | None = None):
    def rows():
        if not paid:
            return select(
                literal(0, Integer).label("customer_id"),
                literal(utcnow(), UTCDateTime()).label("occurred_at"),
                literal(0, Numeric(12, 2)).label("amount"),
            ).where(literal(False))
        return union_all(
            *(
                select(
                    literal(cid, Integer).label("customer_id"),
                    literal(at, UTCDateTime()).label("occurred_at"),
                    literal(amount, Numeric(12, 2)).label("amount"),
                )
                for cid, at, amount in paid
            )
        )

    return MoneyEvent(key, label, rows, permission)


@pytest.fixture
def marketing_toml() -> str:
    """Lines of ``[plugins_settings.marketing]`` (parametrize to set some)."""
    return ""


@pytest.fixture
def book(make_user, make_customer, register_plugin, as_user, marketing_toml, tmp_path):
    """Two campaigns of a rep; six customers of the rep. By hand, with the
    30-day window:

    - A clicked Spring 10 days ago: a deal of 100 won 5 days ago and a
      refund of −20 2 days ago count for Spring; a deal 55 days ago does not
      (before the click);
    - B opened Spring 20 days ago (no click), then clicked Autumn 10 days
      ago: the 500 won 5 days ago is Autumn's (the last touch), not Spring's;
    - C clicked Spring 40 days ago: a payment of 70 2 days ago is outside
      the window;
    - D was sent Spring and did nothing: its 999 counts nowhere;
    - E clicked Spring 3 days ago and won a deal of 30 1 day ago;
    - F clicked Spring 6 days ago and paid 40 1 day ago — a payment, a kind
      of money only holders of ``customer.delete`` may see (not the rep).

    Spring, as the admin sees it: deals 100 − 20 + 30 = 110 (3), payments 40
    (1): 150 from 3 customers. As the rep: 110 from 2 customers. Autumn: 500
    from 1 customer (B).
    """
    if marketing_toml:
        (tmp_path / "trellis.toml").write_text(f"[plugins_settings.marketing]\n{marketing_toml}\n")
    deals: list[tuple] = []
    payments: list[tuple] = []
    register_plugin(
        plugin_module(
            "probe",
            trellis_money_events=lambda: [
                _money(deals, "probe.deal", "Won deals"),
                _money(payments, "probe.payment", "Payments", "customer.delete"),
            ],
        )
    )
    admin = make_user(role="admin")
    rep = make_user(role="sales", name="Rita Rep")
    api = as_user(rep)
    spring = campaign_of(api, ANYONE)
    autumn = campaign_of(api, ANYONE, name="Autumn")
    now = utcnow()
    ids = {}
    for key in "ABCDEF":
        ids[key] = make_customer(name=key, stage="lead", owner_id=rep.id).id

    def sent(campaign, key, clicked=None, opened=None):
        db.session.add(
            Recipient(
                campaign_id=campaign["id"],
                customer_id=ids[key],
                email=f"{key.lower()}@example.com",
                status="sent",
                attempts=1,
                sent_at=now - 60 * DAY,
                clicked_at=None if clicked is None else now - clicked * DAY,
                opened_at=None if opened is None else now - opened * DAY,
            )
        )

    sent(spring, "A", clicked=10, opened=10)
    sent(spring, "B", opened=20)
    sent(autumn, "B", clicked=10)
    sent(spring, "C", clicked=40)
    sent(spring, "D")
    sent(spring, "E", clicked=3)
    sent(spring, "F", clicked=6)
    db.session.commit()
    deals += [
        (ids["A"], now - 5 * DAY, 100),
        (ids["A"], now - 2 * DAY, -20),
        (ids["A"], now - 55 * DAY, 300),
        (ids["B"], now - 5 * DAY, 500),
        (ids["D"], now - 1 * DAY, 999),
        (ids["E"], now - 1 * DAY, 30),
    ]
    payments += [(ids["C"], now - 2 * DAY, 70), (ids["F"], now - 1 * DAY, 40)]
    return {"ids": ids, "admin": admin, "rep": rep, "spring": spring, "autumn": autumn}


def _attributed(api, campaign) -> dict:
    found = api.get(f"{API}/campaigns/{campaign['id']}/results")
    assert found.status_code == 200, found.json
    return found.json["attributed"]


def _figures(found: dict) -> tuple:
    kinds = [(k["kind"], Decimal(k["amount"]), k["events"]) for k in found["by_kind"]]
    return Decimal(found["amount"]), found["events"], found["customers"], kinds


def test_money_is_credited_to_the_last_campaign_engaged_within_the_window(book, as_user):
    spring = _attributed(as_user(book["admin"]), book["spring"])
    assert spring["window_days"] == 30
    assert _figures(spring) == (
        Decimal("150"),
        4,
        3,
        [("probe.deal", Decimal("110"), 3), ("probe.payment", Decimal("40"), 1)],
    )
    autumn = _attributed(as_user(book["admin"]), book["autumn"])
    assert _figures(autumn) == (Decimal("500"), 1, 1, [("probe.deal", Decimal("500"), 1)])
    assert [k["label"] for k in autumn["by_kind"]] == ["Won deals"]


def test_the_viewer_sees_only_money_and_customers_they_may_see(book, make_user, as_user):
    rep = as_user(book["rep"])
    assert _figures(_attributed(rep, book["spring"])) == (
        Decimal("110"),
        3,
        2,
        [("probe.deal", Decimal("110"), 3)],
    )
    # E goes to another rep: E's deal leaves the rep's figures, not the admin's
    other = make_user(role="sales", name="Otto Other")
    moved = as_user(book["admin"]).patch(
        f"/api/v1/customers/{book['ids']['E']}", json={"owner_id": other.id}
    )
    assert moved.status_code == 200, moved.json
    assert _figures(_attributed(as_user(book["rep"]), book["spring"]))[:3] == (Decimal("80"), 2, 1)
    assert _attributed(as_user(book["admin"]), book["spring"])["amount"] == "150.00"


@pytest.mark.parametrize("marketing_toml", ["attribution_days = 7"])
def test_a_shorter_window_counts_less(book, as_user):
    spring = _attributed(as_user(book["admin"]), book["spring"])
    # A's deal came 5 days after the click, its refund 8: only the deal; E's and F's count
    assert spring["window_days"] == 7
    assert _figures(spring)[:3] == (Decimal("170"), 3, 3)


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_campaign_page_shows_the_attributed_revenue(book, make_user, login_as, locale):
    client = login_as(make_user(role="admin", locale=locale))
    page = client.get(f"/marketing/campaigns/{book['spring']['id']}")
    assert page.status_code == 200
    amount = page.text.split('id="attributed-amount"')[1].split("</p>")[0]
    assert "150" in amount
    assert ("Attributed revenue" in page.text) == (locale == "en")
    assert ("归因收入" in page.text) == (locale == "zh_CN")
