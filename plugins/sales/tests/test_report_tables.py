"""The reports page's table views, as the server sends them, in Chinese: each
chart's numbers are in the page as an accessible table (caption, column and
row headers with their scope) under Chinese headers, amounts formatted for
the locale; amounts in two currencies are two charts, each with its
currency in the axis title and in no label."""

from __future__ import annotations

from core.api import db
from core.testing.charts import table_views
from plugins.sales.tests.test_reports import JANUARY, book, pipeline  # noqa: F401 (fixtures)


def test_the_table_views_are_in_the_chinese_page_under_chinese_headers(book, login_as):
    admin = book["admin"]
    admin.locale = "zh_CN"
    db.session.commit()
    page = login_as(admin).get(f"/sales/reports?{JANUARY}")
    assert page.status_code == 200
    views = table_views(page.text)
    assert set(views) == {
        "sales-funnel",
        "sales-forecast-cny",
        "sales-forecast-usd",
        "sales-lost",
        "sales-owners-cny",
        "sales-kpis",
    }
    for view in views.values():
        assert view["caption"] and view["rows"]
        columns = len(view["headers"])
        assert view["scopes"][:columns] == [("th", "col")] * columns
        assert all(row[0] in view["data"]["labels"] for row in view["rows"])

    cny = views["sales-forecast-cny"]
    assert cny["caption"] == "按月销售预测 · CNY"
    assert cny["headers"] == ["月份", "进行中", "加权", "赢单"]
    assert cny["rows"] == [
        ["2025年1月", "¥0.00", "¥0.00", "¥900.00"],
        ["2025年2月", "¥400.00", "¥200.00", "¥0.00"],
        ["2025年3月", "¥700.00", "¥560.00", "¥0.00"],
    ]
    assert [s["values"] for s in cny["data"]["series"]] == [
        [0, 400, 700],
        [0, 200, 560],
        [900, 0, 0],
    ]
    assert cny["data"]["axis"].startswith("金额") and "CNY" in cny["data"]["axis"]
    usd = views["sales-forecast-usd"]
    assert usd["rows"] == [["2025年1月", "US$0.00", "US$0.00", "US$300.00"]]
    assert "USD" in usd["data"]["axis"]
    for view in views.values():
        labels = view["data"]["labels"] + [s["label"] for s in view["data"]["series"]]
        assert not any(code in label for label in labels for code in ("CNY", "USD"))

    funnel = views["sales-funnel"]
    assert funnel["headers"] == ["阶段", "到达数", "进入下一阶段"]
    assert funnel["rows"][0] == ["Lead in", "7", "57%"]
    assert views["sales-kpis"]["headers"][:4] == ["负责人", "赢单", "输单", "转化率"]
