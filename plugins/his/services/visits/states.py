"""A visit's life: ``open`` while the doctor writes the record, ``closed``
once signed off (then only an amendment changes it)."""

from __future__ import annotations

from core.api import StateMachine, translator

_, _l = translator("his")

VISIT_STATE_LABELS = {"open": _l("Open"), "closed": _l("Closed")}
VISIT = StateMachine(
    _l("visit"),
    {"close": (("open",), "closed")},
    states=VISIT_STATE_LABELS,
    actions={"close": _l("Close visit")},
)
