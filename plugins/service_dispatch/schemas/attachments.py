"""An order's attachment as the API shows it (with its download URL)."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields


class WorkOrderAttachmentOut(Schema):
    id = fields.Integer()
    work_order_id = fields.Integer()
    filename = fields.String(
        metadata={"description": "the sender's name, with the extension of the type"}
    )
    content_type = fields.String(metadata={"description": "decided from the file's content"})
    size = fields.Integer(metadata={"description": "bytes"})
    uploaded_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    url = fields.Function(
        lambda a: url_for(
            "api_service_dispatch.download_attachment_api",
            order_id=a.work_order_id,
            attachment_id=a.id,
        ),
        dump_only=True,
    )
