"""Web pages under /sales/ — a first deals list; the full module comes with its issue."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import db, scoped

from .models import Deal

bp = Blueprint("sales", __name__, url_prefix="/sales")


@bp.route("/deals")
@login_required
def deals():
    """The deals the signed-in user may see, newest first."""
    query = scoped(select(Deal), Deal, current_user).order_by(Deal.updated_at.desc()).limit(100)
    return render_template("sales/deals.html", deals=db.session.scalars(query).all())
