"""``core.api.current_lang``: the page's language as ``?lang=`` names it,
for a public page's redirect to carry on; None outside a request."""

from __future__ import annotations

from flask_babel import refresh

from core.api import current_lang


def _lang(app, url: str, **headers) -> str | None:
    with app.test_request_context(url, headers=headers):
        refresh()  # the tests' app context outlives the request: forget its locale
        return current_lang()


def test_current_lang_names_the_picked_language_else_the_browsers(app):
    assert current_lang() is None  # no request
    assert _lang(app, "/?lang=zh_CN") == "zh_CN"
    assert _lang(app, "/?lang=en", **{"Accept-Language": "zh-CN"}) == "en"  # the pick wins
    assert _lang(app, "/", **{"Accept-Language": "zh-CN,zh;q=0.9"}) == "zh_CN"
    assert _lang(app, "/", **{"Accept-Language": "en-GB"}) == "en"
    assert _lang(app, "/?lang=fr", **{"Accept-Language": "en"}) == "en"  # not offered
