"""Status badges carry their meaning in one palette, the same in every
plugin: ok (done, won, converted), warn (in progress), bad (lost, reopened,
overdue), info (new, open) — not a row of grey pills."""

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).parent.parent / "core" / "static" / "core.css").read_text(encoding="utf-8")


@pytest.mark.parametrize("tone", ["ok", "warn", "bad", "info"])
def test_the_theme_colours_each_meaning(tone):
    assert re.search(rf"\.badge\.{tone}\b[^{{]*\{{[^}}]*color:", CSS)


def test_lists_show_statuses_by_meaning(load_demo_as_admin, login_as):
    client = login_as(load_demo_as_admin("en"))
    pages = {
        "/service/work-orders": {"info", "warn", "bad"},  # new, on site, reopened
        "/sales/leads/?status=all": {"ok", "info", "warn"},  # converted, new, working
        "/sales/deals?outcome=all": {"ok", "bad", "info"},  # won, lost, open
    }
    for path, tones in pages.items():
        page = client.get(path).text
        shown = set(re.findall(r'class="badge (ok|warn|bad|info)"', page))
        assert tones <= shown, (path, shown)
