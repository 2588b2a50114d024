"""The service reports page's table views, as the server sends them, in
Chinese: each chart's numbers are in the page as an accessible table
(caption, column and row headers with their scope) under Chinese headers;
utilisation is drawn in per cent (its axis title says so) and written as the
locale writes per cent."""

from __future__ import annotations

from core.testing.charts import table_views
from plugins.service_dispatch.tests.test_reports import book  # noqa: F401 (fixture)


def test_the_table_views_are_in_the_chinese_page_under_chinese_headers(book, make_user, login_as):
    client = login_as(make_user(role="admin", locale="zh_CN"))
    page = client.get("/service/reports?from=2025-11-03&to=2025-11-09")
    assert page.status_code == 200
    views = table_views(page.text)
    assert set(views) == {
        "service-orders",
        "service-sla",
        "service-scores",
        "service-utilisation",
        "service-repeats",
    }
    for view in views.values():
        assert view["caption"] and view["rows"]
        columns = len(view["headers"])
        assert view["scopes"][:columns] == [("th", "col")] * columns
        assert [row[0] for row in view["rows"]] == view["data"]["labels"]

    utilisation = views["service-utilisation"]
    assert utilisation["caption"] == "工程师利用率"
    assert utilisation["headers"] == ["工程师", "利用率", "上门次数", "现场工时", "可用工时"]
    assert utilisation["rows"] == [["E1", "12.5%", "3", "5", "40"], ["E2", "0%", "1", "0", "40"]]
    assert utilisation["data"]["series"] == [{"label": "利用率", "values": [12.5, 0]}]
    assert utilisation["data"]["axis"].startswith("利用率") and "%" in utilisation["data"]["axis"]

    sla = views["service-sla"]
    assert sla["data"]["labels"] == ["按时响应", "按时解决"] and sla["data"]["stacked"]
    assert [row[-1] for row in sla["rows"]] == ["50%", "33%"]  # met / (met + breached)
    assert views["service-scores"]["headers"] == ["评分", "回访次数"]
    assert views["service-repeats"]["rows"] == [["AC-1", "1", "3", "33%"]]
