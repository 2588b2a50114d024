"""The life of a booking (挂号) as core's state table: which action may
start from which state and where it leads. The services ask this table and
nothing else; a refused move is core's 409 ``illegal-transition``.

booked → checked_in → called → seen; booked → cancelled | no_show; called →
checked_in ("recall": the patient did not answer, called again later).
``stop`` is the system's cancel when a clinic session is stopped (停诊) —
the clinic's stop service takes it; ``no_show`` is the nightly job's."""

from __future__ import annotations

from core.api import StateMachine, translator

_, _l = translator("his")

BOOKING_STATE_LABELS = {
    "booked": _l("Booked"),
    "checked_in": _l("Checked in"),
    "called": _l("Called"),
    "seen": _l("Seen"),
    "cancelled": _l("Cancelled"),
    "no_show": _l("No-show"),
}
BOOKING_ACTION_LABELS = {
    "check_in": _l("Check in"),
    "call": _l("Call"),
    "recall": _l("Call again later"),
    "seen": _l("Seen"),
    "cancel": _l("Cancel"),
    "no_show": _l("No-show"),
    "stop": _l("Stop"),
}
#: live: still holding the patient's day (a stop cancels these)
LIVE = ("booked", "checked_in", "called")
BOOKING = StateMachine(
    _l("registration"),
    {
        "check_in": (("booked",), "checked_in"),
        "call": (("checked_in",), "called"),
        "recall": (("called",), "checked_in"),
        "seen": (("called",), "seen"),
        "cancel": (("booked",), "cancelled"),
        "no_show": (("booked",), "no_show"),
        "stop": (LIVE, "cancelled"),
    },
    states=BOOKING_STATE_LABELS,
    actions=BOOKING_ACTION_LABELS,
)
#: taken by the system (the stop service), refused through the API (422 ``action``)
SYSTEM_ACTIONS = frozenset({"stop"})
#: who may take an action: the desk (his.booking.write) or the doctor (his.visit.write)
DOCTOR_ACTIONS = frozenset({"call", "recall", "seen"})
