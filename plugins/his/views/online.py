"""The public online registration pages (网上挂号, ``/his/book``), without
sign-in: choose a department, a day and a session with free online slots;
give the real name, national ID and mobile phone; enter the code texted to
it; get the registration's own page — the slip, with its cancel button up
to the cutoff — whose link is also texted. They stand alone (no app
menu), fit a phone's width, speak the visitor's language (``?lang=`` or
the browser's) and are rate-limited per address. The rules are the
services' (:mod:`..services.online`); a refusal is shown on the form."""

from __future__ import annotations

from datetime import date

from flask import redirect, render_template, request, url_for

from core.api import (
    NotFoundError,
    TrellisError,
    ValidationError,
    current_lang,
    db,
    public,
    translator,
)

from ..services import online
from ..services.bookings import BOOKING_STATE_LABELS, period_start
from ..services.clinic import period_labels
from .blueprint import bp

_, _l = translator("his")
FORM_FIELDS = ("name", "national_id", "phone")


def _page(template: str, status: int = 200, **context):
    context.setdefault("errors", {})
    context.setdefault("others", [])
    return (
        render_template(f"his/online_{template}.html", periods=period_labels(), **context),
        status,
    )


def _missing():
    return _page("missing", 404)


@bp.route("/book", endpoint="book_index")
@public("30 per minute")
def book_index():
    return _page("departments", departments=online.online_departments())


@bp.route("/book/<int:department_id>", endpoint="book_department")
@public("30 per minute")
def book_department(department_id: int):
    """The days with free online slots, and the chosen day's sessions."""
    try:
        department = online.online_department(department_id)
    except NotFoundError:
        return _missing()
    days = online.online_days(department.id)
    day: date | None
    try:
        day = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        day = days[0] if days else None
    sessions = online.online_sessions(department.id, day) if day else []
    return _page("sessions", department=department, days=days, day=day, sessions=sessions)


def _session_or_none(session_id: int):
    try:
        return online.online_session(session_id)
    except NotFoundError:
        return None


@bp.route("/book/session/<int:session_id>", methods=["GET", "POST"], endpoint="book_session")
@public("10 per minute")
def book_session(session_id: int):
    """The visitor's name, ID and phone; posted, a code is texted and the
    code form shown (the fields ride along, hidden)."""
    clinic_session = _session_or_none(session_id)
    if clinic_session is None:
        return _missing()
    values = {k: request.form.get(k, "") for k in FORM_FIELDS}
    if request.method == "POST":
        try:
            online.request_code(clinic_session, values)
        except TrellisError as exc:
            db.session.rollback()
            return _form(clinic_session, values, exc)
        return _page("code", session=clinic_session, values=values)
    return _page("form", session=clinic_session, values=values)


def _form(clinic_session, values: dict, exc: TrellisError):
    errors = getattr(exc, "errors", None) or {"_schema": [str(exc)]}
    return _page(
        "form",
        getattr(exc, "status", 422),
        session=clinic_session,
        values=values,
        errors=errors,
        others=_others(errors, FORM_FIELDS),
    )


def _others(errors: dict, shown: tuple[str, ...]) -> list[str]:
    """The messages of fields the form has no input for (the session, the patient)."""
    return [m for field, messages in errors.items() if field not in shown for m in messages]


@bp.route("/book/session/<int:session_id>/confirm", methods=["POST"], endpoint="book_confirm")
@public("10 per minute")
def book_confirm(session_id: int):
    """Book with the code; the registration's own page follows."""
    clinic_session = _session_or_none(session_id)
    if clinic_session is None:
        return _missing()
    values = {k: request.form.get(k, "") for k in (*FORM_FIELDS, "code")}
    try:
        booked = online.book_online(clinic_session, values)
    except TrellisError as exc:
        db.session.rollback()
        errors = getattr(exc, "errors", None) or {"_schema": [str(exc)]}
        if set(errors) <= {"code"}:  # a wrong code: enter it again
            return _page(
                "code",
                getattr(exc, "status", 422),
                session=clinic_session,
                values=values,
                errors=errors,
            )
        return _form(clinic_session, values, exc)
    return redirect(url_for(".book_slip", token=booked.token, lang=current_lang()), 303)


@bp.route("/book/r/<token>", endpoint="book_slip")
@public("30 per minute")
def book_slip(token: str):
    """The registration: number, department, doctor, day, time, slot, fee,
    status; the cancel button while it may be cancelled."""
    try:
        booking = online.booking_for_token(token)
    except NotFoundError:
        return _missing()
    return _slip(booking, token)


def _slip(booking, token: str, errors: dict | None = None, status: int = 200):
    return _page(
        "slip",
        status,
        booking=booking,
        token=token,
        starts=period_start(booking.day, booking.session.period),
        states={k: str(v) for k, v in BOOKING_STATE_LABELS.items()},
        cancellable=online.may_cancel(booking),
        errors=errors or {},
    )


@bp.route("/book/r/<token>/cancel", methods=["POST"], endpoint="book_cancel")
@public("10 per minute")
def book_cancel(token: str):
    """Cancel by the link, up to the cutoff (else the slip says why)."""
    try:
        online.cancel_online(token)
    except NotFoundError:
        db.session.rollback()
        return _missing()
    except (ValidationError, TrellisError) as exc:
        db.session.rollback()
        booking = online.booking_for_token(token)
        errors = getattr(exc, "errors", None) or {"status": [str(exc)]}
        return _slip(booking, token, errors, getattr(exc, "status", 409))
    return redirect(url_for(".book_slip", token=token, lang=current_lang()), 303)
