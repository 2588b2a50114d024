"""Attachments (附件): files on any plugin's record — a contract's signed
scan, a claim's documents, a visit's reports — kept once, in core.

- :mod:`~core.attachments.files`: the checks before anything is stored —
  the type read from the first bytes, the name following the type, the size
  and count limits (parameters, so each record chooses)
- :mod:`~core.attachments.storage`: the bytes on disk under the instance
  folder's ``uploads/``, following the transaction (removed on a rollback,
  deleted only after the commit that deletes their rows), the download response
- :mod:`~core.attachments.records`: :func:`attach`, :func:`attachments_of`,
  :func:`remove_attachment`, a file's ``kind`` (:func:`check_kind`, the
  plugin's list; :func:`missing_kinds` for a guard), who may download (the
  owning plugin's ``trellis_timeline_links``; every download audited),
  merge and purge with the customer
- :mod:`~core.attachments.schemas`: ``AttachmentOut`` and the
  ``AttachmentList`` field of a record's API detail
- :mod:`~core.attachments.samples`: a stand-in PDF for demo data

The download routes are core's: the page ``/attachments/<id>``
(:mod:`core.web.attachments`) and ``GET /api/v1/attachments/<id>``
(:mod:`core.rest.attachments`). The list and the upload form are the macro
``attachment_panel`` of ``core/_attachments.html``; the upload and delete
routes are the plugin's, behind its own permission and scope. Plugins use
all of it through ``core.api``.
"""

from core.attachments.files import (
    EXTENSIONS,
    IMAGE_TYPES,
    MAX_BYTES,
    MAX_FILES,
    Upload,
    accepted_types,
    check,
    chosen,
    named,
    sniff,
)
from core.attachments.records import (
    KIND_LENGTH,
    attach,
    attachment_of,
    attachments_of,
    check_kind,
    download,
    may_download,
    missing_kinds,
    purge_attachments,
    remove_attachment,
    repoint_attachments,
)
from core.attachments.samples import sample_file, sample_pdf
from core.attachments.schemas import AttachmentList, AttachmentOut
from core.attachments.storage import folder as upload_folder
from core.attachments.storage import remove_after_commit, remove_files, send_stored, write

__all__ = [
    "EXTENSIONS",
    "IMAGE_TYPES",
    "KIND_LENGTH",
    "MAX_BYTES",
    "MAX_FILES",
    "AttachmentList",
    "AttachmentOut",
    "Upload",
    "accepted_types",
    "attach",
    "attachment_of",
    "attachments_of",
    "check",
    "check_kind",
    "chosen",
    "download",
    "may_download",
    "missing_kinds",
    "named",
    "purge_attachments",
    "remove_after_commit",
    "remove_attachment",
    "remove_files",
    "repoint_attachments",
    "sample_file",
    "sample_pdf",
    "send_stored",
    "sniff",
    "upload_folder",
    "write",
]
