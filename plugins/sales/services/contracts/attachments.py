"""A contract's attachments (附件): the signed scan, annexes — core's
attachments kit (``core.api.attach``) on the record ``sales_contract``.

Who may see the contract may download its files (core asks the plugin's
``trellis_timeline_links``, as for the timeline); who may edit it —
``sales.contract.write`` on a contract they can see — adds and removes
them, in every status: a signed scan arrives after the signing, and a
contract waiting for approval may still take its annexes. A contract in
the recycle bin is out of reach like any of its pages (404).
"""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.datastructures import FileStorage

from core.api import (
    Attachment,
    NotFoundError,
    User,
    attach,
    attachment_of,
    attachments_of,
    remove_attachment,
    translator,
)

from ...models import Contract

_, _l = translator("sales")

LINK_TYPE = "sales_contract"
#: a contract's files: scans of many pages and annexes
MAX_FILES = 20
MAX_BYTES = 10 * 1024 * 1024


def may_attach(user: User | None) -> bool:
    """Who may edit contracts adds and removes their files (the contract
    itself is found through ``visible_contract``, the user's scope)."""
    return user is not None and user.can("sales.contract.write")


def contract_attachments(contract: Contract) -> list[Attachment]:
    """The contract's files, oldest first."""
    return attachments_of(LINK_TYPE, contract.id)


def add_contract_attachments(
    contract: Contract, files: Iterable[FileStorage | None], user: User | None
) -> list[Attachment]:
    """Attach ``files`` to ``contract``: all of them (audited), or — a 422
    naming ``file`` — none; at most :data:`MAX_FILES` a contract (409 when full)."""
    _live(contract)
    return attach(
        LINK_TYPE,
        contract.id,
        contract.customer_id,
        files,
        user,
        max_files=MAX_FILES,
        max_bytes=MAX_BYTES,
    )


def remove_contract_attachment(contract: Contract, attachment_id: int, user: User | None) -> None:
    """Remove one of the contract's files (a 404 if it is not one of them)."""
    _live(contract)
    row = attachment_of(LINK_TYPE, contract.id, attachment_id)
    if row is None:
        raise NotFoundError(
            _("%(what)s %(id)s not found", what=Attachment.__label__, id=attachment_id)
        )
    remove_attachment(row, user)


def _live(contract: Contract) -> None:
    if contract.deleted_at is not None:
        raise NotFoundError(_("%(what)s %(id)s not found", what=Contract.__label__, id=contract.id))
