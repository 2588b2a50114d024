"""Core's attachments kit: files checked by their content, stored under the
instance's ``uploads/core/`` with their rows in one transaction, downloaded
only by who may open their record (the owning plugin's
``trellis_timeline_links``; anyone else gets a 404), removed after the commit,
and kept with their customer through a merge and a purge.

A throw-away plugin ``probe`` owns the record type ``probe_record`` here: it
lets the users in ``ALLOWED`` open every record, and nobody else."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, inspect, select
from werkzeug.datastructures import FileStorage

from core.api import (
    Attachment,
    StateError,
    ValidationError,
    attach,
    attachments_of,
    check_files,
    db,
    file_named,
    remove_attachment,
    sniff_file,
    transaction,
)
from core.models import AuditEntry
from core.testing import plugin_module

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x01" * 40
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x03" * 40
LINK = "probe_record"
#: the ids of the users the probe plugin lets open its records
ALLOWED: set[int] = set()


def timeline_links(link_type, ids, user):
    if link_type != LINK:
        return None
    return {i: f"/probe/{i}" if user is not None and user.id in ALLOWED else None for i in ids}


@pytest.fixture
def probe(register_plugin):
    """An app with the probe plugin, owner of the ``probe_record`` type."""
    ALLOWED.clear()
    app = register_plugin(plugin_module("probe", trellis_timeline_links=timeline_links))
    app.extensions["trellis"].table_owners[LINK] = "probe"
    yield app
    ALLOWED.clear()


def files(*parts) -> list[FileStorage]:
    return [FileStorage(io.BytesIO(data), filename=name) for name, data in parts]


def stored_files() -> list[Path]:
    folder = Path(current_app.instance_path) / "uploads" / "core"
    return sorted(folder.iterdir()) if folder.exists() else []


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attachment))


def signed_in(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


# -- the checks ---------------------------------------------------------------


@pytest.mark.parametrize(
    "head, kind",
    [(PNG, "image/png"), (PDF, "application/pdf"), (b"<html><script>", None), (b"", None)],
)
def test_the_type_is_read_from_the_first_bytes(head, kind):
    assert sniff_file(head[:16]) == kind


@pytest.mark.parametrize(
    "name, kind, expected",
    [
        ("Scan.PDF", "application/pdf", "Scan.PDF"),
        ("page.html", "image/png", "page.png"),
        ("scan", "application/pdf", "scan.pdf"),
    ],
)
def test_the_name_follows_the_type(name, kind, expected):
    assert file_named(name, kind) == expected


def test_the_limits_are_the_callers():
    with pytest.raises(ValidationError) as big:
        check_files(files(("scan.pdf", PDF)), max_bytes=10)
    assert "scan.pdf" in big.value.errors["file"][0]
    with pytest.raises(StateError) as full:  # the record holds its maximum: a 409
        check_files(files(("scan.pdf", PDF)), already=2, max_files=2)
    assert list(full.value.errors) == ["file"]
    assert [u.content_type for u in check_files(files(("a.pdf", PDF)), max_files=1)] == [
        "application/pdf"
    ]


# -- attach -------------------------------------------------------------------


def test_attached_files_are_stored_private_with_their_rows_and_audited(
    probe, make_user, make_customer
):
    rep = make_user(role="sales", name="Rita Rep")
    customer = make_customer()
    rows = attach(LINK, 7, customer.id, files(("signed scan", PDF), ("photo.png", PNG)), rep)
    assert [(r.filename, r.content_type, r.size) for r in rows] == [
        ("signed scan.pdf", "application/pdf", len(PDF)),
        ("photo.png", "image/png", len(PNG)),
    ]
    assert [a.id for a in attachments_of(LINK, 7)] == [r.id for r in rows]
    assert attachments_of(LINK, 8) == []
    assert {r.customer_id for r in rows} == {customer.id} and rows[0].uploaded_by_id == rep.id
    on_disk = stored_files()
    assert sorted(p.name for p in on_disk) == sorted(r.stored_name for r in rows)
    assert {p.read_bytes() for p in on_disk} == {PDF, PNG}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in on_disk)
    audited = db.session.scalars(
        select(AuditEntry.entity_id).where(
            AuditEntry.entity == "attachment", AuditEntry.action == "create"
        )
    ).all()
    assert sorted(audited) == sorted(r.id for r in rows)
    from core.backup.uploads import files as backed_up

    assert {f"uploads/core/{r.stored_name}" for r in rows} <= set(backed_up())


@pytest.mark.parametrize(
    "parts, problem",
    [
        ((("ok.pdf", PDF), ("evil.pdf", b"<script>alert(1)</script>")), "evil.pdf"),
        ((("ok.pdf", PDF), ("empty.pdf", b"")), "empty.pdf"),
        ((("ok.pdf", PDF), ("huge.pdf", PDF + b"\x00" * 200)), "huge.pdf"),
        ((), "Choose a file"),
    ],
)
def test_a_bad_file_stores_nothing_of_the_batch(probe, make_user, parts, problem):
    rep = make_user(role="sales")
    with pytest.raises(ValidationError) as refused:
        attach(LINK, 7, None, files(*parts), rep, max_bytes=150)
    assert problem in " ".join(refused.value.errors["file"])
    db.session.rollback()
    assert count() == 0 and stored_files() == []


def test_a_transaction_that_fails_after_the_files_were_written_leaves_none(probe, make_user):
    rep = make_user(role="sales")
    with pytest.raises(RuntimeError), transaction():
        attach(LINK, 7, None, files(("a.pdf", PDF)), rep)
        assert len(stored_files()) == 1  # written, not yet committed
        raise RuntimeError("a later step of the same transaction fails")
    assert count() == 0 and stored_files() == []


# -- download -----------------------------------------------------------------


def test_who_may_open_the_record_downloads_through_the_page_and_the_api(probe, make_user):
    rep = make_user(role="sales")
    ALLOWED.add(rep.id)
    [row] = attach(LINK, 7, None, files(("page.html", PNG)), rep)
    client = signed_in(probe, rep)
    for url in (f"/attachments/{row.id}", f"/api/v1/attachments/{row.id}"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer.data == PNG and answer.mimetype == "image/png"
        assert answer.headers["Content-Disposition"].startswith("attachment;")
        assert "page.png" in answer.headers["Content-Disposition"]
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in answer.headers["Cache-Control"]


def test_who_may_not_open_the_record_gets_a_404_as_for_a_missing_file(probe, make_user):
    rep, other = make_user(role="sales"), make_user(role="sales")
    ALLOWED.add(rep.id)
    [row] = attach(LINK, 7, None, files(("a.pdf", PDF)), rep)
    [orphan] = attach("no_such_type", 1, None, files(("b.pdf", PDF)), rep)
    client = signed_in(probe, other)
    for url in (f"/attachments/{row.id}", f"/api/v1/attachments/{row.id}"):
        answer = client.get(url)
        assert answer.status_code == 404 and PDF not in answer.data, url
    mine = signed_in(probe, rep)
    assert mine.get(f"/attachments/{row.id + orphan.id + 1}").status_code == 404
    assert mine.get(f"/api/v1/attachments/{orphan.id}").status_code == 404  # no plugin owns it
    assert probe.test_client().get(f"/api/v1/attachments/{row.id}").status_code == 401


def test_a_file_whose_bytes_are_gone_is_a_404(probe, make_user):
    rep = make_user(role="sales")
    ALLOWED.add(rep.id)
    [row] = attach(LINK, 7, None, files(("a.pdf", PDF)), rep)
    stored_files()[0].unlink()
    assert signed_in(probe, rep).get(f"/attachments/{row.id}").status_code == 404


# -- remove, merge, purge -----------------------------------------------------


def test_removing_deletes_the_row_then_the_file_and_is_audited(probe, make_user):
    rep = make_user(role="sales")
    first, second = attach(LINK, 7, None, files(("a.pdf", PDF), ("b.png", PNG)), rep)
    with pytest.raises(RuntimeError), transaction():
        remove_attachment(first, rep)
        raise RuntimeError("rolled back: the file stays")
    assert count() == 2 and len(stored_files()) == 2
    first = db.session.get(Attachment, first.id)
    remove_attachment(first, rep)
    assert [a.id for a in attachments_of(LINK, 7)] == [second.id]
    assert [p.name for p in stored_files()] == [second.stored_name]
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.entity == "attachment", AuditEntry.action == "delete")
    )
    assert entry.entity_id == first.id and entry.before["filename"] == "a.pdf"


def test_a_merge_moves_the_files_to_the_survivor(probe, make_user, make_customer):
    from core.services.customers import merge_customers

    admin = make_user(role="admin")
    survivor, merged = make_customer(name="Acme"), make_customer(name="Acme Ltd")
    [row] = attach(LINK, 7, merged.id, files(("a.pdf", PDF)), admin)
    merge_customers(survivor, merged, admin)
    db.session.expire_all()
    assert db.session.get(Attachment, row.id).customer_id == survivor.id
    assert len(stored_files()) == 1


def test_a_purge_removes_the_customers_files_and_keeps_the_others(probe, make_user, make_customer):
    from core.services.customers import delete_customer, purge_customer

    admin = make_user(role="admin")
    gone, kept = make_customer(name="Gone"), make_customer(name="Kept")
    attach(LINK, 7, gone.id, files(("a.pdf", PDF), ("b.png", PNG)), admin)
    [other] = attach(LINK, 8, kept.id, files(("c.pdf", PDF)), admin)
    delete_customer(gone, admin)
    purge_customer(gone, admin)
    assert [a.id for a in db.session.scalars(select(Attachment))] == [other.id]
    assert [p.name for p in stored_files()] == [other.stored_name]


# -- the migration ------------------------------------------------------------


@pytest.fixture
def fresh(empty_database_url, tmp_path):
    """An app on an empty database, its context pushed."""
    from core import create_app

    app = create_app(
        {
            "TESTING": True,
            "TRELLIS_SECRET_KEY": "k",
            "TRELLIS_INSTANCE_PATH": str(tmp_path),
            "TRELLIS_DATABASE_URL": empty_database_url,
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_the_migration_upgrades_and_downgrades(fresh):
    from core import migrate as mig

    mig.upgrade()
    assert "attachment" in inspect(db.engine).get_table_names()
    indexes = {i["name"] for i in inspect(db.engine).get_indexes("attachment")}
    assert {"ix_attachment_link", "ix_attachment_customer_id"} <= indexes
    mig.downgrade("core", "c0de00000014")
    assert "attachment" not in inspect(db.engine).get_table_names()
    assert mig.status().current["core"] == "c0de00000014"
    mig.upgrade()
    assert "attachment" in inspect(db.engine).get_table_names()
