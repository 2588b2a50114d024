"""The premium table in a browser: "Add a row" shows a spare row, the rows
typed are saved, an overlapping one is named and the input kept."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.api import db
from plugins.insurance.models import Carrier, Cover, InsuranceProduct, Rate


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")


def test_rows_are_added_to_the_premium_table_and_saved(page: Page, live_server, make_user, shoot):
    admin = make_user(role="admin")
    carrier = Carrier(code="PICC", name="PICC Property")
    db.session.add(carrier)
    db.session.flush()
    product = InsuranceProduct(
        carrier_id=carrier.id,
        code="TL",
        name="Term life",
        line="life",
        currency="CNY",
        pricing="table",
        effective_from=date(2026, 1, 1),
        covers=[Cover(code="DEATH", name="Death benefit", mandatory=True)],
    )
    db.session.add(product)
    db.session.commit()
    sign_in(page, live_server, admin.email)
    page.goto(f"{live_server}/insurance/products/{product.id}")
    rates = page.locator("#rates")
    expect(rates.locator("tbody tr:visible")).to_have_count(1)  # one blank row, spares hidden
    rates.get_by_role("button", name="Add a row").click()
    expect(rates.locator("tbody tr:visible")).to_have_count(2)
    for i, (low, high, premium) in enumerate([("18", "40", "800"), ("41", "60", "1500")]):
        rates.locator(f"select[name='rates.{i}.cover_code']").select_option("DEATH")
        rates.locator(f"input[name='rates.{i}.age_from']").fill(low)
        rates.locator(f"input[name='rates.{i}.age_to']").fill(high)
        rates.locator(f"input[name='rates.{i}.annual_premium']").fill(premium)
    rates.get_by_role("button", name="Save premium table").click()
    page.wait_for_url(f"**/insurance/products/{product.id}#rates")
    stored = db.session.scalars(select(Rate.annual_premium).order_by(Rate.id)).all()
    assert stored == [Decimal("800.00"), Decimal("1500.00")]
    page.locator("input[name='start_date']").fill("2026-03-01")
    page.locator("input[name='birth_date']").fill("1990-05-01")
    page.get_by_role("button", name="Price it").click()
    expect(page.locator("#price table")).to_contain_text("800.00")
    shoot(page, "insurance-product-page")
