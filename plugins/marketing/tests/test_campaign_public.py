"""The links of a campaign e-mail, followed as a recipient would: the
one-click unsubscribe (the page's button, and RFC 8058's POST without the
page), the open pixel, tracked clicks — and forged tokens, which are 404
pages, never a 500 nor an open redirect."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from core.api import db, may_contact
from plugins.marketing.models import Recipient, Suppression

from .smtp import campaign_of, consenting, mail_app, smtp_server  # noqa: F401

API = "/api/v1/marketing"


def _sent(api, smtp_server, make_customer, owner, names):  # noqa: F811
    customers = {
        n: consenting(make_customer(name=n, emails=[f"{n}@example.com"], owner_id=owner.id))
        for n in names
    }
    campaign = campaign_of(api, [])
    assert api.post(f"{API}/campaigns/{campaign['id']}/send").status_code == 200
    mails = {m["To"].split("@")[0]: m for m in smtp_server.messages}
    return campaign, customers, mails


def _path(url: str) -> str:
    """The path and query of a URL, or of the one ``<URL>`` in a header."""
    found = re.search(r"<([^>]+)>", str(url))
    parts = urlsplit(found.group(1) if found else url.strip())
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_one_click_unsubscribe_withdraws_consent_and_suppresses_the_address(
    mail_app,
    smtp_server,
    make_user,
    make_customer,
    as_user,
    client,  # noqa: F811
):
    manager = make_user(role="manager")
    api = as_user(manager)
    campaign, customers, mails = _sent(api, smtp_server, make_customer, manager, ["ann", "bob"])
    page = _path(mails["ann"]["List-Unsubscribe"])
    client = mail_app.test_client()
    shown = client.get(page)
    assert shown.status_code == 200 and b"ann@example.com" in shown.data
    assert b"<button" in shown.data and customers["ann"].id in may_contact(
        [customers["ann"].id], "email", "marketing"
    )
    done = client.post(page)  # the page's button: no CSRF token on a public page
    assert done.status_code == 200
    assert may_contact([customers["ann"].id], "email", "marketing") == set()
    assert (
        db.session.scalar(select(Suppression.reason).where(Suppression.email == "ann@example.com"))
        == "unsubscribed"
    )
    assert client.post(page).status_code == 200  # twice is once
    # RFC 8058: a mail program POSTs the header's URL without opening the page
    one_click = client.post(
        _path(mails["bob"]["List-Unsubscribe"]), data={"List-Unsubscribe": "One-Click"}
    )
    assert one_click.status_code == 200
    assert may_contact([customers["bob"].id], "email", "marketing") == set()
    results = api.get(f"{API}/campaigns/{campaign['id']}/results").json
    assert results["unsubscribed"] == 2
    # the next campaign reaches neither
    smtp_server.messages.clear()
    again = campaign_of(api, [])
    api.post(f"{API}/campaigns/{again['id']}/send")
    assert smtp_server.messages == []


def test_a_forged_or_truncated_token_is_a_404_page(
    mail_app,
    smtp_server,
    make_user,
    make_customer,
    as_user,  # noqa: F811
):
    manager = make_user(role="manager")
    _campaign, customers, mails = _sent(
        as_user(manager), smtp_server, make_customer, manager, ["ann"]
    )
    real = _path(mails["ann"]["List-Unsubscribe"])
    client = mail_app.test_client()
    for path in (real[:-3], "/m/u/forged-token", "/m/u/" + "x" * 500):
        assert client.get(path).status_code == 404
        answer = client.post(path)
        assert answer.status_code == 404 and b"not valid" in answer.data
    assert may_contact([customers["ann"].id], "email", "marketing") == {customers["ann"].id}
    assert client.get("/m/o/forged.gif").headers["Content-Type"] == "image/gif"


def test_opens_and_clicks_are_counted_and_a_click_goes_only_where_the_mail_pointed(
    mail_app,
    smtp_server,
    make_user,
    make_customer,
    as_user,  # noqa: F811
):
    manager = make_user(role="manager")
    api = as_user(manager)
    campaign, _customers, mails = _sent(api, smtp_server, make_customer, manager, ["ann", "bob"])
    html = mails["ann"].get_body(("html",)).get_content()
    pixel = re.search(r'src="([^"]+\.gif)"', html).group(1)
    link = re.search(r'href="([^"]+/m/c/[^"]+)"', html).group(1).replace("&amp;", "&")
    client = mail_app.test_client()
    assert client.get(_path(pixel)).status_code == 200
    went = client.get(_path(link))
    assert went.status_code == 302
    assert went.headers["Location"] == "https://shop.example.com/spring"
    elsewhere = _path(link).replace("shop.example.com", "evil.example.com")
    assert client.get(elsewhere).status_code == 404
    row = db.session.scalar(select(Recipient).where(Recipient.email == "ann@example.com"))
    assert row.opened_at is not None and row.clicked_at is not None
    results = api.get(f"{API}/campaigns/{campaign['id']}/results").json
    assert (results["opened"], results["clicked"]) == (1, 1)
    assert (results["open_rate"], results["click_rate"]) == (0.5, 0.5)
    opened = api.get(f"{API}/campaigns/{campaign['id']}/recipients?status=opened").json
    assert [r["email"] for r in opened["items"]] == ["ann@example.com"]
