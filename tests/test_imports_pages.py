"""Customers → Import in the browser's terms: upload a GBK CSV, map its
columns, preview its errors and duplicates, start it, follow the progress
(which reloads itself every 2 s while the import runs), download the
error file and undo — in both locales."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from core.api import db
from core.models import Customer, ImportJob


def _csrf(page: str) -> str:
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


ROWS = (
    "客户名称,手机,邮箱\n"
    "华东电子,13800138070,hd@dz.cn\n"
    "坏号码,123,\n"
    "华东电子,13800138070,\n"
    "老客户,13800138071,new@old.cn\n"
)


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_upload_map_preview_run_and_undo_from_the_pages(make_user, make_customer, login_as, locale):
    client = login_as(make_user(role="admin", locale=locale, email="a@example.com"))
    old = make_customer(name="老客户", phones=["13800138071"])
    index = client.get("/imports/")
    assert index.status_code == 200
    text = index.get_data(as_text=True)
    assert 'href="/imports/"' in text  # the menu's entry
    uploaded = client.post(
        "/imports/",
        data={
            "csrf_token": _csrf(text),
            "target": "customers",
            "file": (io.BytesIO(ROWS.encode("gbk")), "客户.csv"),
        },
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)
    job_url = uploaded.headers["Location"]
    form = client.get(job_url).get_data(as_text=True)
    assert '<option value="name" selected>' in form and '<option value="phones" selected>' in form
    mapped = client.post(
        job_url,
        data={
            "csrf_token": _csrf(form),
            "map-0": "name",
            "map-1": "phones",
            "map-2": "emails",
            "on_duplicate": "skip",
            "save_as": "客户表",
        },
    )
    assert mapped.status_code == 302
    preview = client.get(mapped.headers["Location"]).get_data(as_text=True)
    assert 'data-line="3"' in preview and "phones:" in preview
    assert ("repeats line 2" if locale == "en" else "2") in preview
    assert db.session.scalar(select(Customer).where(Customer.name == "华东电子")) is None
    assert 'name="line-5"' in preview  # the one row matching a customer: its own action
    started = client.post(f"{job_url}/run", data={"csrf_token": _csrf(preview), "line-5": "update"})
    assert started.status_code == 302
    done = client.get(job_url).get_data(as_text=True)
    assert 'data-count="created">1<' in done and 'data-count="failed">1<' in done
    assert 'data-count="updated">1<' in done and 'data-count="skipped">1<' in done
    db.session.expire_all()
    assert old.emails == ["new@old.cn"]
    assert 'hx-trigger="every 2s"' not in done  # finished: no more polling
    errors = client.get(f"{job_url}/errors.csv")
    assert errors.status_code == 200 and "坏号码" in errors.get_data(as_text=True)
    undone = client.post(f"{job_url}/undo", data={"csrf_token": _csrf(done)})
    assert undone.status_code == 302
    db.session.expire_all()
    customer = db.session.scalar(select(Customer).where(Customer.name == "华东电子"))
    assert customer.deleted_at is not None and old.emails == []


def test_the_progress_reloads_every_two_seconds_while_the_import_runs(make_user, login_as):
    admin = make_user(role="admin")
    job = ImportJob(
        target="customers",
        filename="big.csv",
        stored_name="import-none.csv",
        file_kind="csv",
        size=10,
        columns=["name"],
        total_rows=1000,
        mapping={"name": "name"},
        status="running",
        processed=500,
        created=480,
        failed=20,
        created_by_id=admin.id,
    )
    db.session.add(job)
    db.session.commit()
    client = login_as(admin)
    panel = client.get(f"/imports/{job.id}/progress").get_data(as_text=True)
    assert 'hx-trigger="every 2s"' in panel and 'value="500"' in panel
    assert 'data-count="created">480<' in panel


def test_another_users_import_page_is_404(make_user, login_as):
    owner = make_user(role="manager")
    job = ImportJob(
        target="customers",
        filename="mine.csv",
        stored_name="import-none.csv",
        file_kind="csv",
        size=10,
        columns=["name"],
        total_rows=1,
        mapping={},
        status="uploaded",
        created_by_id=owner.id,
    )
    db.session.add(job)
    db.session.commit()
    other = make_user(role="manager")
    assert login_as(other).get(f"/imports/{job.id}").status_code == 404
