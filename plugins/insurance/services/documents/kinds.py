"""Which kinds of document each record takes, and their words.

A claim takes the kinds its product asks for (``product.claim_documents``,
chosen from the catalogue's ``CLAIM_DOCUMENT_KINDS``) and always ``other``,
so a paper the product did not foresee still has a place. A policy (a
quote too) takes the recording of the sale (双录), its proposal form
(投保单), a copy of an identity document and ``other``."""

from __future__ import annotations

from core.api import translator

from ...models import Claim, Policy

_, _l = translator("insurance")

#: the claim document kinds in words (``product.claim_documents``)
CLAIM_KIND_LABELS = {
    "recorded_sale": _l("Recording of the sale"),
    "application": _l("Application form"),
    "id_card": _l("Identity card"),
    "claim_form": _l("Claim form"),
    "invoice": _l("Invoices and receipts"),
    "medical": _l("Medical records"),
    "police_report": _l("Police report"),
    "photo": _l("Photos of the damage"),
    "other": _l("Other documents"),
}
#: the kinds a policy takes, in words
POLICY_KIND_LABELS = {
    "recorded_sale": _l("Recording of the sale"),
    "proposal_form": _l("Proposal form"),
    "id_copy": _l("Copy of an identity document"),
    "other": _l("Other documents"),
}


def claim_kinds(claim: Claim) -> list[str]:
    """The kinds ``claim`` takes: its product's, then ``other``."""
    asked = list(claim.policy.product.claim_documents or [])
    return asked if "other" in asked else [*asked, "other"]


def policy_kinds(policy: Policy | None = None) -> list[str]:
    """The kinds a policy takes (the same for every product)."""
    return list(POLICY_KIND_LABELS)


def kind_labels(kinds: list[str], record: Claim | Policy) -> dict[str, str]:
    """``{kind: words}`` for ``kinds``, in the current language."""
    labels = CLAIM_KIND_LABELS if isinstance(record, Claim) else POLICY_KIND_LABELS
    return {kind: str(labels.get(kind, kind)) for kind in kinds}
