"""Targets and commission name their month as the reader's language writes
it, not as the address carries it (``2026-03``); their "new" forms open on
demand, and open by themselves when a post came back with errors."""

import re

import pytest


@pytest.mark.parametrize(
    "locale, targets_for, statement_for",
    [("en", "Targets for March 2026", "for March 2026"), ("zh_CN", "2026年3月", "2026年3月")],
)
def test_the_month_is_written_in_the_readers_language(
    make_user, login_as, locale, targets_for, statement_for
):
    client = login_as(make_user(role="admin", locale=locale))
    targets = client.get("/sales/targets?month=2026-03").text
    assert targets_for in targets and "2026-03<" not in targets
    commission = client.get("/sales/commission?month=2026-03").text
    assert statement_for in commission and "2026-03</h2>" not in commission


def test_the_new_target_form_opens_on_demand_and_after_an_error(make_user, login_as):
    client = login_as(make_user(role="admin"))
    page = client.get("/sales/targets?month=2026-03").text
    assert '<details class="card on-demand">' in page and 'id="set-target"' in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    bad = client.post(
        "/sales/targets?month=2026-03",
        data={"csrf_token": csrf, "month": "2026-03", "amount": "lots"},
    )
    assert bad.status_code == 422 and '<details class="card on-demand" open>' in bad.text
