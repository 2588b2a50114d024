"""The insurance share: the hospital plugin asks ``trellis_his_coverage``
(an insurance plugin may answer from a health policy in force) and never
imports an insurance plugin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.api import call_hook

from ...models import Charge
from .charges import money


@dataclass(frozen=True)
class Coverage:
    payer: str
    amount: Decimal


def coverage(customer_id: int, on: date, charges: list[Charge]) -> Coverage | None:
    """What an insurer covers of ``charges`` (never more than their sum),
    None when no plugin answers."""
    answer = call_hook("trellis_his_coverage", customer_id=customer_id, on=on, charges=charges)
    if not answer:
        return None
    total = sum((c.amount for c in charges), Decimal("0"))
    amount = min(money(Decimal(str(answer["amount"]))), total)
    if amount <= 0:
        return None
    return Coverage(str(answer["payer"])[:120], amount)
