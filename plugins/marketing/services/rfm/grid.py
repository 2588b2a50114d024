"""The standard RFM segments and the one table that maps scores to them.

A customer's segment follows from two of its quintile scores — recency
``R`` and frequency ``F``, each 1 (worst) to 5 (best) — as in the grid most
RFM tools use; monetary ``M`` is kept beside them and picks the *valuable*
customers of the churn list. The grid, rows ``R`` 5 (bought lately) down to
1, columns ``F`` 1 to 5 (bought often)::

    R\\F     1               2                3                4         5
    5    new             potential        potential        champions champions
    4    promising       potential        potential        loyal     loyal
    3    about_to_sleep  about_to_sleep   need_attention   loyal     loyal
    2    hibernating     hibernating      at_risk          at_risk   cant_lose
    1    lost            hibernating      at_risk          at_risk   cant_lose

(``potential`` is *potential loyalists*.) :data:`GRID` is this table, the
only place it is written; the SQL that stores a run's segments and the
pages' grid are both made from it.
"""

from __future__ import annotations

from typing import Any

from core.api import translator

_, _l = translator("marketing")

#: the segments, best first: code → what users read
SEGMENTS: dict[str, Any] = {
    "champions": _l("Champions"),
    "loyal": _l("Loyal"),
    "potential_loyalists": _l("Potential loyalists"),
    "new": _l("New customers"),
    "promising": _l("Promising"),
    "need_attention": _l("Need attention"),
    "about_to_sleep": _l("About to sleep"),
    "at_risk": _l("At risk"),
    "cant_lose": _l("Can't lose them"),
    "hibernating": _l("Hibernating"),
    "lost": _l("Lost"),
}

#: what each segment means and what to do about it, for the page's grid
ADVICE: dict[str, Any] = {
    "champions": _l("Bought lately, buy often: reward them, ask for referrals."),
    "loyal": _l("Buy often: offer more, ask for reviews."),
    "potential_loyalists": _l("Recent, a few purchases: offer membership or a bundle."),
    "new": _l("First purchase lately: welcome them, help them start."),
    "promising": _l("Recent, one purchase: build the relationship."),
    "need_attention": _l("Average on both: a limited-time offer wakes them up."),
    "about_to_sleep": _l("Slipping, few purchases: reconnect before they go."),
    "at_risk": _l("Bought often, long ago: reach out personally."),
    "cant_lose": _l("Best buyers who stopped: win them back now."),
    "hibernating": _l("Long ago, seldom: a low-cost offer, or let go."),
    "lost": _l("Lowest on both: leave out of costly campaigns."),
}

_ROWS = {  # R → the segment for F = 1 … 5
    5: ("new", "potential_loyalists", "potential_loyalists", "champions", "champions"),
    4: ("promising", "potential_loyalists", "potential_loyalists", "loyal", "loyal"),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    1: ("lost", "hibernating", "at_risk", "at_risk", "cant_lose"),
}

#: (R, F) → segment code: the mapping table
GRID: dict[tuple[int, int], str] = {
    (r, f): code for r, row in _ROWS.items() for f, code in enumerate(row, start=1)
}


def segment_of(r: int, f: int) -> str:
    """The segment of the scores ``r`` and ``f`` (each 1–5)."""
    return GRID[(r, f)]


def segment_label(code: str | None) -> str:
    """What users read for segment ``code`` ("—" for none)."""
    return str(SEGMENTS[code]) if code in SEGMENTS else "—"


def grid_rows() -> list[tuple[int, list[str]]]:
    """The grid as the page draws it: ``(R, [segment for F = 1 … 5])``, R 5 first."""
    return [(r, list(row)) for r, row in _ROWS.items()]
