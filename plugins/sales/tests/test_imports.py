"""Leads and products imported through core's imports API
(``/api/v1/imports``): Chinese headers mapped, a bad row named by field,
a duplicate updated or skipped, the import undone, and a user without the
plugin's permission kept from the target."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import AuditEntry, DataScope, Role, db
from plugins.sales.models import Lead, Product

LEADS_CSV = (
    "姓名,公司,手机,邮箱,来源,备注\n"
    "李娜,蓝天食品,13800138001,li@bluesky.cn,官网,展会上认识\n"
    "王强,远山机械,12345,wang@yuanshan.cn,referral,\n"
    "赵敏,青禾农业,13800138003,ZHAO@qinghe.cn,Exhibition,\n"
)


@pytest.fixture
def api(make_user, as_user):
    return as_user(make_user(role="admin", email="ada@example.com"))


def upload(api, text: str, target: str, filename: str = "rows.csv") -> dict:
    made = api.post(
        "/api/v1/imports/jobs",
        data={"file": (io.BytesIO(text.encode("gbk")), filename), "target": target},
        content_type="multipart/form-data",
    )
    assert made.status_code == 201, made.json
    return made.json


def run(api, job_id: int, **configure) -> dict:
    assert api.put(f"/api/v1/imports/jobs/{job_id}/mapping", json=configure).status_code == 200
    assert api.post(f"/api/v1/imports/jobs/{job_id}/run").status_code == 202
    return api.get(f"/api/v1/imports/jobs/{job_id}").json


def live_leads() -> list[Lead]:
    db.session.expire_all()
    return list(db.session.scalars(select(Lead).where(Lead.deleted_at.is_(None)).order_by(Lead.id)))


def test_leads_are_mapped_from_chinese_headers_checked_and_created(api):
    job = upload(api, LEADS_CSV, "sales.lead")
    assert job["mapping"] == {
        "姓名": "name",
        "公司": "company",
        "手机": "phone",
        "邮箱": "email",
        "来源": "source",
        "备注": "notes",
    }
    preview = api.get(f"/api/v1/imports/jobs/{job['id']}/preview").json
    assert preview["actions"] == {"create": 2, "error": 1}
    bad = next(row for row in preview["rows"] if row["action"] == "error")
    assert bad["line"] == 3 and list(bad["errors"]) == ["phone"]
    done = run(api, job["id"])
    assert (done["created"], done["failed"]) == (2, 1)
    leads = live_leads()
    assert [(lead.name, lead.source, lead.phone) for lead in leads] == [
        ("李娜", "website", "+8613800138001"),
        ("赵敏", "exhibition", "+8613800138003"),
    ]
    assert leads[1].email == "zhao@qinghe.cn"
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity == "sales_lead", AuditEntry.action == "create")
        )
        == 2
    )
    errors = api.get(f"/api/v1/imports/jobs/{job['id']}/errors.csv")
    assert "phone:" in errors.get_data(as_text=True)


def test_a_duplicate_lead_is_updated_or_skipped_and_undo_restores_it(api):
    first = run(api, upload(api, LEADS_CSV, "sales.lead")["id"])
    assert first["created"] == 2
    again = "姓名,手机,邮箱,备注\n李娜,13800138001,,改过的备注\n赵敏,,zhao@qinghe.cn,新备注\n"
    skipped = run(api, upload(api, again, "sales.lead")["id"], on_duplicate="skip")
    assert (skipped["skipped"], skipped["created"]) == (2, 0)
    assert [lead.notes for lead in live_leads()] == ["展会上认识", None]
    job = upload(api, again, "sales.lead")
    updated = run(api, job["id"], on_duplicate="update")
    assert (updated["updated"], updated["created"]) == (2, 0)
    assert [lead.notes for lead in live_leads()] == ["改过的备注", "新备注"]
    assert api.post(f"/api/v1/imports/jobs/{job['id']}/undo").status_code == 200
    assert [lead.notes for lead in live_leads()] == ["展会上认识", None]
    # the first import's leads were written since (by the second and its undo): refused
    assert api.post(f"/api/v1/imports/jobs/{first['id']}/undo").status_code == 409
    assert len(live_leads()) == 2


def test_undoing_an_import_moves_its_new_leads_to_the_recycle_bin(api):
    job = run(api, upload(api, LEADS_CSV, "sales.lead")["id"])
    assert len(live_leads()) == 2
    assert api.post(f"/api/v1/imports/jobs/{job['id']}/undo").status_code == 200
    assert live_leads() == []
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 2  # in the bin


def test_products_dedupe_on_code_and_an_undo_deletes_what_was_created(api):
    db.session.add(Product(code="P-1", name="Old name", unit_price=Decimal("5.00"), currency="CNY"))
    db.session.commit()
    rows = (
        "产品编码,产品名称,单价,启用\n"
        "P-1,工业水泵,1200.5,是\n"
        "P-2,过滤器,88,否\n"
        "P-3,阀门,-3,是\n"
        "P-4,,10,maybe\n"
    )
    job = upload(api, rows, "sales.product")
    assert job["mapping"] == {
        "产品编码": "code",
        "产品名称": "name",
        "单价": "unit_price",
        "启用": "active",
    }
    done = run(api, job["id"], on_duplicate="update")
    assert (done["created"], done["updated"], done["failed"]) == (1, 1, 2)
    db.session.expire_all()
    found = {p.code: (p.name, p.unit_price, p.active) for p in db.session.scalars(select(Product))}
    assert found == {
        "P-1": ("工业水泵", Decimal("1200.50"), True),
        "P-2": ("过滤器", Decimal("88.00"), False),
    }
    lines = api.get(f"/api/v1/imports/jobs/{job['id']}/errors.csv").get_data(as_text=True)
    assert "unit_price:" in lines and "name:" in lines and "active:" in lines
    assert api.post(f"/api/v1/imports/jobs/{job['id']}/undo").status_code == 200
    db.session.expire_all()
    found = {p.code: (p.name, p.unit_price) for p in db.session.scalars(select(Product))}
    assert found == {"P-1": ("Old name", Decimal("5.00"))}


def test_a_user_without_the_plugins_permission_cannot_pick_its_targets(make_user, as_user):
    db.session.add(
        Role(
            name="importer",
            permissions=["customer.read", "customer.write", "customer.import", "sales.lead.write"],
            scope=DataScope.all,
        )
    )
    db.session.commit()
    api = as_user(make_user(role="importer"))
    targets = [t["name"] for t in api.get("/api/v1/imports/targets").json]
    assert "sales.lead" in targets and "sales.product" not in targets
    refused = api.post(
        "/api/v1/imports/jobs",
        data={
            "file": (io.BytesIO(b"code,name,unit_price\nX,Y,1\n"), "p.csv"),
            "target": "sales.product",
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403
