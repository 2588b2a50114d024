"""Pages under /his/."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import db, scoped

from .models import Visit

bp = Blueprint("his", __name__, url_prefix="/his")


@bp.route("/visits")
@login_required
def visits():
    """Visits the user may see: a doctor their own, a department head their team's."""
    if not current_user.can("his.visit.read"):
        abort(404)
    query = scoped(
        select(Visit), Visit, current_user, owner_attr="doctor_id", customer_attr="customer_id"
    )
    rows = db.session.scalars(query.order_by(Visit.visited_at.desc()).limit(100)).all()
    return render_template("his/visits.html", visits=rows)
