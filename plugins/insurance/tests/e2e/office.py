"""What the browser tests of the insurance book share: signing a user in,
the words and dates a page shows in a locale, and the check that a Chinese
page shows no catalogue message in English."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale, format_currency, format_date
from playwright.sync_api import Page

from core.testing.pages import untranslated

PASSWORD = "correct horse battery"


def sign_in(page: Page, base: str, email: str) -> None:
    """Sign ``email`` in, in the same browser context (the last user signed out)."""
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")


def said(locale: str, label, *args) -> str:
    """A catalogue message as a page in ``locale`` shows it: ``label`` a lazy
    string, or a function that translates when called with ``args`` (as
    ``POLICY.state_label`` — called here, inside the locale)."""
    with force_locale(locale):
        return str(label(*args) if args else label)


def shown_date(locale: str, day: date) -> str:
    """``day`` as the pages' ``format_date`` writes it in ``locale``."""
    with force_locale(locale):
        return format_date(day)


def shown_money(locale: str, amount, currency: str) -> str:
    """``amount`` as the pages' ``money`` writes it in ``locale``."""
    with force_locale(locale):
        return format_currency(amount, currency)


def in_locale(page: Page, locale: str, found: dict[str, list[str]]) -> None:
    """Note what catalogue messages a Chinese page shows in English."""
    if locale == "zh_CN":
        english = untranslated(page.content(), locale)
        if english:
            found[page.url.split("?")[0]] = english
