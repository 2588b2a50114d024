"""The public online registration pages speak the visitor's language
(Chinese pages show no catalogue message in English), stand alone without
a sign-in, and answer a forged link or an unknown session with a 404."""

from __future__ import annotations

import pytest

from core.testing.pages import untranslated

from .booking_fixtures import clinic  # noqa: F401


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_every_step_speaks_the_visitors_language(client, clinic, locale):
    session = clinic.session()
    lang = f"?lang={locale}"
    pages = [
        client.get(f"/his/book{lang}"),
        client.get(f"/his/book/{clinic.cardiology.id}{lang}"),
        client.get(f"/his/book/session/{session.id}{lang}"),
        client.post(f"/his/book/session/{session.id}{lang}", data={"name": ""}),
    ]
    html_lang = "zh-CN" if locale == "zh_CN" else "en"
    for page in pages:
        assert page.status_code in (200, 422)
        assert f'<html lang="{html_lang}">' in page.text
        assert "/login" not in page.text  # no app frame, no sign-in link
        if locale == "zh_CN":
            assert untranslated(page.text, locale) == [], page.request.path
    assert 'id="e-name"' in pages[-1].text and 'id="e-national_id"' in pages[-1].text


def test_a_forged_link_and_an_unknown_session_are_not_found(client, clinic):
    assert client.get("/his/book/r/no-such-request").status_code == 404
    assert client.post("/his/book/r/no-such-request/cancel").status_code == 404
    assert client.get("/his/book/session/999999").status_code == 404
    assert client.get("/his/book/999999").status_code == 404
