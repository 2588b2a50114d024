"""How a transaction's premium change is earned over its months: split pro
rata to the days of each month inside ``[effective, end]``, by the largest
remainder in cents, so that its months add up exactly to the change and a
month's figure is the same whatever period it is read in — which is what
lets the cells add months up in advance."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=8192)
def _layout(start: date, end: date) -> tuple[tuple[date, ...], tuple[int, ...]]:
    """The months of ``[start, end]`` (their first days) and the days of each
    inside it — shared by every transaction with the same dates."""
    months, insides = [], []
    cursor = start
    while cursor <= end:
        first = cursor.replace(day=1)
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        months.append(first)
        insides.append((min(end, following - ONE_DAY) - cursor).days + 1)
        cursor = following
    return tuple(months), tuple(insides)


def split_cents(cents: int, start: date, end: date) -> list[tuple[date, int]]:
    """``cents`` spread over the months of ``[start, end]`` pro rata to their
    days, by the largest remainder (ties to the earlier month): the parts add
    up to ``cents`` exactly. ``end < start`` → all in ``start``'s month."""
    whole = (end - start).days + 1
    if whole <= 0:
        return [(start.replace(day=1), cents)]
    sign, amount = (1, cents) if cents >= 0 else (-1, -cents)
    months, insides = _layout(start, end)
    shares, remainders = [], []
    for inside in insides:
        share, remainder = divmod(amount * inside, whole)
        shares.append(share)
        remainders.append(remainder)
    left = amount - sum(shares)
    if left:
        for i in sorted(range(len(months)), key=lambda i: (-remainders[i], i))[:left]:
            shares[i] += 1
    return [(m, sign * share) for m, share in zip(months, shares, strict=True)]


def cents_of(amount) -> int:
    """A premium change in cents (a Decimal, or a float from SQLite), as the
    reports have always counted it: truncated to the cent."""
    if not isinstance(amount, Decimal):
        amount = Decimal(str(amount))
    return int(amount * 100)
