"""CSV export: scoped rows, field-level access on columns, safe cells."""

import csv
import io

from core.models import DataScope, Role


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.mimetype == "text/csv" and response.text.startswith("\ufeff")
    assert 'filename="customers.csv"' in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))


def test_export_holds_what_the_list_shows_with_the_same_filters(as_user, make_user, make_customer):
    manager = make_user(role="manager")
    make_customer(
        name="北京 Acme",
        owner_id=manager.id,
        grade="A",
        tags=["vip", "north"],
        phones=["13800138000"],
    )
    make_customer(name="Beta", owner_id=manager.id, grade="B")
    make_customer(name="Not mine", owner_id=make_user().id, grade="A")
    client = as_user(manager)
    everything = rows(client.get("/api/v1/customers/export?sort=name"))
    assert [r["name"] for r in everything] == ["Beta", "北京 Acme"]
    only_a = rows(client.get("/api/v1/customers/export?grade=A"))
    assert len(only_a) == 1 and only_a[0]["tags"] == "north; vip"
    assert only_a[0]["phones"] == "+8613800138000" and only_a[0]["grade"] == "A"
    assert client.get("/api/v1/customers/export?sort=secret").status_code == 422


def test_export_needs_its_permission(as_user, make_user):
    response = as_user(make_user(role="sales")).get("/api/v1/customers/export")
    assert response.status_code == 403 and "customer.export" in response.json["detail"]


def test_hidden_fields_are_not_columns_of_the_export(as_user, db, make_user, make_customer):
    db.session.add(
        Role(
            name="exporter",
            scope=DataScope.own,
            permissions=["customer.read", "customer.export"],
            hidden_fields=["customer.phones", "customer.emails"],
        )
    )
    db.session.commit()
    user = make_user(role="exporter")
    make_customer(name="Acme", owner_id=user.id, phones=["13800138000"], emails=["a@acme.cn"])
    response = as_user(user).get("/api/v1/customers/export")
    header = response.text.removeprefix("\ufeff").splitlines()[0].split(",")
    assert "name" in header and "phones" not in header and "emails" not in header
    assert "13800138000" not in response.text and "acme.cn" not in response.text


def test_cells_a_spreadsheet_would_run_are_defused(as_user, make_user, make_customer):
    manager = make_user(role="manager")
    make_customer(
        name='=HYPERLINK("http://evil","x")',
        owner_id=manager.id,
        notes='+1 but harmless, with, commas and "quotes"',
    )
    [row] = rows(as_user(manager).get("/api/v1/customers/export"))
    assert row["name"] == '\'=HYPERLINK("http://evil","x")'
    assert row["notes"] == '\'+1 but harmless, with, commas and "quotes"'


def test_the_customer_list_offers_the_export_only_to_those_allowed(app, make_user):
    def page(user):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
        return client.get("/customers/?q=Acme").text

    assert "/api/v1/customers/export?q=Acme" in page(make_user(role="manager"))
    assert "/export" not in page(make_user(role="sales"))


def test_formulas_after_leading_whitespace_are_defused_but_numbers_kept(
    as_user, make_user, make_customer
):
    from core.rest.exports import cell

    for text in (" =1+1", "\t=cmd", "  +SUM(A1)", "\n-2+3", "\r\n@x", " \t=A1"):
        assert cell(text) == "'" + text, text
    for text in ("-12.5", "+8613800138000", " plain", "a=b", ""):
        assert cell(text) == text, text
    manager = make_user(role="manager")
    make_customer(name="Acme", owner_id=manager.id, notes=" \t=cmd")
    [row] = rows(as_user(manager).get("/api/v1/customers/export"))
    assert row["notes"] == "' \t=cmd"
