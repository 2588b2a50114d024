"""The SLA page's "New policy" and "Add a date" forms wait behind their
summaries until asked for; the one whose post came back with errors opens."""

import re


def test_the_sla_forms_open_on_demand_and_after_an_error(make_user, login_as):
    client = login_as(make_user(role="admin"))
    page = client.get("/service/sla").text
    assert page.count('<details class="on-demand">') == 2
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    bad = client.post("/service/sla/days", data={"csrf_token": csrf, "day": "someday"})
    assert bad.status_code == 422
    assert '<details class="on-demand" open>\n  <summary>Add a date</summary>' in bad.text
    assert '<details class="on-demand">\n  <summary>New policy</summary>' in bad.text
