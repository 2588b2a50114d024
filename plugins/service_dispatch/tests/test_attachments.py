"""Photos and documents on a work order: the type decided by the content,
10 MB and 10 files at most, downloads only for those who may see the order,
and gone with the customer's purge."""

import io
import re
import stat
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from core.api import db, sniff_file
from plugins.service_dispatch.models import Attachment
from plugins.service_dispatch.services import attachments

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x01" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x02" * 40
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x03" * 40


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attachment))


def stored_files() -> list[Path]:
    folder = Path(current_app.instance_path) / "uploads" / "service_dispatch"
    return sorted(folder.iterdir()) if folder.exists() else []


def files(*parts):
    return {"file": [(io.BytesIO(data), name) for name, data in parts]}


def storages(*parts) -> list[FileStorage]:
    return [FileStorage(io.BytesIO(data), filename=name) for name, data in parts]


@pytest.mark.parametrize(
    "head, kind",
    [
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "image/heic"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00", "image/heic"),
        (PDF, "application/pdf"),
        (b"GIF89a\x01\x00", None),
        (b"<html><script>", None),
        (b"\x00\x00\x00\x18ftypmp42", None),
        (b"PK\x03\x04", None),
        (b"", None),
    ],
)
def test_the_type_is_read_from_the_first_bytes(head, kind):
    assert sniff_file(head[:16]) == kind


