"""Documents (单证) on policies and claims: core's attachments kit
(``core.api.attach``) on the records ``insurance_policy`` and
``insurance_claim``, each file with a kind.

- :mod:`.kinds`: which kinds each record takes, in words — a claim the
  kinds its product asks for (``claim_documents``) and ``other``; a policy
  the recording of the sale (双录), the proposal form (投保单), a copy of an
  identity document and ``other``
- :mod:`.records`: list, add and remove a record's documents (who may edit
  the record: ``insurance.claim.write`` / ``insurance.policy.write``), and
  the two guards — a quote of a product with ``recorded_sale_required`` is
  not bound without its recording; a claim waiting for documents is not
  submitted until it holds one of every kind its product asks for
- :mod:`.public`: what the claimant sends from the claim's tracking page
  (no account) while the claim waits for documents

Who may see the record may download its files from core's
``/attachments/<id>`` (the plugin's ``trellis_timeline_links`` decides), and
core audits every download on the record, as every open of a claim is.
"""

from .kinds import CLAIM_KIND_LABELS, POLICY_KIND_LABELS, claim_kinds, kind_labels, policy_kinds
from .records import (
    add_documents,
    claim_documents_problem,
    documents_of,
    link_of,
    may_edit,
    missing_claim_documents,
    recorded_sale_problem,
    remove_document,
)

__all__ = [
    "CLAIM_KIND_LABELS",
    "POLICY_KIND_LABELS",
    "add_documents",
    "claim_documents_problem",
    "claim_kinds",
    "documents_of",
    "kind_labels",
    "link_of",
    "may_edit",
    "missing_claim_documents",
    "policy_kinds",
    "recorded_sale_problem",
    "remove_document",
]
