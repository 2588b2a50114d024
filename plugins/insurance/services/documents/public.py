"""Documents a claimant sends from the claim's tracking page (no account):
proven by the tracking link's token, as the page itself is, and only while
the claim waits for documents — after that they go through the agent.

Each upload is one of the kinds the claim takes (its product's and
``other``), photos or PDFs checked by their content like every attachment,
stored with no uploader, audited, and noted on the policyholder's timeline
for the claim's agent, who would otherwise not know it arrived."""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.datastructures import FileStorage

from core.api import Attachment, StateError, attach, log_activity, transaction, translator

from ...models import Claim
from .kinds import claim_kinds, kind_labels
from .records import MAX_BYTES, MAX_FILES, documents_of, link_of

_, _l = translator("insurance")

#: the claim states in which the claimant may still send documents
OPEN_FOR_DOCUMENTS = ("reported", "documents_pending")


def add_claimant_documents(
    claim: Claim, kind: str | None, files: Iterable[FileStorage | None]
) -> list[Attachment]:
    """Attach ``files`` of ``kind`` to ``claim`` for its claimant: all of
    them and the timeline note, or — a 422 naming ``kind`` or ``file``, a
    409 once the claim no longer waits for documents — nothing."""
    if claim.status not in OPEN_FOR_DOCUMENTS:
        raise StateError(
            {
                "file": [
                    _("This claim takes no more documents here: please give them to your agent.")
                ]
            }
        )
    with transaction():
        rows = attach(
            link_of(claim),
            claim.id,
            claim.customer_id,
            files,
            None,
            max_files=MAX_FILES,
            max_bytes=MAX_BYTES,
            kind=kind,
            kinds=claim_kinds(claim),
        )
        chosen = rows[0].kind or ""
        label = kind_labels([chosen], claim)[chosen]
        log_activity(
            {
                "kind": "note",
                "subject": _(
                    "Claim %(number)s: the claimant sent %(kind)s", number=claim.number, kind=label
                )[:200],
                "body": ", ".join(row.filename for row in rows),
                "customer_id": claim.customer_id,
                "owner_id": claim.agent_id,
                "link_type": link_of(claim),
                "link_id": claim.id,
            },
            None,
        )
    return rows


def received_kinds(claim: Claim) -> list[str]:
    """The kinds (in words) of which the claim holds a file, in the order it
    takes them: what the tracking page confirms without naming the files."""
    held = {row.kind for row in documents_of(claim)}
    labels = kind_labels(claim_kinds(claim), claim)
    return [label for kind, label in labels.items() if kind in held]
