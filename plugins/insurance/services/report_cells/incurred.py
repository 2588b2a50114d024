"""Claims incurred cells (``kind == "incurred"``): the paid and reserve
changes of every claim event (incurred = their sum), by the month of
``event_on``, currency, carrier, product, line and the event's agent — and
the claim's agent (owner) and team, which core's ``scoped`` narrows by, as
``visible_claims`` does. A deleted claim's events add nothing. A claim's
change of agent, team or deletion moves its events (in a flush, and in a
transfer's bulk ``UPDATE``); a purge's bulk ``DELETE`` takes them off."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Select, select

from ...models import Claim, ClaimEvent
from .keeping import Kept, keep
from .split import cents_of

E = ClaimEvent
#: what an event adds to its cells is decided by these columns alone
COLUMNS = (
    E.id,
    E.event_on,
    E.currency,
    E.carrier_id,
    E.product_id,
    E.line,
    E.agent_id,
    E.paid_delta,
    E.reserve_delta,
    Claim.agent_id.label("owner_id"),
    Claim.team_id.label("claim_team_id"),
    Claim.deleted_at,
)


def events() -> Select:
    """``select(*COLUMNS)`` of the claim events."""
    return select(*COLUMNS).select_from(E).join(Claim, Claim.id == E.claim_id)


def contributions(rows: Iterable) -> dict[tuple, list[int]]:
    """``{cell key: [events, incurred cents]}`` that the event ``rows``
    (``COLUMNS``, by name) add up to."""
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        if row.deleted_at is not None:
            continue
        key = (
            "incurred",
            row.event_on.replace(day=1),
            row.currency,
            row.carrier_id,
            row.product_id,
            row.line,
            row.agent_id,
            row.owner_id,
            row.claim_team_id,
        )
        cell = cells[key]
        cell[0] += 1
        cell[1] += cents_of(row.paid_delta or 0) + cents_of(row.reserve_delta or 0)
    return cells


INCURRED = keep(
    Kept(
        "incurred",
        E,
        events,
        contributions,
        Claim,
        E.claim_id,
        ("agent_id", "team_id", "deleted_at"),
        bulk_parent=True,
    )
)
