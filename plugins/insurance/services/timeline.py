"""Where the insurance plugin's entries on a customer's timeline link, and
who sees them (``trellis_timeline_links``): an entry about a policy (a
renewal task, a policy change, a payment) links to the policy's page, one
about a claim to the claim's, and shows only to who may see the record."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from core.api import User, db

from ..models import Claim, Policy
from .access import visible_claims, visible_policies


def timeline_links(link_type: str, ids: list[int], user: User) -> dict[int, str | None] | None:
    if link_type == Claim.__tablename__:  # a claim's step links to the claim's page
        if not user.can("insurance.claim.read"):
            return {}
        found = db.session.scalars(visible_claims(user, select(Claim.id)).where(Claim.id.in_(ids)))
        return {i: url_for("insurance.claim", claim_id=i) for i in found}
    if link_type != Policy.__tablename__:
        return None
    if not user.can("insurance.policy.read"):
        return {}
    found = db.session.scalars(visible_policies(user, select(Policy.id)).where(Policy.id.in_(ids)))
    return {i: url_for("insurance.policy", policy_id=i) for i in found}
