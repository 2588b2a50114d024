"""An accepted quote becomes a contract: through the API
(``POST /api/v1/sales/quotes/<id>/contract``) and the quote page's button
(``sales.contract_from_quote``), once per quote, only for who may see it."""

from __future__ import annotations

from sqlalchemy import select

from core.api import db
from plugins.sales.models import Contract

from .test_contracts import customer, make_quote, people  # noqa: F401  (fixtures)
from .test_contracts_web import token


def test_an_accepted_quote_becomes_a_contract_through_the_api(
    people,
    make_quote,
    as_user,  # noqa: F811
):
    quote = make_quote()
    api = as_user(people["rep"])
    made = api.post(f"/api/v1/sales/quotes/{quote.id}/contract")
    assert made.status_code == 201 and made.json["quote_id"] == quote.id
    assert made.json["amount"] == "98000.50"
    again = api.post(f"/api/v1/sales/quotes/{quote.id}/contract")
    assert again.status_code == 409 and "quote_id" in again.json["errors"]
    other = as_user(people["other"]).post(f"/api/v1/sales/quotes/{quote.id}/contract")
    assert other.status_code == 404


def test_the_quote_button_makes_the_contract(people, make_quote, login_as):  # noqa: F811
    quote = make_quote()
    browser = login_as(people["rep"])
    made = browser.post(
        f"/sales/quotes/{quote.id}/contract",
        data={"csrf_token": token(browser, "/sales/contracts")},
    )
    assert made.status_code == 302
    contract = db.session.scalar(select(Contract).where(Contract.quote_id == quote.id))
    assert made.headers["Location"].endswith(f"/sales/contracts/{contract.id}")
