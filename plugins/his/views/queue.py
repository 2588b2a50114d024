"""The queue pages under ``/his``: the department's queue board for the
waiting room's screen (numbers, masked names and waits, refreshing itself
with htmx every 15 seconds), and the doctor's My queue (today's patients of
my sessions: call next, call again later, seen)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core.api import StateError, db, require, translator

from ..services import bookings
from ..services.bookings.rules import local_today
from ..services.clinic import period_labels
from .blueprint import bp

_, _l = translator("his")

REFRESH_SECONDS = 15


@bp.route("/queue/<int:department_id>", endpoint="queue_board")
@login_required
def queue_board(department_id: int):
    """The full-screen board; its rows are :func:`queue_board_rows`."""
    require("his.booking.read")
    department = bookings.visible_department(department_id, current_user)
    return render_template(
        "his/queue_board.html",
        department=department,
        board=bookings.board(department.id),
        refresh=REFRESH_SECONDS,
        day=local_today(),
    )


@bp.route("/queue/<int:department_id>/rows", endpoint="queue_board_rows")
@login_required
def queue_board_rows(department_id: int):
    """The board's rows (the fragment htmx swaps in)."""
    require("his.booking.read")
    department = bookings.visible_department(department_id, current_user)
    return render_template(
        "his/_queue_rows.html",
        department=department,
        board=bookings.board(department.id),
        refresh=REFRESH_SECONDS,
    )


@bp.route("/my-queue", endpoint="my_queue")
@login_required
def my_queue():
    """Today's patients of my clinic sessions."""
    require("his.visit.write")
    return render_template(
        "his/my_queue.html",
        rows=bookings.my_queue(current_user),
        periods=period_labels(),
        actions_for=lambda b: bookings.actions_for(b, current_user),
        action_labels={a: str(v) for a, v in bookings.BOOKING_ACTION_LABELS.items()},
        states={s: str(v) for s, v in bookings.BOOKING_STATE_LABELS.items()},
        day=local_today(),
        next_url=request.path,
    )


@bp.route("/my-queue/call-next", methods=["POST"], endpoint="call_next")
@login_required
def call_next():
    """Call the lowest queue number checked in to my sessions today."""
    require("his.visit.write")
    try:
        called = bookings.call_next(current_user)
    except StateError as exc:
        db.session.rollback()
        flash(exc.summary, "info")
    else:
        flash(
            _(
                "Called number %(queue)s: %(name)s",
                queue=called.queue_no,
                name=called.customer.name,
            ),
            "success",
        )
    return redirect(url_for(".my_queue"))
