"""A policy's or a claim's documents: list, add, remove, and the guards
that read them.

Adding and removing need the permission that edits the record
(``insurance.policy.write``, ``insurance.claim.write``; the record itself
was found through the user's scope) and is allowed in every state: a
recording arrives before the bind, an invoice after the report. Every file
carries one of the record's kinds (:mod:`.kinds`); a bad one is a 422
naming ``kind``, and nothing is stored."""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.datastructures import FileStorage

from core.api import (
    Attachment,
    ForbiddenError,
    NotFoundError,
    User,
    attach,
    attachment_of,
    attachments_of,
    db,
    missing_attachment_kinds,
    remove_attachment,
    translator,
)

from ...models import Claim, InsuranceProduct, Policy
from .kinds import CLAIM_KIND_LABELS, claim_kinds, policy_kinds

_, _l = translator("insurance")

#: a record's files: scans of many pages, photos of the damage
MAX_FILES = 30
MAX_BYTES = 10 * 1024 * 1024
#: the claim state that waits for the documents
WAITING = "documents_pending"


def link_of(record: Claim | Policy) -> str:
    """The record's ``link_type``: its table."""
    return record.__tablename__


def may_edit(record: Claim | Policy, user: User | None) -> bool:
    """Whether ``user`` adds and removes the record's documents."""
    perm = "insurance.claim.write" if isinstance(record, Claim) else "insurance.policy.write"
    return user is not None and user.can(perm)


def documents_of(record: Claim | Policy, kind: str | None = None) -> list[Attachment]:
    """The record's documents, oldest first (of ``kind`` only, when given)."""
    return attachments_of(link_of(record), record.id, kind)


def add_documents(
    record: Claim | Policy, kind: str | None, files: Iterable[FileStorage | None], user: User | None
) -> list[Attachment]:
    """Attach ``files`` of ``kind`` to ``record``: all of them (audited), or
    — a 422 naming ``kind`` or ``file`` — none; 403 without the permission."""
    _check_edit(record, user)
    kinds = claim_kinds(record) if isinstance(record, Claim) else policy_kinds(record)
    return attach(
        link_of(record),
        record.id,
        record.customer_id,
        files,
        user,
        max_files=MAX_FILES,
        max_bytes=MAX_BYTES,
        kind=kind,
        kinds=kinds,
    )


def remove_document(record: Claim | Policy, attachment_id: int, user: User | None) -> None:
    """Remove one of the record's documents (a 404 if it is not one of them)."""
    _check_edit(record, user)
    row = attachment_of(link_of(record), record.id, attachment_id)
    if row is None:
        raise NotFoundError(
            _("%(what)s %(id)s not found", what=Attachment.__label__, id=attachment_id)
        )
    remove_attachment(row, user)


def _check_edit(record: Claim | Policy, user: User | None) -> None:
    if user is not None and not may_edit(record, user):
        raise ForbiddenError(_("You may not change this record's documents."))


def missing_claim_documents(claim: Claim) -> list[str]:
    """The kinds the claim's product asks for of which it holds no file."""
    asked = claim.policy.product.claim_documents or []
    return missing_attachment_kinds(link_of(claim), claim.id, asked)


def claim_documents_problem(claim: Claim, action: str) -> dict[str, list[str]]:
    """Submitting a claim that waits for documents needs one of every kind
    its product asks for; the refusal (``documents``) names the missing."""
    if action != "submit" or claim.status != WAITING:
        return {}
    missing = missing_claim_documents(claim)
    if not missing:
        return {}
    names = ", ".join(str(CLAIM_KIND_LABELS.get(kind, kind)) for kind in missing)
    return {"documents": [_("still missing: %(kinds)s", kinds=names)]}


def recorded_sale_problem(policy: Policy) -> dict[str, list[str]]:
    """A new-business quote of a product that requires the recording of the
    sale (双录) is bound only once a ``recorded_sale`` document is on it; a
    renewal term is exempt, as the sale was recorded once."""
    if policy.term_no > 1:
        return {}
    product = db.session.get(InsuranceProduct, policy.product_id)
    if product is None or not product.recorded_sale_required:
        return {}
    if missing_attachment_kinds(link_of(policy), policy.id, ["recorded_sale"]):
        return {"documents": [_("attach the recording of the sale before binding")]}
    return {}
