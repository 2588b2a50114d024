"""The audit log names a customer's stage as users read it, not by its code."""

from __future__ import annotations


def test_the_audit_log_shows_a_stage_by_its_label(make_user, make_customer, login_as):
    admin = make_user(role="admin", locale="zh_CN")
    make_customer(actor=admin, name="上海恒通", stage="customer")
    page = login_as(admin).get("/admin/audit?entity=customer").get_data(as_text=True)
    assert "→ 成交客户" in page
    assert "→ customer<" not in page
