"""What every move of a policy term writes besides the term: its entry on
the policyholder's timeline (activity kind ``policy``, linking to the
term), and the patterns its numbers are given by."""

from __future__ import annotations

from core.api import User, log_activity

from ...models import Policy

#: the activity kind and link type of a policy on the timeline
KIND = "policy"
LINK_TYPE = Policy.__tablename__
#: how the numbers look: quote (报价单) BJ-202612-00001, policy (保单)
#: BD-2026-000001, endorsement (批单) PD-202612-00001
QUOTE_PATTERN = "BJ-{yyyy}{mm}-{seq:05}"
POLICY_PATTERN = "BD-{yyyy}-{seq:06}"
ENDORSEMENT_PATTERN = "PD-{yyyy}{mm}-{seq:05}"


def log_policy(
    policy: Policy, actor: User | None, subject: str, body: str | None = None, *, kind: str = KIND
) -> None:
    """The move on the policyholder's timeline (an activity of ``kind``: a
    policy's move, or a premium payment), linking to the term."""
    log_activity(
        {
            "kind": kind,
            "subject": subject[:200],
            "body": body,
            "customer_id": policy.customer_id,
            "link_type": LINK_TYPE,
            "link_id": policy.id,
        },
        actor,
    )
