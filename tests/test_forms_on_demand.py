"""A list page's "new" form waits behind its summary (``<details
class="on-demand">``) until asked for, and opens by itself when a post came
back with errors, so each message shows at its field."""

import re

import pytest


@pytest.mark.parametrize(
    "path, summary, bad",
    [
        ("/admin/tags", "New tag", {"name": ""}),
        ("/admin/teams", "New team", {"name": ""}),
        ("/admin/follow-up-plans", "New plan", {"name": "", "rule": "customer_interval"}),
    ],
)
def test_a_new_form_opens_on_demand_and_after_an_error(make_user, login_as, path, summary, bad):
    client = login_as(make_user(role="admin"))
    page = client.get(path).text
    assert f'<details class="card on-demand">\n  <summary>{summary}</summary>' in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post(path, data={"csrf_token": csrf, **bad})
    assert answer.status_code == 422
    assert '<details class="card on-demand" open>' in answer.text and 'id="e-name"' in answer.text
