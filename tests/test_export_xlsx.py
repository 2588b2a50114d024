"""XLSX export (``?format=xlsx``): the CSV export's rows and columns, in
typed cells — text stays text, numbers are numbers, dates are dates."""

import io
import tempfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from core.api import Team, db
from core.models import DataScope, Role
from core.rest.exports import XLSX_TYPE
from plugins.sales.models import Deal, Pipeline, Stage


def sheet(response, filename="customers.xlsx") -> list[dict]:
    """The rows of the downloaded workbook as dicts by header; the cells too."""
    assert response.status_code == 200, response.text
    assert response.mimetype == XLSX_TYPE
    assert f'filename="{filename}"' in response.headers["Content-Disposition"]
    data = response.get_data()
    assert int(response.headers["Content-Length"]) == len(data)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows())
    header = [c.value for c in rows[0]]
    return [{name: c for name, c in zip(header, row, strict=True)} for row in rows[1:]]


def values(rows: list[dict]) -> list[dict]:
    return [{name: c.value for name, c in row.items()} for row in rows]


def exporter_role(name: str, scope: DataScope, hidden: list[str] = ()) -> None:
    db.session.add(
        Role(
            name=name,
            scope=scope,
            permissions=["customer.read", "customer.export"],
            hidden_fields=list(hidden),
        )
    )
    db.session.commit()


def test_the_xlsx_holds_the_lists_rows_and_columns_in_typed_cells(
    app, as_user, make_user, make_customer
):
    manager = make_user(role="manager")
    acme = make_customer(
        name="北京 Acme 茶叶",
        owner_id=manager.id,
        grade="A",
        tags=["vip", "north"],
        phones=["13800138000"],
        notes="老客户，每月回访",
    )
    make_customer(name="Beta", owner_id=manager.id, grade="B")
    csv_header = as_user(manager).get("/api/v1/customers/export").text
    rows = sheet(as_user(manager).get("/api/v1/customers/export?format=xlsx&sort=name"))
    assert list(rows[0]) == csv_header.removeprefix("\ufeff").splitlines()[0].split(",")
    assert [r["name"].value for r in rows] == ["Beta", "北京 Acme 茶叶"]
    row = values(rows)[1]
    assert row["notes"] == "老客户，每月回访" and row["tags"] == "north; vip"
    assert row["phones"] == "+8613800138000" and row["grade"] == "A"
    assert row["id"] == acme.id and isinstance(row["id"], int)
    assert row["owner_id"] == manager.id and row["deleted_at"] is None
    local = acme.created_at.astimezone(ZoneInfo(app.config["TRELLIS_TIMEZONE"]))
    assert isinstance(row["created_at"], datetime) and row["created_at"].tzinfo is None
    assert abs(row["created_at"] - local.replace(tzinfo=None)) < timedelta(milliseconds=1)
    assert rows[1]["created_at"].is_date and rows[1]["phones"].data_type == "s"

    only_a = values(sheet(as_user(manager).get("/api/v1/customers/export?format=xlsx&grade=A")))
    assert [r["name"] for r in only_a] == ["北京 Acme 茶叶"]


def test_a_formula_is_written_as_text_never_as_a_formula(as_user, make_user, make_customer):
    manager = make_user(role="manager")
    make_customer(name="=1+1", owner_id=manager.id, notes='=HYPERLINK("http://evil","x")')
    make_customer(name="Plain", owner_id=manager.id, notes=" \t=cmd", industry="-12.5")
    rows = sheet(as_user(manager).get("/api/v1/customers/export?format=xlsx&sort=name"))
    formula, plain = rows
    assert formula["name"].value == "=1+1" and formula["name"].data_type == "s"
    assert formula["name"].quotePrefix  # Excel keeps it text when the cell is edited
    assert formula["notes"].value == '=HYPERLINK("http://evil","x")'
    assert formula["notes"].data_type == "s"
    assert plain["notes"].value == " \t=cmd" and plain["notes"].quotePrefix
    assert plain["industry"].value == "-12.5" and not plain["industry"].quotePrefix
    assert plain["name"].value == "Plain" and not plain["name"].quotePrefix


def test_a_hidden_field_is_not_a_column_of_the_xlsx(as_user, make_user, make_customer):
    exporter_role("exporter", DataScope.own, hidden=["customer.phones", "customer.emails"])
    user = make_user(role="exporter")
    make_customer(name="Acme", owner_id=user.id, phones=["13800138000"], emails=["a@acme.cn"])
    response = as_user(user).get("/api/v1/customers/export?format=xlsx")
    [row] = values(sheet(response))
    assert row["name"] == "Acme" and "phones" not in row and "emails" not in row
    assert all("13800138000" not in str(v) and "acme.cn" not in str(v) for v in row.values())


