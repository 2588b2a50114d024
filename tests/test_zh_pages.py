"""Every page, walked in Chinese on the Chinese demo: no page shows a
message of a catalogue in English (a string rendered without gettext, or
through the wrong domain), and none fails.

The routes come from the URL map (core's and every enabled plugin's), their
ids from the demo's records, so a page added tomorrow is walked too; a
route parameter this test cannot fill fails it by name.
"""

from __future__ import annotations

import pytest

from core.testing.pages import untranslated


def test_no_chinese_page_shows_a_catalogue_message_in_english(
    load_demo_as_admin, demo_pages, login_as
):
    client = login_as(load_demo_as_admin("zh_CN"))
    urls, unfilled = demo_pages()
    assert unfilled == [], f"routes whose ids the demo cannot fill: {unfilled}"
    assert len(urls) > 80
    failures = []
    for url in urls:
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"GET {url}: {response.status_code}")
        if response.mimetype == "text/html":
            english = untranslated(response.get_data(as_text=True))
            if english:
                failures.append(f"GET {url}: {sorted(set(english))}")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("path", ["/admin/roles/new", "/admin/settings", "/admin/plugins"])
def test_admin_pages_name_things_in_chinese_not_by_code(path, make_user, login_as):
    """Permissions by their titles (grouped by who declares them), themes and
    plugins by their translated titles and descriptions — no code names."""
    from core.registry import current_registry
    from core.testing.pages import english_words

    page = login_as(make_user(role="admin", locale="zh_CN", name="王经理")).get(path)
    assert page.status_code == 200
    words = english_words(page.get_data(as_text=True))
    if path == "/admin/plugins":  # package names are code; a test plugin's own words are its
        words -= {"sales", "service", "dispatch", "insurance", "his", "marketing"}
        registry = current_registry()
        for info in [*registry.plugins, *registry.disabled]:
            if not info.builtin and info.manifest:
                manifest = info.manifest
                words -= english_words(f"{info.name} {manifest.title} {manifest.description}")
    assert words == set()
