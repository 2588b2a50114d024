"""``/api/v1/his/bookings``: registrations (挂号) — list and book, read,
move through ``POST /bookings/{id}/transitions`` (check_in, call, recall,
seen, cancel, no_show); ``/check-ins`` checks in by the booking's number
(a kiosk, a desk scanner); ``/queue/{department_id}`` is today's board;
``/waitlist`` joins and leaves a full session's waitlist.

Reading needs ``his.booking.read``; booking, checking in and cancelling
``his.booking.write``; calling and seen ``his.visit.write``. A doctor or
nurse sees their department's bookings (and their own sessions'): another
department's booking is a 404."""

from __future__ import annotations

from flask_login import current_user

from core.api import (
    NotFoundError,
    ValidationError,
    db,
    expected_version,
    json_body,
    load,
    page_schema,
    paginate,
    require,
    sorted_by,
    translator,
)

from ..models import Booking, ClinicSession
from ..schemas.bookings import (
    HisBookingArgs,
    HisBookingOut,
    HisBookingTransitionBody,
    HisQueueOut,
    HisWaitlistArgs,
    HisWaitlistOut,
)
from ..services import bookings
from ..services.bookings.inputs import BookingInput, CheckInInput, WaitlistInput
from ..services.bookings.rules import local_today
from .blueprint import bp

_, _l = translator("his")

SORTS = {
    "day": Booking.day,
    "number": Booking.number,
    "slot_no": Booking.slot_no,
    "queue_no": Booking.queue_no,
    "created_at": Booking.created_at,
}


@bp.route("/bookings", methods=["GET"])
@bp.arguments(sorted_by(HisBookingArgs, SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisBookingOut, "HisBookingPage"))
def list_bookings(args):
    """Registrations by day and slot, filtered by department, session,
    patient (``customer_id``), day and status."""
    require("his.booking.read")
    query = bookings.visible_bookings(current_user)
    for key in ("department_id", "session_id", "customer_id", "day", "status"):
        if args.get(key) is not None:
            query = query.where(getattr(Booking, key) == args[key])
    return paginate(query, args, SORTS, "day")


@bp.route("/bookings", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": BookingInput}}})
@bp.response(201, HisBookingOut)
def create_booking():
    """Book a slot: the channel's lowest free one unless ``slot_no`` is
    chosen. 409 naming ``slot_no`` when taken or the channel is full,
    ``customer_id`` when the patient holds one in the department that day
    (also when two desks race), ``session_id`` for a stopped or past session."""
    require("his.booking.write")
    return bookings.book(json_body(), current_user)


@bp.route("/bookings/<int:booking_id>", methods=["GET"])
@bp.response(200, HisBookingOut)
def get_booking(booking_id: int):
    require("his.booking.read")
    return bookings.visible_booking(booking_id, current_user)


@bp.route("/bookings/<int:booking_id>/transitions", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": HisBookingTransitionBody}}})
@bp.response(200, HisBookingOut)
def move_booking(booking_id: int):
    """Move the registration: ``action`` and the ``version`` read (cancel
    with a ``reason``). An action the state does not allow is a 409, a stale
    version a 409 with nothing written, check-in on another day a 409
    naming ``day``, a cancel past the cutoff a 409 naming ``status``."""
    require("his.booking.read")
    booking = bookings.visible_booking(booking_id, current_user)
    payload = json_body()
    action = payload.pop("action", None)
    if not isinstance(action, str) or not action:
        raise ValidationError({"action": [_("give the action")]})
    version = expected_version(payload)
    if version is None:
        raise ValidationError({"version": [_("give the version you read")]})
    return bookings.transition(booking, action, current_user, payload, version)


@bp.route("/check-ins", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": CheckInInput}}})
@bp.response(200, HisBookingOut)
def check_in_by_number():
    """Check in by the registration's number (printed on the slip)."""
    require("his.booking.write")
    number = load(CheckInInput(), json_body())["number"].strip()
    booking = db.session.scalar(
        bookings.visible_bookings(current_user).where(Booking.number == number)
    )
    if booking is None:
        raise NotFoundError(_("registration %(id)s not found", id=number))
    return bookings.check_in(booking, current_user)


@bp.route("/queue/<int:department_id>", methods=["GET"])
@bp.response(200, HisQueueOut)
def queue_board(department_id: int):
    """Today's board of the department: who is being seen and who waits
    (by queue number, with waited minutes and a masked name)."""
    require("his.booking.read")
    bookings.visible_department(department_id, current_user)
    board = bookings.board(department_id)
    return {
        "department_id": department_id,
        "day": local_today(),
        "serving": board.serving,
        "waiting": board.waiting,
    }


@bp.route("/waitlist", methods=["GET"])
@bp.doc(responses={"404": {"description": "no clinic session with this id the caller may see"}})
@bp.arguments(HisWaitlistArgs, location="query", as_kwargs=False)
@bp.response(200, HisWaitlistOut(many=True))
def list_waitlist(args):
    """The waiting entries of a session, first come first."""
    require("his.booking.read")
    session = db.session.get(ClinicSession, args["session_id"])
    if session is None:
        raise NotFoundError(_("Clinic session %(id)s not found", id=args["session_id"]))
    bookings.visible_department(session.department_id, current_user)
    return bookings.waiting(session.id)


@bp.route("/waitlist", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": WaitlistInput}}})
@bp.response(201, HisWaitlistOut)
def join_waitlist():
    """Join a full session's waitlist (409 naming ``session_id`` while a
    slot of the channel is free; one waiting entry per patient)."""
    require("his.booking.write")
    return bookings.join_waitlist(json_body(), current_user)


@bp.route("/waitlist/<int:entry_id>", methods=["DELETE"])
@bp.response(200, HisWaitlistOut)
def leave_waitlist(entry_id: int):
    require("his.booking.write")
    entry = bookings.get_entry(entry_id)
    session = db.session.get(ClinicSession, entry.session_id)
    assert session is not None
    bookings.visible_department(session.department_id, current_user)
    return bookings.leave_waitlist(entry, current_user)
