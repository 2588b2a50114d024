"""An attachment's ``kind``: what a file is to its record (a claim's
invoice, a policy's recorded sale). The owning plugin says which kinds its
record takes (``kinds``); core refuses any other with a 422 naming ``kind``
and stores nothing, lists a record's files by kind, says which required
kinds a record still lacks, shows the kind in the API, and audits every
download on the record.

The throw-away plugin ``probe`` of ``test_attachments`` owns ``probe_record``."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_attachments import (
    ALLOWED,
    LINK,
    PDF,
    PNG,
    count,
    files,
    probe,  # noqa: F401  (the fixture)
    signed_in,
    stored_files,
)

from core.api import (
    Attachment,
    ValidationError,
    attach,
    attachments_of,
    check_attachment_kind,
    db,
    missing_attachment_kinds,
)
from core.models import AuditEntry

KINDS = ("invoice", "photo", "claim_form")


def test_a_file_keeps_its_kind_and_a_record_lists_its_files_by_kind(probe, make_user):
    rep = make_user(role="sales")
    [invoice] = attach(LINK, 7, None, files(("inv.pdf", PDF)), rep, kind="invoice", kinds=KINDS)
    photos = attach(
        LINK, 7, None, files(("a.png", PNG), ("b.png", PNG)), rep, kind="photo", kinds=KINDS
    )
    [loose] = attach(LINK, 7, None, files(("x.pdf", PDF)), rep)  # no kind: a plain attachment
    attach(LINK, 8, None, files(("other.pdf", PDF)), rep, kind="invoice", kinds=KINDS)
    db.session.expire_all()
    assert db.session.get(Attachment, invoice.id).kind == "invoice"
    assert loose.kind is None
    assert [a.id for a in attachments_of(LINK, 7, "invoice")] == [invoice.id]
    assert [a.id for a in attachments_of(LINK, 7, kind="photo")] == [p.id for p in photos]
    assert [a.id for a in attachments_of(LINK, 7)] == [
        invoice.id,
        *[p.id for p in photos],
        loose.id,
    ]
    assert attachments_of(LINK, 7, "claim_form") == []


@pytest.mark.parametrize(
    "kind, kinds, message",
    [
        ("passport", KINDS, "invoice, photo, claim_form"),  # not one the record takes
        (None, KINDS, "Choose what the file is"),  # the record asks for one
        ("  ", KINDS, "Choose what the file is"),
        ("k" * 41, None, "40"),  # any short name, when the plugin names no list
    ],
)
def test_a_bad_kind_is_a_422_naming_kind_and_stores_nothing(probe, make_user, kind, kinds, message):
    rep = make_user(role="sales")
    with pytest.raises(ValidationError) as refused:
        attach(LINK, 7, None, files(("inv.pdf", PDF)), rep, kind=kind, kinds=kinds)
    assert list(refused.value.errors) == ["kind"]
    assert message in " ".join(refused.value.errors["kind"])
    db.session.rollback()
    assert count() == 0 and stored_files() == []


def test_the_kind_is_trimmed_and_free_without_a_list():
    assert check_attachment_kind(" invoice ", KINDS) == "invoice"
    assert check_attachment_kind("scan") == "scan"
    assert check_attachment_kind("") is None and check_attachment_kind(None) is None


def test_missing_kinds_are_the_required_ones_the_record_lacks_in_order(probe, make_user):
    rep = make_user(role="sales")
    required = ["claim_form", "invoice", "photo"]
    assert missing_attachment_kinds(LINK, 7, required) == required
    attach(LINK, 7, None, files(("inv.pdf", PDF)), rep, kind="invoice", kinds=KINDS)
    attach(LINK, 8, None, files(("form.pdf", PDF)), rep, kind="claim_form", kinds=KINDS)
    assert missing_attachment_kinds(LINK, 7, required) == ["claim_form", "photo"]
    attach(LINK, 7, None, files(("f.pdf", PDF), ("p.png", PNG)), rep, kind="claim_form")
    assert missing_attachment_kinds(LINK, 7, required) == ["photo"]
    assert missing_attachment_kinds(LINK, 7, []) == []


def test_the_download_shows_nothing_new_but_is_audited_on_the_record(probe, make_user):
    rep = make_user(role="sales")
    ALLOWED.add(rep.id)
    [row] = attach(LINK, 7, None, files(("inv.pdf", PDF)), rep, kind="invoice", kinds=KINDS)
    client = signed_in(probe, rep)
    assert client.get(f"/attachments/{row.id}").status_code == 200
    assert client.get(f"/api/v1/attachments/{row.id}").data == PDF
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == LINK, AuditEntry.action == "download")
    ).all()
    assert [(e.entity_id, e.user_id) for e in entries] == [(7, rep.id), (7, rep.id)]
    assert entries[0].after == {"attachment_id": row.id, "filename": "inv.pdf", "kind": "invoice"}


def test_who_may_not_open_the_record_leaves_no_download_in_the_audit(probe, make_user):
    rep, other = make_user(role="sales"), make_user(role="sales")
    ALLOWED.add(rep.id)
    [row] = attach(LINK, 7, None, files(("inv.pdf", PDF)), rep, kind="invoice")
    assert signed_in(probe, other).get(f"/attachments/{row.id}").status_code == 404
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "download")) is None


def test_the_api_schema_carries_the_kind(probe, make_user):
    from core.api import AttachmentOut

    rep = make_user(role="sales")
    [row] = attach(LINK, 7, None, files(("inv.pdf", PDF)), rep, kind="invoice", kinds=KINDS)
    with probe.test_request_context():
        dumped = AttachmentOut().dump(row)
    assert dumped["kind"] == "invoice" and dumped["filename"] == "inv.pdf"