def test_a_rep_exports_only_the_rows_in_their_scope(as_user, make_user, make_customer):
    exporter_role("own exporter", DataScope.own)
    rep = make_user(role="own exporter")
    make_customer(name="Mine", owner_id=rep.id)
    make_customer(name="Someone else's", owner_id=make_user().id)
    rows = values(sheet(as_user(rep).get("/api/v1/customers/export?format=xlsx")))
    assert [r["name"] for r in rows] == ["Mine"]
    sales = as_user(make_user(role="sales")).get("/api/v1/customers/export?format=xlsx")
    assert sales.status_code == 403


def test_an_unknown_format_is_refused_naming_it(as_user, make_user):
    response = as_user(make_user(role="manager")).get("/api/v1/customers/export?format=pdf")
    assert response.status_code == 422
    assert "format" in str(response.json["errors"])


def test_nothing_is_left_on_disk_after_the_download(
    monkeypatch, tmp_path, as_user, make_user, make_customer
):
    manager = make_user(role="manager")
    for i in range(3):
        make_customer(name=f"Customer {i}", owner_id=manager.id)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    response = as_user(manager).get("/api/v1/customers/export?format=xlsx")
    assert len(sheet(response)) == 3
    response.close()
    assert list(tmp_path.iterdir()) == []


def test_pages_offer_the_xlsx_beside_the_csv_only_to_those_allowed(login_as, make_user):
    page = login_as(make_user(role="manager")).get("/customers/?q=Acme").text
    assert "/api/v1/customers/export?q=Acme&amp;format=xlsx" in page
    assert "Export XLSX" in page and "Export CSV" in page


def test_the_openapi_document_offers_the_format_and_the_xlsx_answer(client):
    doc = client.get("/api/v1/openapi.json").json
    for path in (
        "/api/v1/customers/export",
        "/api/v1/sales/deals/export",
        "/api/v1/sales/contracts/export",
        "/api/v1/service/work-orders/export",
    ):
        operation = doc["paths"][path]["get"]
        [choice] = [p for p in operation["parameters"] if p["name"] == "format"]
        assert choice["in"] == "query" and choice["schema"]["enum"] == ["csv", "xlsx"]
        assert set(operation["responses"]["200"]["content"]) == {"text/csv", XLSX_TYPE}


@pytest.fixture
def pipeline(app):
    p = Pipeline(name="New business")
    db.session.add(p)
    db.session.flush()
    stage = Stage(pipeline_id=p.id, name="方案报价", position=0, probability=50)
    db.session.add(stage)
    db.session.commit()
    return p, stage


def test_a_plugin_list_exports_as_xlsx_with_its_scope(as_user, make_user, make_customer, pipeline):
    east = Team(name="East")
    db.session.add(east)
    db.session.commit()
    boss = make_user(role="manager", team=east, name="王经理")
    outsider = make_user(role="sales")
    p, stage = pipeline
    for title, owner, team, amount in (
        ("办公用品采购", boss, east, "1000.10"),
        ("=SUM(A1)", boss, east, "5"),
        ("Not theirs", outsider, None, "9"),
    ):
        db.session.add(
            Deal(
                title=title,
                customer_id=make_customer(name="茶叶公司", owner_id=owner.id).id,
                pipeline_id=p.id,
                stage_id=stage.id,
                amount=Decimal(amount),
                currency="CNY",
                owner_id=owner.id,
                team_id=team.id if team else None,
                expected_close=date(2027, 3, 31),
            )
        )
    db.session.commit()
    response = as_user(boss).get("/api/v1/sales/deals/export?format=xlsx&sort=title")
    rows = sheet(response, "deals.xlsx")
    assert [r["title"].value for r in rows] == ["=SUM(A1)", "办公用品采购"]
    formula, supplies = rows
    assert formula["title"].data_type == "s"
    assert (
        supplies["amount"].value == pytest.approx(1000.10) and supplies["amount"].data_type == "n"
    )
    assert (
        supplies["customer_name"].value == "茶叶公司" and supplies["stage_name"].value == "方案报价"
    )
    assert supplies["owner_name"].value == "王经理"
    assert supplies["expected_close"].value == datetime(2027, 3, 31)
    assert supplies["expected_close"].is_date
    assert as_user(outsider).get("/api/v1/sales/deals/export?format=xlsx").status_code == 403
