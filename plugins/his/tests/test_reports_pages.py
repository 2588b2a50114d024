"""The Hospital reports page and the dashboard cards: the charts' table
views carry the figures, a doctor's page holds only their department, the
page speaks the user's language, the menu and the cards go to who may see
them."""

from __future__ import annotations

import pytest

from core.api import db
from core.testing.charts import table_views

from .booking_fixtures import clinic  # noqa: F401
from .test_reports_figures import hospital  # noqa: F401


def _page(client, hospital, **args):  # noqa: F811
    query = "&".join(
        [f"date_from={hospital.period[0]}", f"date_to={hospital.period[1]}"]
        + [f"{k}={v}" for k, v in args.items()]
    )
    answer = client.get(f"/his/reports?{query}")
    assert answer.status_code == 200
    return answer.text


def test_the_charts_table_views_hold_the_figures(login_as, hospital):  # noqa: F811
    html = _page(login_as(hospital.admin), hospital)
    charts = table_views(html)
    assert {"his-visits", "his-channels", "his-no-shows", "his-waits"} <= set(charts)
    waits = {row[0]: row[1:] for row in charts["his-waits"]["rows"]}
    assert waits["Cardiology"][:2] == ["25", "40"] and waits["Dermatology"][:2] == ["5", "5"]
    no_shows = {row[0]: row[1] for row in charts["his-no-shows"]["rows"]}
    assert no_shows["Cardiology"] == "20%" and no_shows["Dermatology"] == "50%"
    methods = {row[0]: row[1] for row in charts["his-revenue-method"]["rows"]}
    assert "40.00" in methods["Cash"] and "32.50" in methods["Alipay"]
    assert "72.50" in html  # the net revenue


def test_a_doctors_page_holds_their_department_only(login_as, hospital):  # noqa: F811
    charts = table_views(_page(login_as(hospital.zhou), hospital))
    assert [row[0] for row in charts["his-waits"]["rows"]] == ["Dermatology"]
    assert [row[0] for row in charts["his-no-shows"]["rows"]] == ["Dermatology"]


def test_a_bad_period_says_so_and_the_page_still_shows(login_as, hospital):  # noqa: F811
    client = login_as(hospital.admin)
    answer = client.get("/his/reports?date_from=2026-03-10&date_to=2026-03-01")
    assert answer.status_code == 200 and 'id="e-date_to"' in answer.text


def test_who_may_not_read_reports_gets_404_and_no_menu_entry(login_as, hospital):  # noqa: F811
    clerk = login_as(hospital.clerk)
    assert clerk.get("/his/reports").status_code == 404
    assert "/his/reports" not in clerk.get("/").text
    assert "/his/reports" in login_as(hospital.li).get("/").text


def test_dashboard_cards_today(login_as, hospital, make_user):  # noqa: F811
    nurse = login_as(hospital.nurse).get("/").text
    assert 'id="widget-his_today_registrations"' in nurse
    assert 'id="widget-his_today_revenue"' not in nurse
    cashier = make_user(role="his_cashier", name="Cashier Zhao")
    desk = login_as(cashier).get("/").text
    assert 'id="widget-his_today_revenue"' in desk
    card = login_as(hospital.nurse).get("/his/widgets/registrations").text
    assert "Cardiology" in card and "Dermatology" not in card
    assert login_as(hospital.nurse).get("/his/widgets/revenue").status_code == 404


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_page_speaks_the_users_language(login_as, hospital, locale):  # noqa: F811
    hospital.admin.locale = locale
    db.session.commit()
    html = _page(login_as(hospital.admin), hospital)
    english = ["Hospital reports", "Visits per day by department", "No-show rate", "Net revenue"]
    chinese = ["医院报表", "各科室每日就诊", "爽约率", "净收入"]
    if locale == "zh_CN":
        assert all(word in html for word in chinese)
        assert not any(word in html for word in english)
    else:
        assert all(word in html for word in english)
