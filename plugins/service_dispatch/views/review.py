"""待审核报修: public requests whose phone is an existing customer's wait
here for a dispatcher, who opens the work order for that customer (or a
new one) or dismisses the request."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core.api import ConflictError, ValidationError, db, require, translator

from ..services import review
from .blueprint import bp

_, _l = translator("service_dispatch")


@bp.route("/requests")
@login_required
def requests_page():
    """The waiting requests, oldest first, each with the customers that have its phone."""
    require("service.dispatch")
    waiting = db.session.scalars(review.visible_requests(current_user).limit(200)).all()
    return render_template(
        "service_dispatch/requests.html",
        waiting=[(r, review.candidates(r, current_user), review.link_name(r)) for r in waiting],
    )


@bp.route("/requests/<int:request_id>/accept", methods=["POST"])
@login_required
def accept_request(request_id: int):
    """Open the work order: for the chosen customer, or (``customer_id=new``) a new one."""
    require("service.dispatch")
    held = review.visible_request(request_id, current_user)
    choice = request.form.get("customer_id", "")
    try:
        customer_id = None if choice == "new" else int(choice)
    except ValueError:
        flash(_("Choose a customer or a new one."), "error")
        return redirect(url_for(".requests_page"))
    try:
        order = review.accept(held, customer_id, current_user)
    except (ValidationError, ConflictError) as exc:  # or another dispatcher decided first
        db.session.rollback()
        flash(exc.summary if isinstance(exc, ValidationError) else str(exc), "error")
        return redirect(url_for(".requests_page"))
    flash(_("Work order %(number)s opened.", number=order.number), "success")
    return redirect(url_for(".order_page", order_id=order.id))


@bp.route("/requests/<int:request_id>/dismiss", methods=["POST"])
@login_required
def dismiss_request(request_id: int):
    require("service.dispatch")
    held = review.visible_request(request_id, current_user)
    number = held.number
    try:
        review.dismiss(held, current_user)
    except ConflictError as exc:  # another dispatcher decided first
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".requests_page"))
    flash(_("Request %(number)s dismissed.", number=number), "success")
    return redirect(url_for(".requests_page"))
