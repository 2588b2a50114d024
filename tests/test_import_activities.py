"""Activities imported through the imports API: each row finds its
customer by name, phone or e-mail (one the rep may not see is "no such
customer", as one that does not exist), its type by code or label, its
time in the common ways of writing one; a bad row is refused by field in
the preview; the run logs timeline entries through the activity service
(audited); a duplicate is skipped or updated; undo takes it all back."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from core.api import DataScope, Role, db, instance_timezone, log_activity
from core.imports.activities import parse_when
from core.models import Activity, AuditEntry, Customer

ROWS = (
    "客户,电话,邮箱,类型,主题,跟进内容,跟进时间\n"
    "华南贸易,,,电话,回访报价,客户要求降价,2026-03-01 14:30\n"
    ",13800138000,,meeting,上门演示,,2026/3/5\n"
    ",,info@beifang.cn,Note,备忘,,46082.5\n"
    "华南贸易,,,call,确认订单,,下周二\n"
    "无此公司,,,call,问候,,2026-03-02 09:00\n"
    "西部物流,,,call,问候,,2026-03-02 09:00\n"
    "华南贸易,,,飞鸽传书,问候,,2026-03-02 09:00\n"
)


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(instance_timezone())).astimezone(UTC)


@pytest.fixture
def rep(make_user):
    db.session.add(
        Role(
            name="rep_importer",
            permissions=["customer.read", "customer.write", "customer.import"],
            scope=DataScope.own,
        )
    )
    db.session.commit()
    return make_user(role="rep_importer")


@pytest.fixture
def api(rep, as_user):
    return as_user(rep)


@pytest.fixture
def customers(rep, make_user, make_customer):
    other = make_user(role="sales")
    south = make_customer(name="华南贸易", phones=["13800138000"], owner_id=rep.id)
    north = make_customer(name="北方机械", emails=["info@beifang.cn"], owner_id=rep.id)
    west = make_customer(name="西部物流", owner_id=other.id)
    earlier = log_activity(
        {
            "kind": "call",
            "subject": "回访报价",
            "customer_id": south.id,
            "occurred_at": local(2026, 3, 1, 14, 30).isoformat(),
        },
        rep,
    )
    db.session.commit()
    return {"south": south, "north": north, "west": west, "earlier": earlier}


def upload(api, data: bytes, filename: str = "activities.csv") -> dict:
    made = api.post(
        "/api/v1/imports/jobs",
        data={"file": (io.BytesIO(data), filename), "target": "activities"},
        content_type="multipart/form-data",
    )
    assert made.status_code == 201, made.json
    return made.json


def run(api, job_id: int, **configure) -> dict:
    assert api.put(f"/api/v1/imports/jobs/{job_id}/mapping", json=configure).status_code == 200
    assert api.post(f"/api/v1/imports/jobs/{job_id}/run").status_code == 202
    return api.get(f"/api/v1/imports/jobs/{job_id}").json


def timeline(customer: Customer) -> list[tuple[str, str, datetime]]:
    db.session.expire_all()
    query = (
        select(Activity)
        .where(Activity.customer_id == customer.id, Activity.deleted_at.is_(None))
        .order_by(Activity.occurred_at)
    )
    return [(a.kind, a.subject, a.occurred_at) for a in db.session.scalars(query)]


def test_the_preview_names_the_field_of_each_bad_row_and_hides_another_reps_customer(
    api, customers
):
    job = upload(api, ROWS.encode("gb18030"))
    assert job["mapping"] == {
        "客户": "customer",
        "电话": "customer_phone",
        "邮箱": "customer_email",
        "类型": "kind",
        "主题": "subject",
        "跟进内容": "body",
        "跟进时间": "occurred_at",
    }
    preview = api.get(f"/api/v1/imports/jobs/{job['id']}/preview").json
    rows = {row["line"]: row for row in preview["rows"]}
    errors = {line: list(row["errors"]) for line, row in rows.items() if row["errors"]}
    assert errors == {5: ["occurred_at"], 6: ["customer"], 7: ["customer"], 8: ["kind"]}
    # a customer the rep may not see reads exactly as one that does not exist
    assert rows[6]["errors"] == rows[7]["errors"] == {"customer": ["no such customer"]}
    assert rows[2]["match_id"] == customers["earlier"].id and rows[2]["action"] == "skip"
    assert preview["actions"] == {"skip": 1, "create": 2, "error": 4}


def test_the_run_logs_timeline_entries_through_the_activity_service(api, rep, customers):
    done = run(api, upload(api, ROWS.encode("gb18030"))["id"], on_duplicate="skip")
    assert (done["created"], done["skipped"], done["failed"]) == (2, 1, 4)
    assert timeline(customers["south"]) == [
        ("call", "回访报价", local(2026, 3, 1, 14, 30)),
        ("meeting", "上门演示", local(2026, 3, 5)),
    ]
    assert timeline(customers["north"]) == [("note", "备忘", local(2026, 3, 1, 12, 0))]
    assert timeline(customers["west"]) == []
    south = db.session.get(Customer, customers["south"].id)
    assert south.last_contacted_at == local(2026, 3, 5)  # the service keeps it
    made = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "activity", AuditEntry.action == "create")
    ).all()
    assert len(made) == 3 and all(entry.user_id == rep.id for entry in made)


def test_undo_removes_the_logged_activities_and_keeps_the_earlier_one(api, customers):
    job = run(api, upload(api, ROWS.encode("gb18030"))["id"])
    assert len(timeline(customers["south"])) == 2
    assert api.post(f"/api/v1/imports/jobs/{job['id']}/undo").status_code == 200
    assert timeline(customers["south"]) == [("call", "回访报价", local(2026, 3, 1, 14, 30))]
    assert timeline(customers["north"]) == []
    south = db.session.get(Customer, customers["south"].id)
    assert south.last_contacted_at == local(2026, 3, 1, 14, 30)


def test_a_duplicate_is_updated_and_undo_gives_its_notes_back(api, customers):
    job = run(api, upload(api, ROWS.encode("gb18030"))["id"], on_duplicate="update")
    assert (job["updated"], job["created"]) == (1, 2)
    earlier = db.session.get(Activity, customers["earlier"].id)
    assert earlier.body == "客户要求降价"
    assert api.post(f"/api/v1/imports/jobs/{job['id']}/undo").status_code == 200
    db.session.expire_all()
    assert db.session.get(Activity, customers["earlier"].id).body is None


def test_an_xlsx_date_cell_and_an_owner_by_e_mail(api, make_user, customers):
    colleague = make_user(role="sales", email="li@example.com")
    book = Workbook()
    sheet = book.active
    sheet.append(["Customer", "Type", "Subject", "Date and time", "Owner (e-mail)"])
    sheet.append(["华南贸易", "Visit", "现场勘查", datetime(2026, 4, 2, 10, 15), "LI@example.com"])
    sheet.append(["华南贸易", "visit", "复查", datetime(2026, 4, 9), "nobody@example.com"])
    data = io.BytesIO()
    book.save(data)
    job = upload(api, data.getvalue(), "activities.xlsx")
    preview = api.get(f"/api/v1/imports/jobs/{job['id']}/preview").json
    assert {r["line"]: r["errors"] for r in preview["rows"] if r["errors"]} == {
        3: {"owner": ["no active user with this e-mail"]}
    }
    assert run(api, job["id"])["created"] == 1
    visit = db.session.scalar(select(Activity).where(Activity.subject == "现场勘查"))
    assert (visit.kind, visit.owner_id) == ("visit", colleague.id)
    assert visit.occurred_at == local(2026, 4, 2, 10, 15)


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-01 14:30",
        "2026/3/1 14:30",
        "2026年3月1日 14:30",
        "2026-03-01T14:30:00",
        "46082.6041666667",
    ],
)
def test_common_ways_of_writing_a_time_read_the_same(trellis_app, text):
    assert parse_when(text, None).replace(second=0, microsecond=0) == local(2026, 3, 1, 14, 30)


def test_a_time_with_an_offset_keeps_it(trellis_app):
    assert parse_when("2026-03-01T14:30:00+08:00", None) == datetime(2026, 3, 1, 6, 30, tzinfo=UTC)
