"""An attachment as the JSON API shows it, and the field a plugin's schema
uses to list a record's attachments in its detail (``attachments``)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import Schema, fields

from core.attachments.records import attachments_of


class AttachmentOut(Schema):
    """A file on a record as the JSON API shows it: its name, type, size,
    who sent it and when, and ``url``, its download."""

    id = fields.Integer()
    filename = fields.String(
        metadata={"description": "the sender's name, with the extension of the type"}
    )
    content_type = fields.String(metadata={"description": "decided from the file's content"})
    size = fields.Integer(metadata={"description": "bytes"})
    kind = fields.String(
        allow_none=True,
        metadata={
            "description": "what the file is to its record (the record's plugin names the kinds)"
        },
    )
    uploaded_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    url = fields.Function(
        lambda a: url_for("api_attachments.download_attachment", attachment_id=a.id),
        dump_only=True,
        metadata={"description": "the download (GET /api/v1/attachments/{id})"},
    )


class AttachmentList(fields.List):
    """The attachments of the record being dumped, oldest first: declare
    ``attachments = AttachmentList("sales_contract")`` on a detail schema
    (``link_type`` is the record's table name)."""

    def __init__(self, link_type: str, **kwargs: Any) -> None:
        kwargs.setdefault("dump_only", True)
        super().__init__(fields.Nested(AttachmentOut), **kwargs)
        self.link_type = link_type

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return attachments_of(self.link_type, obj.id)
