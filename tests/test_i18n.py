"""Both locales are first-class: catalogues complete, current, and used."""

import pytest

from core import i18n_tools
from core.testing.pages import english_words


@pytest.fixture(scope="module", autouse=True)
def compiled():
    i18n_tools.compile_all()


def test_catalogues_are_complete_and_current_for_core_and_every_plugin():
    """Fails when a string in the code is missing from a catalogue, a
    catalogue keeps a string the code no longer has, or zh_CN lacks a
    translation."""
    assert i18n_tools.problems() == []
    assert {"messages", "sales", "service_dispatch", "insurance", "his"} <= set(
        i18n_tools.domains()
    )


def test_the_browser_language_picks_the_page_language(client):
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    english = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.8"}).text
    assert "Sign in" in english and "登录" not in english


def test_a_users_own_locale_wins_over_the_browser(make_user, login_as):
    user = make_user(role="admin", locale="zh_CN")
    page = login_as(user).get("/", headers={"Accept-Language": "en"}).text
    assert "工作台" in page and "最近的客户" in page


def test_each_plugin_translates_from_its_own_catalogue(make_user, login_as):
    client = login_as(make_user(role="admin", locale="zh_CN"))
    menu = client.get("/").text
    assert "商机" in menu and "工单" in menu and "保单" in menu and "就诊" in menu
    deals = client.get("/sales/deals").text
    assert "<h1>商机</h1>" in deals and "暂无商机。" in deals


def test_the_same_msgid_differs_between_core_and_a_plugin(make_user, login_as):
    """ "Stage" is 客户状态 (a customer's lifecycle) in core and 阶段 (of a deal) in sales."""
    client = login_as(make_user(role="admin", locale="zh_CN"))
    assert "客户状态" in client.get("/customers/").text
    deals = client.get("/sales/deals").text
    assert "阶段" in deals and "客户状态" not in deals


def test_a_chinese_customer_page_and_list_show_no_english(make_user, make_customer, login_as):
    """Plugins' header actions and list columns included (sales, service dispatch)."""
    admin = make_user(role="admin", locale="zh_CN", name="王经理")
    customer = make_customer(name="杭州茶叶公司", owner_id=admin.id)
    client = login_as(admin)
    page = client.get(f"/customers/{customer.id}").text
    head = page[page.index('class="page-head"') : page.index('class="tabs"')]
    assert "新建商机" in head and "新建工单" in head
    listing = client.get("/customers/").text
    results = client.get("/customers/", headers={"HX-Request": "true", "HX-Target": "results"})
    assert "进行中的商机" in listing and "进行中的商机" in results.text
    for html in (page, listing, results.text):
        assert english_words(html) == set()
