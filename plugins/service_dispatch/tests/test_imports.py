"""Work orders imported through core's imports API (``/api/v1/imports``):
the customer found by name (and phone), a row naming no customer or an
ambiguous one refused by field, a duplicate skipped or updated, the import
undone, and the target kept from a user who may not open orders."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from core.api import DataScope, Role, db
from plugins.service_dispatch.models import WorkOrder

from .conftest import DISPATCHER

ROWS = (
    "客户,电话,主题,优先级,序列号\n"
    "华南贸易,,空调不制冷,紧急,SN-1\n"
    "北方机械,13900139001,电机异响,high,\n"
    "北方机械,,漏水,normal,\n"
    "无此公司,,漏水,,\n"
    "华南贸易,,空调不制冷,低,SN-1\n"
    "华南贸易,,门禁故障,someday,\n"
)


@pytest.fixture
def api(make_user, as_user):
    db.session.add(
        Role(name="desk", permissions=[*DISPATCHER, "customer.import"], scope=DataScope.all)
    )
    db.session.commit()
    return as_user(make_user(role="desk"))


@pytest.fixture
def customers(make_customer):
    return {
        "south": make_customer(name="华南贸易", phones=["13800138000"], address="广州天河路1号"),
        "north1": make_customer(name="北方机械", phones=["13900139001"]),
        "north2": make_customer(name="北方机械", phones=["13900139002"]),
    }


def upload(api, text: str) -> dict:
    made = api.post(
        "/api/v1/imports/jobs",
        data={
            "file": (io.BytesIO(text.encode("gb18030")), "orders.csv"),
            "target": "service_dispatch.work_order",
        },
        content_type="multipart/form-data",
    )
    assert made.status_code == 201, made.json
    return made.json


def run(api, job_id: int, **configure) -> dict:
    assert api.put(f"/api/v1/imports/jobs/{job_id}/mapping", json=configure).status_code == 200
    assert api.post(f"/api/v1/imports/jobs/{job_id}/run").status_code == 202
    return api.get(f"/api/v1/imports/jobs/{job_id}").json


def live_orders() -> list[WorkOrder]:
    db.session.expire_all()
    query = select(WorkOrder).where(WorkOrder.deleted_at.is_(None)).order_by(WorkOrder.id)
    return list(db.session.scalars(query))


def test_orders_find_their_customer_by_name_and_phone_and_bad_rows_name_the_field(api, customers):
    job = upload(api, ROWS)
    assert job["mapping"] == {
        "客户": "customer",
        "电话": "customer_phone",
        "主题": "title",
        "优先级": "priority",
        "序列号": "serial_number",
    }
    preview = api.get(f"/api/v1/imports/jobs/{job['id']}/preview").json
    errors = {row["line"]: list(row["errors"]) for row in preview["rows"] if row["errors"]}
    assert errors == {4: ["customer"], 5: ["customer"], 7: ["priority"]}
    assert next(r for r in preview["rows"] if r["line"] == 6)["repeats"] == 2
    done = run(api, job["id"], on_duplicate="skip")
    assert (done["created"], done["skipped"], done["failed"]) == (2, 1, 3)
    orders = live_orders()
    assert [(o.customer_id, o.title, o.priority) for o in orders] == [
        (customers["south"].id, "空调不制冷", "urgent"),
        (customers["north1"].id, "电机异响", "high"),
    ]
    assert orders[0].number.startswith("WO-") and orders[0].address == "广州天河路1号"
    assert orders[0].status == "new"


def test_a_duplicate_order_is_updated_and_undo_restores_then_removes(api, customers):
    first = run(api, upload(api, ROWS)["id"])
    assert first["created"] == 2
    change = "客户,主题,优先级,序列号,描述\n华南贸易,空调不制冷,低,SN-1,外机不转\n"
    job = upload(api, change)
    updated = run(api, job["id"], on_duplicate="update")
    assert (updated["updated"], updated["created"]) == (1, 0)
    order = live_orders()[0]
    assert (order.priority, order.description) == ("low", "外机不转")
    assert api.post(f"/api/v1/imports/jobs/{job['id']}/undo").status_code == 200
    order = live_orders()[0]
    assert (order.priority, order.description) == ("urgent", None)


def test_undo_moves_the_imported_orders_to_the_recycle_bin(api, customers):
    job = run(api, upload(api, ROWS)["id"])
    assert len(live_orders()) == 2
    assert api.post(f"/api/v1/imports/jobs/{job['id']}/undo").status_code == 200
    assert live_orders() == []


def test_a_user_who_may_not_open_orders_cannot_pick_the_target(make_user, as_user):
    db.session.add(
        Role(name="clerk", permissions=["customer.read", "customer.import"], scope=DataScope.all)
    )
    db.session.commit()
    api = as_user(make_user(role="clerk"))
    assert "service_dispatch.work_order" not in [
        t["name"] for t in api.get("/api/v1/imports/targets").json
    ]
    refused = api.post(
        "/api/v1/imports/jobs",
        data={
            "file": (io.BytesIO("客户,主题\n华南贸易,x\n".encode()), "o.csv"),
            "target": "service_dispatch.work_order",
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403
