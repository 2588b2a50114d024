"""The audit log names a customer's stage as users read it, not by its code."""

from __future__ import annotations


def test_the_audit_log_shows_a_stage_by_its_label(make_user, make_customer, login_as):
    admin = make_user(role="admin", locale="zh_CN")
    make_customer(actor=admin, name="上海恒通", stage="customer")
    page = login_as(admin).get("/admin/audit?entity=customer").get_data(as_text=True)
    assert "→ 成交客户" in page
    assert "→ customer<" not in page


def test_the_audit_log_shows_a_language_a_theme_and_yes_or_no_by_their_labels(make_user, login_as):
    from core.services.directory import update_user

    admin = make_user(role="admin")
    user = make_user(name="Wang Fang", locale="en")
    update_user(user, {"locale": "zh_CN", "theme": "dark", "active": False}, admin)
    page = login_as(admin).get("/admin/audit?entity=user_account").get_data(as_text=True)
    assert "English → 简体中文" in page and "→ Dark" in page and "Yes → No" in page
    assert "→ zh_CN" not in page and "→ dark<" not in page and "→ False" not in page


def test_the_audit_log_shows_a_data_scope_and_a_customer_kind_in_chinese(
    make_user, make_customer, login_as
):
    from core.services.customers import update_customer
    from core.services.directory import save_role

    admin = make_user(role="admin", locale="zh_CN")
    save_role(None, {"name": "区域经理", "permissions": [], "scope": "team"}, admin)
    customer = make_customer(actor=admin, name="张伟", kind="company")
    update_customer(customer, {"kind": "person"}, admin)
    client = login_as(admin)
    roles = client.get("/admin/audit?entity=role").get_data(as_text=True)
    assert "→ 本团队数据" in roles and "→ team<" not in roles
    customers = client.get("/admin/audit?entity=customer").get_data(as_text=True)
    assert "→ 个人" in customers and "→ person<" not in customers


def test_a_code_nothing_names_is_shown_as_it_is(app):
    from core.web.audit_labels import value_label

    with app.test_request_context():
        assert value_label("customer", "kind", "robot") == "robot"
        assert value_label("sales_deal", "stage", "customer") == "customer"
        assert value_label("customer", "tags", ["a"]) == "['a']"
