"""Every page at phone width (360 px), in a real browser: a field engineer,
a nurse or a rep on the road never scrolls sideways — a wide table or board
scrolls inside its own box — and no page logs a script error or fails.

The pages come from the URL map with the demo's ids (tests/conftest.py), so
a page added tomorrow is walked too. As the administrator (every page) in
English with the default theme and in Chinese with the dark one, and as the
demo's field engineer, whose pages are the ones used on the road.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page
from sqlalchemy import select

from core.api import User, db

PHONE = {"width": 360, "height": 740}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize(
    "locale, theme, who",
    [("en", "default", "admin"), ("zh_CN", "dark", "admin"), ("zh_CN", "default", "engineer")],
)
def test_no_page_scrolls_sideways_at_phone_width(
    page: Page, live_server, load_demo_as_admin, demo_pages, locale, theme, who
):
    from core.services.directory import update_user

    admin = load_demo_as_admin(locale)
    user = admin
    password = "correct horse battery"
    if who == "engineer":
        user = db.session.scalar(select(User).where(User.role.has(name="engineer")))
        password = f"demo-{user.email.split('@')[0]}-pass"
    update_user(user, {"theme": theme}, None)
    db.session.commit()
    urls, unfilled = demo_pages()
    assert unfilled == []
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    page.on(
        "console",
        lambda msg: errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None,
    )
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, user.email, password)
    wide, failed, seen = [], [], 0
    for url in urls:
        try:
            answer = page.goto(f"{live_server}{url}")
        except PlaywrightError as exc:  # a file (an attachment, an export) is not a page
            if "Download is starting" in str(exc):
                continue
            raise
        if answer is None or "text/html" not in answer.headers.get("content-type", ""):
            continue
        if answer.status >= 500:  # a 4xx (a form that needs ?customer_id=, a page
            failed.append(f"{url}: {answer.status}")  # not the engineer's) is a page too
            continue
        seen += 1
        overflow = page.evaluate(OVERFLOW)
        if overflow > 0:
            wide.append(f"{url}: {overflow}px too wide")
    assert seen > (70 if who == "admin" else 20)
    assert failed == []
    assert wide == []
    assert [e for e in errors if "status of 403" not in e and "status of 404" not in e] == []
