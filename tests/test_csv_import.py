"""``core.api.csv_rows``: an uploaded CSV (UTF-8 with or without the BOM,
or GB18030) read under its header row (aliases allowed), every row loaded
through a schema, and every bad row reported in one 422 before anything is
written; a file that is not CSV, has no usable header or too many rows is
refused whole, naming ``file``.

A throw-away plugin ``probe`` imports customers from a CSV body through
``csv_rows`` and ``create_customer`` in one transaction, as a plugin would."""

from __future__ import annotations

import pytest
from flask import request
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.api import (
    ApiBlueprint,
    Customer,
    ValidationError,
    create_customer,
    csv_rows,
    db,
    read_csv,
    transaction,
)
from core.testing import plugin_module


class RowInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=20))
    grade = fields.String(validate=validate.OneOf(["A", "B", "C"]))
    visits = fields.Integer(load_default=0)


ALIASES = {"姓名": "name", "等级": "grade"}


def customers() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Customer.name).order_by(Customer.name)))


@pytest.fixture
def probe_api(register_plugin, make_user, as_user):
    """A client of an app whose probe plugin imports customers from CSV."""
    bp = ApiBlueprint("probe_api", __name__)

    def import_customers():
        rows = csv_rows(request.get_data(), RowInput(), aliases=ALIASES, max_rows=4)
        with transaction():
            for row in rows:
                create_customer({"name": row["name"], "notes": row.get("grade")}, None)
        return {"imported": len(rows)}

    bp.add_url_rule("/customers/import", "import", import_customers, methods=["POST"])
    register_plugin(plugin_module("probe", trellis_api_blueprints=lambda: [bp]))
    client = as_user(make_user(role="admin"))

    def post(body: bytes):
        return client.post("/api/v1/probe/customers/import", data=body, content_type="text/csv")

    return post


def test_every_bad_row_is_named_in_one_422_and_nothing_is_written(probe_api):
    body = b"name,grade\nAnn,A\n,B\nCai,Z\nDu,C\n"
    answer = probe_api(body)
    assert answer.status_code == 422
    assert answer.json["errors"] == {
        "rows": {
            "3": {"name": ["This field is required."]},
            "4": {"grade": ["Must be one of: A, B, C."]},
        }
    }
    assert customers() == []


def test_a_good_file_is_imported_whole(probe_api):
    answer = probe_api(b"name,grade\nAnn,A\nBo,\n")
    assert answer.status_code == 200 and answer.json == {"imported": 2}
    assert customers() == ["Ann", "Bo"]


@pytest.mark.parametrize(
    "body",
    [
        "\ufeff姓名,等级\n王芳,A\n".encode(),  # Excel's UTF-8, with the byte-order mark
        "姓名,等级\n王芳,A\n".encode(),
        "姓名,等级\n王芳,A\n".encode("gb18030"),  # Excel on a Chinese Windows
    ],
)
def test_utf8_with_or_without_bom_and_gb18030_read_the_same(body):
    assert csv_rows(body, RowInput(), aliases=ALIASES) == [
        {"name": "王芳", "grade": "A", "visits": 0}
    ]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"", "name the columns"),
        (b"grade\nA\n", "lacks the columns name"),  # a required column missing
        (b"name,age\nLi,3\n", "name the columns"),  # a column the schema does not know
        (b"name,name\nLi,Wu\n", "name the columns"),  # a column twice
        (b'name\nAnn\n"Bob"x\n', "line 3 is not valid CSV"),
        (b"name\n\xff\xfe\xff\n", "UTF-8 or GB18030"),
        (b"name\na\nb\nc\nd\ne\n", "at most 4 rows"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole_naming_file(probe_api, body, says):
    answer = probe_api(body)
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["file"]
    assert says in answer.json["errors"]["file"][0]
    assert customers() == []


def test_blank_rows_are_skipped_and_lines_count_from_the_header():
    rows = read_csv("name,grade\n\nAnn,A\n,,\n  Bo  ,\n", ["name", "grade"])
    assert rows == [(3, {"name": "Ann", "grade": "A"}), (5, {"name": "Bo", "grade": None})]


def test_the_error_reads_as_one_line_on_a_page():
    with pytest.raises(ValidationError) as refused:
        csv_rows("name,visits\nAnn,x\n", RowInput())
    assert refused.value.summary == "line 2: visits: Not a valid number."
    assert refused.value.status == 422


def test_other_columns_are_left_out_when_asked_and_refused_otherwise():
    body = "Branch,姓名,Agent code,等级\nNorth,王芳,A17,A\n"
    assert csv_rows(body, RowInput(), aliases=ALIASES, other_columns=True) == [
        {"name": "王芳", "grade": "A", "visits": 0}
    ]
    with pytest.raises(ValidationError) as refused:
        csv_rows(body, RowInput(), aliases=ALIASES)
    assert list(refused.value.errors) == ["file"]
    with pytest.raises(ValidationError) as refused:  # a known column twice is still refused
        csv_rows("name,x,name\nLi,1,Wu\n", RowInput(), other_columns=True)
    assert "name the columns" in refused.value.errors["file"][0]
