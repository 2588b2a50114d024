"""The booking's state machine, every state × every action, through the
one dispatcher the API and the pages use: a legal move lands where the
table says with its stamp, an illegal one is core's 409 naming what the
state allows, the system's ``stop`` is refused as an action (422) and taken
only by the stop service; and a stale version is a 409 with nothing
written."""

from __future__ import annotations

import pytest

from core.api import IllegalTransition, StaleVersionError, ValidationError, db
from plugins.his.models import Booking
from plugins.his.services import bookings
from plugins.his.services.bookings import BOOKING

from .booking_fixtures import booked, clinic  # noqa: F401

STATES = ("booked", "checked_in", "called", "seen", "cancelled", "no_show")
ACTIONS = ("check_in", "call", "recall", "seen", "cancel", "no_show", "stop")
#: the table by hand: (state, action) → the state it leads to
LEGAL = {
    ("booked", "check_in"): "checked_in",
    ("checked_in", "call"): "called",
    ("called", "recall"): "checked_in",
    ("called", "seen"): "seen",
    ("booked", "cancel"): "cancelled",
    ("booked", "no_show"): "no_show",
    ("booked", "stop"): "cancelled",
    ("checked_in", "stop"): "cancelled",
    ("called", "stop"): "cancelled",
}
STAMPS = {
    "check_in": "checked_in_at",
    "call": "called_at",
    "seen": "seen_at",
    "cancel": "cancelled_at",
}


def test_the_table_is_the_one_written_down():
    assert set(BOOKING.states) == set(STATES) and set(BOOKING.transitions) == set(ACTIONS)
    assert {(s, a): t for s, a, t in BOOKING.pairs() if t} == LEGAL


@pytest.mark.parametrize("state", STATES)
def test_every_action_from_every_state(clinic, state):
    today = clinic.session(day=clinic.today, period="evening")  # check-in is on the day
    tomorrow = clinic.session()  # a cancel is before the cutoff
    for n, action in enumerate(ACTIONS):
        session = today if action == "check_in" else tomorrow
        queue = {"queue_no": 50 + n} if state in ("checked_in", "called", "seen") else {}
        row = booked(clinic, session, clinic.patient(f"P {state} {action}"), state, **queue)
        version = row.version
        payload = {"reason": "the patient asked"} if action == "cancel" else {}
        target = LEGAL.get((state, action))
        if action == "stop":
            with pytest.raises(ValidationError) as caught:
                bookings.transition(row, action, clinic.clerk, payload, version)
            assert caught.value.status == 422 and "action" in caught.value.errors
            assert BOOKING.allowed(state).count("stop") == (target is not None)
        elif target is None:
            with pytest.raises(IllegalTransition) as refused:
                actor = clinic.li if action in ("call", "recall", "seen") else clinic.clerk
                bookings.transition(row, action, actor, payload, version)
            assert (refused.value.state, refused.value.action) == (state, action)
            assert refused.value.allowed_actions == BOOKING.allowed(state)
        else:
            actor = clinic.li if action in ("call", "recall", "seen") else clinic.clerk
            bookings.transition(row, action, actor, payload, version)
        db.session.expire_all()
        stored = db.session.get(Booking, row.id)
        expected = target if (target and action != "stop") else state
        assert stored.status == expected, (state, action)
        assert stored.version == version + (expected != state)
        if expected != state and action in STAMPS:
            assert getattr(stored, STAMPS[action]) is not None
        if (state, action) == ("booked", "check_in"):
            assert stored.queue_no == 1


def test_a_stale_version_is_a_409_with_nothing_written(clinic):
    row = booked(clinic, clinic.session(day=clinic.today, period="evening"), clinic.patient())
    with pytest.raises(StaleVersionError):
        bookings.transition(row, "check_in", clinic.clerk, {}, row.version + 1)
    db.session.expire_all()
    stored = db.session.get(Booking, row.id)
    assert (stored.status, stored.queue_no, stored.checked_in_at) == ("booked", None, None)


def test_the_desk_cannot_call_and_the_doctor_cannot_check_in(clinic):
    from core.api import ForbiddenError

    row = booked(clinic, clinic.session(day=clinic.today, period="evening"), clinic.patient())
    with pytest.raises(ForbiddenError):
        bookings.transition(row, "check_in", clinic.li, {}, row.version)
    bookings.transition(row, "check_in", clinic.nurse, {}, row.version)
    with pytest.raises(ForbiddenError):
        bookings.transition(row, "call", clinic.clerk, {}, row.version)
    assert bookings.actions_for(row, clinic.li) == ["call"]
    assert bookings.actions_for(row, clinic.clerk) == []
