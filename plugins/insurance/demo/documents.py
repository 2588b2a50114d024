"""The demo's documents (单证): a stand-in PDF (``core.api.sample_file``) for
each recording of a sale a product requires before the bind, and for each
document a claim's product asks for, so those pages show their files and
the guards let the story through."""

from __future__ import annotations

from core.api import User, db, sample_file

from ..models import Claim, InsuranceProduct, Policy
from ..services.documents import add_documents, kind_labels


def attach_recorded_sale(policy: Policy, user: User) -> None:
    """The recording of the sale (双录) on a quote whose product requires one."""
    product = db.session.get(InsuranceProduct, policy.product_id)
    if product is None or not product.recorded_sale_required:
        return
    _attach(policy, "recorded_sale", f"{policy.display_number} - recorded sale", user)


def attach_claim_documents(claim: Claim, user: User) -> None:
    """One file of every kind the claim's product asks for."""
    for kind in claim.policy.product.claim_documents or []:
        _attach(claim, kind, f"{claim.number} - {kind}", user)


def _attach(record: Claim | Policy, kind: str, line: str, user: User) -> None:
    name = kind_labels([kind], record)[kind]
    add_documents(record, kind, [sample_file(line, f"{name}.pdf")], user)
