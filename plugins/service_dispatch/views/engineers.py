"""``/service/engineers``: who goes out on jobs, their skills (order
categories) and regions — dispatchers look, service admins change."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import (
    StaleVersionError,
    User,
    ValidationError,
    db,
    form_payload,
    form_version,
    require,
    translator,
)

from ..models import Engineer
from ..services import dispatch
from .blueprint import bp

_, _l = translator("service_dispatch")


def render_engineers(errors: dict | None = None, values: dict | None = None, status: int = 200):
    """The engineers with their open orders, and the users who could become one."""
    people = dispatch.engineers()
    candidates = db.session.scalars(
        select(User)
        .where(
            User.active.is_(True),
            User.deleted_at.is_(None),
            User.id.not_in(select(Engineer.user_id)),
        )
        .order_by(User.name)
    ).all()
    return render_template(
        "service_dispatch/engineers.html",
        engineers=people,
        loads=dispatch.workloads([e.user_id for e in people]),
        candidates=candidates,
        errors=errors or {},
        values=values or {},
    ), status


@bp.route("/engineers")
@login_required
def engineers():
    if not current_user.can("service.admin"):
        require("service.dispatch")
    return render_engineers()


@bp.route("/engineers", methods=["POST"])
@login_required
def add_engineer():
    require("service.admin")
    data = form_payload(dispatch.EngineerInput())
    try:
        engineer = dispatch.create_engineer(data, current_user)
    except ValidationError as exc:
        db.session.rollback()
        return render_engineers(exc.errors, data, 422)
    flash(_("%(name)s is now an engineer.", name=engineer.user.name), "success")
    return redirect(url_for(".engineers"))


@bp.route("/engineers/<int:engineer_id>", methods=["POST"])
@login_required
def edit_engineer(engineer_id: int):
    require("service.admin")
    engineer = db.session.get(Engineer, engineer_id) or abort(404)
    data = form_payload(dispatch.EngineerChange())
    try:
        dispatch.update_engineer(engineer, data, current_user, form_version())
        flash(_("Saved."), "success")
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.summary, "error")
    except StaleVersionError:
        db.session.rollback()
        flash(_("Someone else changed this engineer meanwhile; look again and retry."), "error")
    return redirect(url_for(".engineers"))
