"""A contract's attachments (the signed scan, annexes): uploaded through the
API and the contract page by who may edit the contract, in any status; listed
in the contract's API detail and on its page; downloaded by who may see the
contract; a 404 for a rep of another team, whatever the route."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from core.api import Attachment, db, utcnow
from plugins.sales.services.contracts import lifecycle
from plugins.sales.services.contracts.approvals import submit_contract

from .test_contracts import contact, customer, make_contract, people  # noqa: F401  (fixtures)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x01" * 40
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x03" * 40


def files(*parts) -> dict:
    return {"file": [(io.BytesIO(data), name) for name, data in parts]}


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attachment))


def stored_files() -> list[Path]:
    folder = Path(current_app.instance_path) / "uploads" / "core"
    return sorted(folder.iterdir()) if folder.exists() else []


def csrf(client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None, path
    return found.group(1)


@pytest.fixture
def signed(people, make_contract, contact):  # noqa: F811
    """A signed contract of the rep's: the scan arrives after the signing."""
    contract = make_contract(contact_id=contact.id)
    submit_contract(contract, people["rep"])
    lifecycle.sign(contract, {"signed_date": "2030-01-02", "contact_id": contact.id}, people["rep"])
    return contract


def test_the_rep_uploads_the_signed_scan_and_the_detail_lists_it(people, signed, as_user):
    api = as_user(people["rep"])
    sent = api.post(
        f"/api/v1/sales/contracts/{signed.id}/attachments",
        data=files(("signed scan", PDF), ("annex.png", PNG)),
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201, sent.json
    assert [f["filename"] for f in sent.json] == ["signed scan.pdf", "annex.png"]
    detail = api.get(f"/api/v1/sales/contracts/{signed.id}").json
    listed = [
        {k: f[k] for k in ("id", "filename", "content_type", "size")} for f in detail["attachments"]
    ]
    assert listed == [
        {
            "id": sent.json[0]["id"],
            "filename": "signed scan.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
        },
        {
            "id": sent.json[1]["id"],
            "filename": "annex.png",
            "content_type": "image/png",
            "size": len(PNG),
        },
    ]
    download = api.get(detail["attachments"][0]["url"])
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    rows = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert {(r.link_type, r.link_id, r.customer_id) for r in rows} == {
        ("sales_contract", signed.id, signed.customer_id)
    }


def test_a_draft_takes_files_too(people, make_contract, as_user):  # noqa: F811
    draft = make_contract()
    answer = as_user(people["rep"]).post(
        f"/api/v1/sales/contracts/{draft.id}/attachments",
        data=files(("quote.pdf", PDF)),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 201 and draft.status == "draft"


@pytest.mark.parametrize(
    "parts, named",
    [
        ((("scan.pdf", PDF), ("evil.pdf", b"<html><script>alert(1)</script>")), "evil.pdf"),
        ((("scan.pdf", PDF), ("empty.pdf", b"")), "empty.pdf"),
        ((("scan.pdf", PDF), ("huge.pdf", b"%PDF-" + b"\x00" * (10 * 1024 * 1024))), "huge.pdf"),
        ((), "Choose a file"),
    ],
)
def test_a_bad_file_is_a_422_naming_file_and_stores_nothing(people, signed, as_user, parts, named):
    answer = as_user(people["rep"]).post(
        f"/api/v1/sales/contracts/{signed.id}/attachments",
        data=files(*parts),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert named in " ".join(answer.json["errors"]["file"])
    assert count() == 0 and stored_files() == []


def test_a_rep_of_another_team_gets_404_everywhere(people, signed, as_user, login_as):
    rep = as_user(people["rep"])
    [row] = rep.post(
        f"/api/v1/sales/contracts/{signed.id}/attachments",
        data=files(("scan.pdf", PDF)),
        content_type="multipart/form-data",
    ).json
    other = as_user(people["other"])
    assert other.get(f"/api/v1/attachments/{row['id']}").status_code == 404
    assert other.get(f"/api/v1/sales/contracts/{signed.id}").status_code == 404
    more = other.post(
        f"/api/v1/sales/contracts/{signed.id}/attachments",
        data=files(("mine.pdf", PDF)),
        content_type="multipart/form-data",
    )
    assert more.status_code == 404
    gone = other.delete(f"/api/v1/sales/contracts/{signed.id}/attachments/{row['id']}")
    assert gone.status_code == 404
    page = login_as(people["other"]).get(f"/attachments/{row['id']}")
    assert page.status_code == 404 and PDF not in page.data
    assert count() == 1 and len(stored_files()) == 1


def test_who_may_only_read_downloads_but_cannot_add_or_remove(
    people, signed, as_user, make_user, login_as
):
    [row] = (
        as_user(people["rep"])
        .post(
            f"/api/v1/sales/contracts/{signed.id}/attachments",
            data=files(("scan.pdf", PDF)),
            content_type="multipart/form-data",
        )
        .json
    )
    finance = make_user(role="finance")
    reader = as_user(finance)
    assert reader.get(f"/api/v1/attachments/{row['id']}").data == PDF
    refused = reader.post(
        f"/api/v1/sales/contracts/{signed.id}/attachments",
        data=files(("mine.pdf", PDF)),
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403
    assert (
        reader.delete(f"/api/v1/sales/contracts/{signed.id}/attachments/{row['id']}").status_code
        == 403
    )
    page = login_as(finance).get(f"/sales/contracts/{signed.id}")
    assert "scan.pdf" in page.text and f"/attachments/{row['id']}" in page.text
    assert 'type="file"' not in page.text and "/delete" not in page.text
    assert count() == 1


def test_deleting_removes_the_row_and_the_file(people, signed, as_user):
    api = as_user(people["rep"])
    first, second = api.post(
        f"/api/v1/sales/contracts/{signed.id}/attachments",
        data=files(("a.pdf", PDF), ("b.png", PNG)),
        content_type="multipart/form-data",
    ).json
    url = f"/api/v1/sales/contracts/{signed.id}/attachments/{first['id']}"
    assert api.delete(url).status_code == 204
    assert api.delete(url).status_code == 404
    assert [
        f["id"] for f in api.get(f"/api/v1/sales/contracts/{signed.id}").json["attachments"]
    ] == [second["id"]]
    assert len(stored_files()) == 1 and api.get(first["url"]).status_code == 404


def test_a_file_of_another_contract_cannot_be_deleted_through_this_one(
    people,
    signed,
    make_contract,
    as_user,  # noqa: F811
):
    api = as_user(people["rep"])
    other_contract = make_contract(title="Another")
    [row] = api.post(
        f"/api/v1/sales/contracts/{signed.id}/attachments",
        data=files(("a.pdf", PDF)),
        content_type="multipart/form-data",
    ).json
    wrong = api.delete(f"/api/v1/sales/contracts/{other_contract.id}/attachments/{row['id']}")
    assert wrong.status_code == 404 and count() == 1


def test_a_deleted_contract_takes_no_files(people, signed, as_user):
    signed.deleted_at = utcnow()
    db.session.commit()
    answer = as_user(people["rep"]).post(
        f"/api/v1/sales/contracts/{signed.id}/attachments",
        data=files(("a.pdf", PDF)),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 404 and count() == 0 and stored_files() == []


def test_the_contract_page_uploads_lists_and_deletes(people, signed, login_as):
    client = login_as(people["rep"])
    path = f"/sales/contracts/{signed.id}"
    page = client.get(path)
    assert page.status_code == 200 and 'id="attachments"' in page.text
    assert 'type="file"' in page.text and 'name="file" multiple' in page.text
    sent = client.post(
        f"{path}/attachments",
        data={"csrf_token": csrf(client, path), **files(("signed.pdf", PDF))},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith("#attachments")
    row = db.session.scalar(select(Attachment))
    shown = client.get(path).text
    assert "signed.pdf" in shown and people["rep"].name in shown
    assert f"/attachments/{row.id}" in shown
    assert f"{path}/attachments/{row.id}/delete" in shown
    bad = client.post(
        f"{path}/attachments",
        data={"csrf_token": csrf(client, path), **files(("x.pdf", b"not a pdf"))},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "x.pdf" in bad.text and count() == 1
    deleted = client.post(
        f"{path}/attachments/{row.id}/delete", data={"csrf_token": csrf(client, path)}
    )
    assert deleted.status_code == 302 and count() == 0 and stored_files() == []
