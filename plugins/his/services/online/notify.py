"""The SMS to a patient whose clinic session was stopped (停诊): the
registration is cancelled, and a link to book again online."""

from __future__ import annotations

from flask import url_for

from core.api import send_message, translator

from ...models import Booking, ClinicSession

_, _l = translator("his")


def rebook_link(department_id: int) -> str:
    """The public page of the department, as a full address when a request
    (or ``SERVER_NAME``) tells the host."""
    try:
        return url_for("his.book_department", department_id=department_id, _external=True)
    except RuntimeError:  # no request and no SERVER_NAME: the path alone
        return f"/his/book/{department_id}"


def notify_stopped(booking: Booking, session: ClinicSession, when: str, reason: str) -> None:
    """Text the patient (their first phone; none: nothing) in the stopping
    transaction: sent after it commits."""
    phones = booking.customer.phones or []
    if not phones:
        return
    body = _(
        "%(department)s %(when)s is stopped (%(reason)s). Your registration %(number)s "
        "is cancelled. Book again: %(link)s",
        department=session.department.name,
        when=when,
        reason=reason,
        number=booking.number,
        link=rebook_link(session.department_id),
    )
    send_message(
        "sms", phones[0], body, purpose="booking", customer_id=booking.customer_id, source="his"
    )


def slip_link(token: str) -> str:
    """The address of an online booking's own page (to see or cancel it)."""
    try:
        return url_for("his.book_slip", token=token, _external=True)
    except RuntimeError:
        return f"/his/book/r/{token}"
