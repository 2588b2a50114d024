"""The customer pool's rules are set on an admin page, each plugin's recycle
condition asked for by its label, saved through the API's service."""

import re

from core.models import AuditEntry, PoolRule, Team
from core.testing.pages import shown_text

PAGE = "/admin/pool-rules/"


def token(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_an_admin_sets_the_default_rule_with_a_plugins_condition(make_user, login_as, db):
    client = login_as(make_user(role="admin"))
    listed = client.get(PAGE).text
    assert "No recycle rules yet" in listed and 'href="/admin/pool-rules/default"' in listed
    form = client.get("/admin/pool-rules/default").text
    assert "No won deal for M days" in form and "Days without a won deal" in form
    saved = client.post(
        "/admin/pool-rules/default",
        data={
            "csrf_token": token(client, "/admin/pool-rules/default"),
            "claim_limit": "5",
            "cool_off_days": "10",
            "recycle_after_days": "30",
            "remind_days_before": "2",
            "c.sales_no_won_deal": "1",
            "p.sales_no_won_deal.days": "90",
            "active": "1",
        },
    )
    assert saved.status_code == 302
    rule = db.session.query(PoolRule).one()
    assert (rule.team_id, rule.claim_limit, rule.cool_off_days, rule.recycle_after_days) == (
        None,
        5,
        10,
        30,
    )
    assert rule.conditions == {"sales_no_won_deal": {"days": 90}} and rule.active
    assert db.session.query(AuditEntry).filter_by(entity="pool_rule").count() == 1
    words = " ".join(shown_text(client.get(PAGE).text))
    assert "After 30 days without contact" in words and "No won deal for M days: 90" in words
    assert "sales_no_won_deal" not in words


def test_a_bad_number_is_named_at_its_field_and_nothing_is_saved(make_user, login_as, db):
    client = login_as(make_user(role="admin"))
    path = "/admin/pool-rules/default"
    data = {
        "csrf_token": token(client, path),
        "claim_limit": "lots",
        "cool_off_days": "10",
        "c.sales_no_won_deal": "1",
        "p.sales_no_won_deal.days": "30",
    }
    bad = client.post(path, data=data)
    assert bad.status_code == 422 and 'id="e-claim_limit"' in bad.text
    assert re.search(r'name="claim_limit"[^>]* value="lots"', bad.text)  # the input is kept
    bad = client.post(path, data={**data, "claim_limit": "4", "p.sales_no_won_deal.days": "0"})
    assert bad.status_code == 422 and 'id="e-c-sales_no_won_deal"' in bad.text
    assert 'name="p.sales_no_won_deal.days" value="0"' in bad.text
    assert db.session.query(PoolRule).count() == 0


def test_a_team_gets_its_own_rule_and_a_rep_may_not_open_the_page(make_user, login_as, db):
    team = Team(name="East")
    db.session.add(team)
    db.session.commit()
    client = login_as(make_user(role="admin", locale="zh_CN"))
    assert "East" in client.get(PAGE).text  # offered: it has no rule yet
    chosen = client.get(f"/admin/pool-rules/choose?team_id={team.id}")
    assert chosen.headers["Location"].endswith(f"/admin/pool-rules/team/{team.id}")
    form = client.get(f"/admin/pool-rules/team/{team.id}").text
    assert "East" in form and "领取上限" in form
    path = f"/admin/pool-rules/team/{team.id}"
    client.post(
        path, data={"csrf_token": token(client, path), "claim_limit": "3", "cool_off_days": "0"}
    )
    rule = db.session.query(PoolRule).one()
    assert (rule.team_id, rule.claim_limit, rule.conditions, rule.active) == (team.id, 3, {}, False)
    assert client.get("/admin/pool-rules/team/999").status_code == 404
    rep = login_as(make_user(role="sales"))
    assert rep.get(PAGE).status_code == 403
    assert rep.get(path).status_code == 403
