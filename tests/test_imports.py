"""Imports through the API: a GBK or GB18030 CSV, an XLSX and a vCard file
uploaded, mapped (suggested from Chinese and English headers), previewed
with per-row errors and duplicates, run in batches, undone exactly, and the
error file downloaded. Each on the real database, through real HTTP."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from core.api import db
from core.models import Contact, Customer, ImportJob, ImportJobItem


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", email="ada@example.com", name="Ada Admin")


@pytest.fixture
def api(admin, as_user):
    return as_user(admin)


def upload(api, data: bytes, filename: str = "customers.csv", target: str = "customers"):
    return api.post(
        "/api/v1/imports/jobs",
        data={"file": (io.BytesIO(data), filename), "target": target},
        content_type="multipart/form-data",
    )


def live_customers() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Customer).where(Customer.deleted_at.is_(None))
    )


def run(api, job_id: int, **configure):
    mapped = api.put(f"/api/v1/imports/jobs/{job_id}/mapping", json=configure)
    assert mapped.status_code == 200, mapped.json
    started = api.post(f"/api/v1/imports/jobs/{job_id}/run")
    assert started.status_code == 202, started.json
    return api.get(f"/api/v1/imports/jobs/{job_id}").json


GBK_ROWS = (
    "客户名称,手机,邮箱,备注\n"
    "华南贸易,13800138000,sales@huanan.cn,老客户\n"
    "北方机械,13900139000,info@beifang.cn,\n"
)


def test_a_gbk_csv_is_read_and_its_chinese_headers_mapped(api):
    made = upload(api, GBK_ROWS.encode("gbk"))
    assert made.status_code == 201, made.json
    job = made.json
    assert job["status"] == "uploaded" and job["total_rows"] == 2
    assert job["encoding"] == "gb18030"
    assert job["columns"] == ["客户名称", "手机", "邮箱", "备注"]
    assert job["mapping"] == {
        "客户名称": "name",
        "手机": "phones",
        "邮箱": "emails",
        "备注": "notes",
    }
    done = run(api, job["id"])
    assert (done["status"], done["created"], done["failed"]) == ("done", 2, 0)
    customer = db.session.scalar(select(Customer).where(Customer.name == "华南贸易"))
    assert customer.phones == ["+8613800138000"] and customer.notes == "老客户"


def test_a_gb18030_only_character_survives(api, admin):
    # 𠮷 is outside GBK: only GB18030 (4 bytes) holds it
    data = "名称,电话\n𠮷野家,13700137000\n".encode("gb18030")
    job = upload(api, data).json
    assert job["encoding"] == "gb18030"
    run(api, job["id"])
    customer = db.session.scalar(select(Customer).where(Customer.name == "𠮷野家"))
    assert customer is not None and customer.owner_id == admin.id


def test_an_xlsx_formula_is_imported_as_its_text(api):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Phone", "Notes", "Grade"])
    sheet.append(["Delta Ltd", 13600136000, '=HYPERLINK("http://x","y")', "A"])
    sheet.append(["Echo Co", "+86 135 0013 5000", "@SUM(1,2)", None])
    out = io.BytesIO()
    book.save(out)
    job = upload(api, out.getvalue(), "book.xlsx").json
    assert job["file_kind"] == "xlsx" and job["total_rows"] == 2
    assert job["mapping"] == {"Name": "name", "Phone": "phones", "Notes": "notes", "Grade": "grade"}
    run(api, job["id"])
    delta = db.session.scalar(select(Customer).where(Customer.name == "Delta Ltd"))
    assert delta.notes == '=HYPERLINK("http://x","y")' and delta.phones == ["+8613600136000"]
    assert delta.grade.value == "A"
    echo = db.session.scalar(select(Customer).where(Customer.name == "Echo Co"))
    assert echo.notes == "@SUM(1,2)" and echo.phones == ["+8613500135000"]


VCARD = """BEGIN:VCARD
VERSION:3.0
FN:王芳
N:王;芳;;;
ORG:Acme Trading
TITLE:采购经理
TEL;TYPE=CELL:138-0013-8001
EMAIL;TYPE=INTERNET:Wang.Fang@Acme.cn
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Li Lei
ORG:Nowhere Inc
TEL:13800138002
END:VCARD
"""


def test_a_vcard_file_becomes_contacts_of_named_customers(api, make_customer):
    acme = make_customer(name="Acme Trading")
    job = upload(api, VCARD.encode(), "phone.vcf", target="contacts").json
    assert job["file_kind"] == "vcard" and job["total_rows"] == 2
    assert job["mapping"]["Name"] == "name" and job["mapping"]["Company"] == "customer"
    preview = api.get(f"/api/v1/imports/jobs/{job['id']}/preview").json
    assert preview["errors"] == 1
    (bad,) = [row for row in preview["rows"] if row["action"] == "error"]
    assert bad["line"] == 2 and list(bad["errors"]) == ["customer"]
    done = run(api, job["id"])
    assert (done["created"], done["failed"]) == (1, 1)
    contact = db.session.scalar(select(Contact).where(Contact.customer_id == acme.id))
    assert (contact.name, contact.title) == ("王芳", "采购经理")
    assert contact.phones == ["+8613800138001"] and contact.emails == ["wang.fang@acme.cn"]


BAD_ROWS = (
    "name,phone,email\n"
    "Good One,13800138010,good@one.cn\n"
    "Bad Phone,12345,bad@phone.cn\n"
    "Bad Mail,13800138011,not-an-email\n"
    ",13800138012,\n"
    "Good One Again,138 0013 8010,\n"
)


def test_the_preview_lists_errors_by_line_and_field_and_writes_nothing(api):
    job = upload(api, BAD_ROWS.encode()).json
    before = live_customers()
    preview = api.get(f"/api/v1/imports/jobs/{job['id']}/preview")
    assert preview.status_code == 200, preview.json
    body = preview.json
    assert (body["total"], body["errors"], body["repeats"]) == (5, 3, 1)
    errors = {row["line"]: row["errors"] for row in body["rows"] if row["errors"]}
    assert list(errors[3]) == ["phones"] and list(errors[4]) == ["emails"]
    assert list(errors[5]) == ["name"]
    (repeat,) = [row for row in body["rows"] if row["repeats"]]
    assert (repeat["line"], repeat["repeats"]) == (6, 2)
    assert live_customers() == before
    assert db.session.get(ImportJob, job["id"]).status == "uploaded"


def test_failed_rows_go_to_the_error_file_and_nothing_is_half_written(api):
    job = upload(api, BAD_ROWS.encode()).json
    before = live_customers()
    done = run(api, job["id"], on_duplicate="skip")
    # line 6 repeats line 2 by phone: by then line 2's customer exists, so it is skipped
    assert (done["created"], done["failed"], done["skipped"]) == (1, 3, 1)
    assert live_customers() == before + 1
    answer = api.get(f"/api/v1/imports/jobs/{job['id']}/errors.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["line"], r["name"]) for r in rows] == [
        ("3", "Bad Phone"),
        ("4", "Bad Mail"),
        ("5", ""),
    ]
    assert rows[0]["error"].startswith("phones: ") and "12345" in rows[0]["error"]
    assert rows[1]["error"].startswith("emails: ")
    assert db.session.scalar(select(Customer).where(Customer.name == "Bad Phone")) is None


def test_a_formula_in_the_error_file_is_defused(api):
    job = upload(api, b"name,email\n=cmd|'/c calc'!A1,bad\n").json
    run(api, job["id"])
    text = api.get(f"/api/v1/imports/jobs/{job['id']}/errors.csv").get_data(as_text=True)
    assert "'=cmd|" in text


@pytest.mark.parametrize("action", ["update", "skip", "create"])
def test_a_match_by_phone_email_or_name_does_what_was_chosen(api, make_customer, action):
    by_phone = make_customer(name="Old Name", phones=["13800138020"], notes="kept")
    by_mail = make_customer(name="Mail Co", emails=["boss@mail.co"])
    by_name = make_customer(name="Name Co", city="Xi'an")
    data = (
        "name,phone,email,city\n"
        "New Name,+86 138-0013-8020,,Beijing\n"
        "Mail Co Ltd,,BOSS@Mail.co,Shanghai\n"
        "name co,,,Shenzhen\n"
    )
    job = upload(api, data.encode()).json
    preview = api.get(f"/api/v1/imports/jobs/{job['id']}/preview").json
    assert preview["matches"] == 3
    assert {row["match_id"] for row in preview["rows"]} == {by_phone.id, by_mail.id, by_name.id}
    before = live_customers()
    done = run(api, job["id"], on_duplicate=action)
    db.session.expire_all()
    if action == "update":
        assert (done["updated"], done["created"]) == (3, 0)
        assert (by_phone.name, by_phone.city, by_phone.notes) == ("New Name", "Beijing", "kept")
        assert by_mail.city == "Shanghai" and by_name.city == "Shenzhen"
    elif action == "skip":
        assert (done["skipped"], done["created"]) == (3, 0)
        assert by_phone.name == "Old Name" and by_name.city == "Xi'an"
    else:
        assert done["created"] == 3 and live_customers() == before + 3


def test_a_line_may_have_its_own_action(api, make_customer):
    first = make_customer(name="One", phones=["13800138030"])
    second = make_customer(name="Two", phones=["13800138031"])
    data = "name,phone,city\nOne,13800138030,Wuhan\nTwo,13800138031,Wuhan\n"
    job = upload(api, data.encode()).json
    done = run(api, job["id"], on_duplicate="skip", line_actions={"3": "update"})
    db.session.expire_all()
    assert (done["skipped"], done["updated"]) == (1, 1)
    assert first.city is None and second.city == "Wuhan"


def test_undo_restores_updated_records_exactly_and_bins_created_ones(api, make_customer):
    kept = make_customer(
        name="Kept Co", phones=["13800138040"], city="Hefei", grade="B", tags=["vip"]
    )
    before = (kept.name, kept.city, kept.grade, list(kept.phones), [t.name for t in kept.tags])
    data = (
        "name,phone,city,grade,tags\n"
        "Kept Co,13800138040;13800138041,Nanjing,A,new\n"
        "Fresh Co,13800138042,,,\n"
    )
    job = upload(api, data.encode()).json
    done = run(api, job["id"], on_duplicate="update")
    assert (done["updated"], done["created"]) == (1, 1)
    db.session.expire_all()
    assert kept.city == "Nanjing" and kept.phones == ["+8613800138040", "+8613800138041"]
    fresh = db.session.scalar(select(Customer).where(Customer.name == "Fresh Co"))
    undone = api.post(f"/api/v1/imports/jobs/{job['id']}/undo")
    assert undone.status_code == 200, undone.json
    assert undone.json["status"] == "undone"
    db.session.expire_all()
    assert (
        kept.name,
        kept.city,
        kept.grade,
        list(kept.phones),
        [t.name for t in kept.tags],
    ) == before
    assert fresh.deleted_at is not None
    again = api.post(f"/api/v1/imports/jobs/{job['id']}/undo")
    assert again.status_code == 409


def test_undo_is_refused_after_a_later_edit(api, make_customer, admin):
    from core.services.customers import update_customer

    job = upload(api, b"name,phone\nLater Co,13800138050\n").json
    run(api, job["id"])
    customer = db.session.scalar(select(Customer).where(Customer.name == "Later Co"))
    update_customer(customer, {"city": "Chengdu"}, admin)
    refused = api.post(f"/api/v1/imports/jobs/{job['id']}/undo")
    assert refused.status_code == 409
    assert f"customers {customer.id}" in refused.json["errors"]["status"][0]
    db.session.expire_all()
    assert customer.deleted_at is None and customer.city == "Chengdu"
    assert db.session.get(ImportJob, job["id"]).status == "done"


@pytest.mark.parametrize("slice_seconds", [20.0, 0.0], ids=["one job", "a job per batch"])
def test_a_run_goes_in_batches_with_its_progress(api, monkeypatch, slice_seconds):
    from core.imports import batches

    monkeypatch.setattr(batches, "BATCH", 3)
    monkeypatch.setattr(batches, "SLICE_SECONDS", slice_seconds)
    rows = "".join(f"Batch {i},1380013{8100 + i}\n" for i in range(8))
    job = upload(api, ("name,phone\n" + rows + "Broken,1\n").encode()).json
    done = run(api, job["id"])
    assert (done["status"], done["processed"], done["created"], done["failed"]) == ("done", 9, 8, 1)
    items = db.session.scalar(
        select(func.count()).select_from(ImportJobItem).where(ImportJobItem.job_id == job["id"])
    )
    assert items == 8


def test_saved_mappings_are_reused_by_name(api):
    saved = api.post(
        "/api/v1/imports/mappings?target=customers",
        json={"name": "ERP export", "mapping": {"CUST_NM": "name", "TEL_NO": "phones"}},
    )
    assert saved.status_code == 201, saved.json
    listed = api.get("/api/v1/imports/mappings?target=customers").json
    assert [m["name"] for m in listed] == ["ERP export"]
    job = upload(api, b"CUST_NM,TEL_NO\nFoxtrot,13800138060\n").json
    assert job["mapping"] == {}
    done = run(api, job["id"], mapping_name="ERP export")
    assert done["mapping"] == {"CUST_NM": "name", "TEL_NO": "phones"} and done["created"] == 1
    missing = api.put(f"/api/v1/imports/jobs/{job['id']}/mapping", json={"mapping_name": "nope"})
    assert missing.status_code == 409  # started: the mapping is fixed


def test_a_mapping_without_the_name_is_refused_naming_mapping(api):
    job = upload(api, b"a,b\nx,y\n").json
    refused = api.put(f"/api/v1/imports/jobs/{job['id']}/mapping", json={"mapping": {"a": "city"}})
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["mapping"]
    unknown = api.put(f"/api/v1/imports/jobs/{job['id']}/mapping", json={"mapping": {"a": "x"}})
    assert unknown.status_code == 422
    assert api.post(f"/api/v1/imports/jobs/{job['id']}/run").status_code == 409


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"name\n", "no rows"),
        (bytes(range(256)) * 8, "UTF-8 or GB18030"),
        ((",".join(f"c{i}" for i in range(10_000)) + "\nx\n").encode(), "200 columns"),
    ],
)
def test_a_bad_file_is_refused_naming_file(api, data, words):
    refused = upload(api, data)
    assert refused.status_code == 422, refused.json
    assert list(refused.json["errors"]) == ["file"] and words in refused.json["errors"]["file"][0]
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_a_file_over_the_size_setting_is_refused(make_app, make_user, as_user):
    make_app(TRELLIS_IMPORT_MAX_MB=1)
    api = as_user(make_user(role="admin"))
    big = b"name,notes\n" + b"x," + b"y" * (1024 * 1024) + b"\n"
    refused = upload(api, big)
    assert refused.status_code == 422 and "1 MB" in refused.json["errors"]["file"][0]


def test_a_rep_without_the_permission_gets_403_and_others_imports_are_404(
    api, make_user, as_user, login_as
):
    job = upload(api, b"name\nGolf\n").json
    rep = make_user(role="sales")
    rep_api = as_user(rep)
    assert rep_api.get("/api/v1/imports/jobs").status_code == 403
    assert upload(rep_api, b"name\nHotel\n").status_code == 403
    assert login_as(rep).get("/imports/").status_code == 403
    manager = make_user(role="manager")
    manager_api = as_user(manager)
    assert manager_api.get(f"/api/v1/imports/jobs/{job['id']}").status_code == 404
    assert manager_api.get("/api/v1/imports/jobs").json["total"] == 0


def test_an_owner_column_needs_the_right_to_assign(api, make_user, as_user):
    from core.api import DataScope, Role
    from core.services.users import ensure_default_roles

    ensure_default_roles()
    db.session.add(
        Role(
            name="importer",
            permissions=["customer.read", "customer.write", "customer.import"],
            scope=DataScope.own,
        )
    )
    db.session.commit()
    clerk = make_user(role="importer")
    other = make_user(role="sales", email="other@example.com")
    data = f"name,负责人\nIndia Co,{clerk.email}\nJuliet Co,{other.email}\nKilo Co,\n"
    clerk_api = as_user(clerk)
    job = upload(clerk_api, data.encode()).json
    assert job["mapping"]["负责人"] == "owner"
    done = run(clerk_api, job["id"])
    assert (done["created"], done["failed"]) == (2, 1)
    owners = dict(db.session.execute(select(Customer.name, Customer.owner_id)).all())
    assert owners["India Co"] == clerk.id and owners["Kilo Co"] == clerk.id
    assert "Juliet Co" not in owners
    assert other.id not in owners.values()


def test_a_record_the_importer_may_not_see_is_no_match_and_is_never_updated(
    make_user, as_user, make_customer
):
    from core.api import DataScope, Role
    from core.services.users import ensure_default_roles

    ensure_default_roles()
    db.session.add(
        Role(
            name="own_importer",
            permissions=["customer.read", "customer.write", "customer.import"],
            scope=DataScope.own,
        )
    )
    db.session.commit()
    clerk, other = make_user(role="own_importer"), make_user(role="sales")
    hidden = make_customer(name="Hidden Co", phones=["13800138080"], owner_id=other.id)
    clerk_api = as_user(clerk)
    job = upload(clerk_api, b"name,phone,city\nHidden Co,13800138080,Dalian\n").json
    # a record outside the clerk's scope is no match for them — no hint of
    # it in the preview — and the row creates a customer of their own, as
    # the customer form does
    preview = clerk_api.get(f"/api/v1/imports/jobs/{job['id']}/preview").json
    assert preview["matches"] == 0 and preview["rows"][0]["match_id"] is None
    assert preview["actions"] == {"create": 1}
    done = run(clerk_api, job["id"], on_duplicate="update")
    assert (done["created"], done["updated"], done["failed"]) == (1, 0, 0)
    db.session.expire_all()
    assert hidden.city is None
    mine = db.session.scalars(select(Customer).where(Customer.owner_id == clerk.id)).one()
    assert (mine.name, mine.city) == ("Hidden Co", "Dalian")


def test_an_import_whose_worker_stopped_is_resumed_and_no_batch_runs_twice(api, admin, monkeypatch):
    from datetime import timedelta

    from sqlalchemy import update

    from core.imports import batches, resume_stalled
    from core.models import utcnow

    monkeypatch.setattr(batches, "BATCH", 3)
    rows = "".join(f"Resumed {i},1380013{8200 + i}\n" for i in range(5))
    job = db.session.get(ImportJob, upload(api, ("name,phone\n" + rows).encode()).json["id"])
    batches.configure(job, {}, admin)
    batches.start(job, admin, queue=False)
    batches.run_batch(job.id, 0, chain=False)  # then the worker dies
    assert batches.run_batch(job.id, 0, chain=False) == "nothing to do"
    assert resume_stalled() == "0 stalled imports queued again"  # not stalled yet
    db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id)
        .values(updated_at=utcnow() - timedelta(minutes=11))
    )
    db.session.commit()
    assert resume_stalled() == "1 stalled imports queued again"
    db.session.expire_all()
    assert (job.status, job.processed, job.created) == ("done", 5, 5)
    names = db.session.scalars(select(Customer.name).where(Customer.name.like("Resumed %")))
    assert sorted(names) == [f"Resumed {i}" for i in range(5)]