def test_an_engineer_takes_a_photo_on_the_order_page_and_downloads_it(
    make_engineer, make_order, login_as
):
    engineer = make_engineer()
    order = make_order("accepted", engineer)
    client = login_as(engineer)
    page = client.get(f"/service/work-orders/{order.id}")
    assert 'capture="environment"' in page.text and 'accept="image/*"' in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    sent = client.post(
        f"/service/work-orders/{order.id}/attachments",
        data={"csrf_token": csrf, **files(("broken valve.jpg", JPEG))},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    row = db.session.scalar(select(Attachment))
    assert (row.work_order_id, row.filename, row.content_type, row.size, row.uploaded_by_id) == (
        order.id,
        "broken valve.jpg",
        "image/jpeg",
        len(JPEG),
        engineer.id,
    )
    assert [p.read_bytes() for p in stored_files()] == [JPEG]
    # only the server's own user may read the files and their folders
    uploads = Path(current_app.instance_path) / "uploads"
    assert [stat.S_IMODE(p.stat().st_mode) for p in stored_files()] == [0o600]
    assert stat.S_IMODE(uploads.stat().st_mode) == 0o700
    assert stat.S_IMODE((uploads / "service_dispatch").stat().st_mode) == 0o700
    assert "broken valve.jpg" in client.get(f"/service/work-orders/{order.id}").text
    got = client.get(f"/service/work-orders/{order.id}/attachments/{row.id}")
    assert got.status_code == 200 and got.data == JPEG
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert "broken" in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.mimetype == "image/jpeg"


def test_the_api_lists_uploads_and_downloads(dispatcher, make_order, as_user):
    order = make_order()
    api = as_user(dispatcher)
    sent = api.post(
        f"/api/v1/service/work-orders/{order.id}/attachments",
        data=files(("a.png", PNG), ("report.pdf", PDF)),
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201, sent.json
    assert [(a["filename"], a["content_type"], a["size"]) for a in sent.json] == [
        ("a.png", "image/png", len(PNG)),
        ("report.pdf", "application/pdf", len(PDF)),
    ]
    listed = api.get(f"/api/v1/service/work-orders/{order.id}/attachments").json
    assert [a["id"] for a in listed] == [a["id"] for a in sent.json]
    got = api.get(listed[1]["url"])
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Disposition"].startswith("attachment;")


def test_a_disguised_or_empty_file_is_refused_and_nothing_is_kept(dispatcher, make_order, as_user):
    order = make_order()
    api = as_user(dispatcher)
    url = f"/api/v1/service/work-orders/{order.id}/attachments"
    answer = api.post(
        url,
        data=files(("ok.png", PNG), ("photo.jpg", b"<script>alert(1)</script>")),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422 and "photo.jpg" in " ".join(answer.json["errors"]["file"])
    none = api.post(url, data={}, content_type="multipart/form-data")
    assert none.status_code == 422 and "file" in none.json["errors"]
    assert count() == 0 and stored_files() == []


def test_a_purge_that_fails_keeps_the_rows_and_the_files(make_user, make_order, as_user):
    """The purge's commit fails after this plugin deleted its rows: the whole
    purge is rolled back, and the files are still there for the rows."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    def disk_full(_session):
        raise RuntimeError("disk full")

    admin = make_user(role="admin")
    order = make_order()
    attachments.add_attachments(order, storages(("x.png", PNG)), admin)
    api = as_user(admin)
    assert api.delete(f"/api/v1/customers/{order.customer_id}").status_code == 204
    event.listen(Session, "before_commit", disk_full)
    try:
        assert api.delete(f"/api/v1/recycle-bin/{order.customer_id}").status_code == 500
    finally:
        event.remove(Session, "before_commit", disk_full)
    db.session.expire_all()
    assert count() == 1 and len(stored_files()) == 1


def test_a_file_over_10_mb_is_refused(dispatcher, make_order, as_user):
    order = make_order()
    big = PNG + b"\x00" * (10 * 1024 * 1024 + 1 - len(PNG))
    answer = as_user(dispatcher).post(
        f"/api/v1/service/work-orders/{order.id}/attachments",
        data=files(("huge.png", big)),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422 and "10 MB" in answer.json["errors"]["file"][0]
    assert count() == 0 and stored_files() == []


def test_an_order_holds_at_most_ten_files(dispatcher, make_order, as_user):
    order = make_order()
    api = as_user(dispatcher)
    url = f"/api/v1/service/work-orders/{order.id}/attachments"
    ten = api.post(
        url,
        data=files(*[(f"p{i}.png", PNG) for i in range(10)]),
        content_type="multipart/form-data",
    )
    assert ten.status_code == 201 and len(ten.json) == 10
    one_more = api.post(url, data=files(("p10.png", PNG)), content_type="multipart/form-data")
    assert one_more.status_code == 409 and "file" in one_more.json["errors"]  # the order is full
    assert count() == 10 and len(stored_files()) == 10


def test_files_of_an_order_out_of_scope_are_a_404(make_engineer, make_order, login_as, as_user):
    mine, other = make_engineer(), make_engineer()
    order = make_order("accepted", mine)
    row = attachments.add_attachments(order, storages(("x.png", PNG)), mine)[0]
    base = f"/service/work-orders/{order.id}/attachments"
    api = as_user(other)
    assert api.get(f"/api/v1{base}").status_code == 404
    assert api.get(f"/api/v1{base}/{row.id}").status_code == 404
    assert (
        api.post(
            f"/api/v1{base}", data=files(("y.png", PNG)), content_type="multipart/form-data"
        ).status_code
        == 404
    )
    assert login_as(other).get(f"{base}/{row.id}").status_code == 404
    assert count() == 1


def test_an_attachment_of_another_order_is_not_served_through_this_one(
    dispatcher, make_order, as_user
):
    first, second = make_order(), make_order()
    row = attachments.add_attachments(first, storages(("x.png", PNG)), dispatcher)[0]
    api = as_user(dispatcher)
    assert (
        api.get(f"/api/v1/service/work-orders/{second.id}/attachments/{row.id}").status_code == 404
    )


def test_purging_the_customer_deletes_the_rows_and_the_files(make_user, make_order, as_user):
    admin = make_user(role="admin")
    order = make_order()
    attachments.add_attachments(order, storages(("x.png", PNG), ("y.pdf", PDF)), admin)
    assert len(stored_files()) == 2
    api = as_user(admin)
    assert api.delete(f"/api/v1/customers/{order.customer_id}").status_code == 204
    assert api.delete(f"/api/v1/recycle-bin/{order.customer_id}").status_code == 204
    assert count() == 0 and stored_files() == []


def test_a_name_with_a_line_break_is_cleaned_and_still_downloads(dispatcher, make_order, as_user):
    order = make_order()
    [stored] = attachments.add_attachments(
        order, storages(("a\r\nSet-Cookie: x.png", PNG)), dispatcher
    )
    assert stored.filename == "aSet-Cookie: x.png"
    listed = as_user(dispatcher).get(f"/api/v1/service/work-orders/{order.id}/attachments").json
    got = as_user(dispatcher).get(listed[0]["url"])
    assert got.status_code == 200 and got.data == PNG
    assert "aSet-Cookie" in got.headers["Content-Disposition"]


def test_a_deleted_customers_orders_and_files_are_hidden_until_it_is_restored(
    make_user, dispatcher, make_order, as_user, login_as
):
    """The recycle bin hides the customer's work orders everywhere — the
    list, the page, the order itself and its files — and a restore brings
    them back."""
    admin = make_user(role="admin")
    order, other = make_order(), make_order()
    row = attachments.add_attachments(order, storages(("x.png", PNG)), dispatcher)[0]
    api, web = as_user(dispatcher), login_as(dispatcher)
    base = f"/service/work-orders/{order.id}"

    def seen() -> tuple:
        listed = [o["id"] for o in api.get("/api/v1/service/work-orders").json["items"]]
        return (
            order.id in listed,
            other.id in listed,
            order.number in web.get("/service/work-orders").text,
            api.get(f"/api/v1{base}").status_code,
            api.get(f"/api/v1{base}/attachments/{row.id}").status_code,
            web.get(f"{base}/attachments/{row.id}").status_code,
            web.get(base).status_code,
        )

    assert seen() == (True, True, True, 200, 200, 200, 200)
    assert as_user(admin).delete(f"/api/v1/customers/{order.customer_id}").status_code == 204
    assert seen() == (False, True, False, 404, 404, 404, 404)
    restored = as_user(admin).post(f"/api/v1/customers/{order.customer_id}/restore")
    assert restored.status_code == 200
    assert seen() == (True, True, True, 200, 200, 200, 200)


def test_the_name_takes_the_extension_of_the_type_the_bytes_prove(dispatcher, make_order, as_user):
    """A PNG named ``.html`` is kept and sent back as ``.png``: the browser
    that downloads it never sees a page to render."""
    order = make_order()
    api = as_user(dispatcher)
    sent = api.post(
        f"/api/v1/service/work-orders/{order.id}/attachments",
        data=files(
            ("x.html", PNG),
            ("scan", PDF),
            ("Photo.JPEG", JPEG),
            ("a.jpg.svg", JPEG),
            (".htaccess", PNG),
        ),
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201, sent.json
    assert [(a["filename"], a["content_type"]) for a in sent.json] == [
        ("x.png", "image/png"),
        ("scan.pdf", "application/pdf"),
        ("Photo.JPEG", "image/jpeg"),
        ("a.jpg.jpg", "image/jpeg"),
        (".htaccess.png", "image/png"),
    ]
    assert sorted(p.suffix for p in stored_files()) == [".jpg", ".jpg", ".pdf", ".png", ".png"]
    got = api.get(sent.json[0]["url"])
    assert got.status_code == 200 and got.data == PNG and got.mimetype == "image/png"
    assert got.headers["Content-Disposition"] == "attachment; filename=x.png"
    assert got.headers["X-Content-Type-Options"] == "nosniff"


def test_an_older_file_stored_under_a_misleading_name_downloads_under_its_type(
    dispatcher, make_order, as_user
):
    order = make_order()
    [row] = attachments.add_attachments(order, storages(("x.png", PNG)), dispatcher)
    row.filename = "page.html"  # as stored before names followed the type
    db.session.commit()
    got = as_user(dispatcher).get(f"/api/v1/service/work-orders/{order.id}/attachments/{row.id}")
    assert got.status_code == 200 and got.headers["Content-Disposition"] == (
        "attachment; filename=page.png"
    )
