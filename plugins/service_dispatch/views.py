"""Pages under /service/."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import db, scoped

from .models import WorkOrder

bp = Blueprint("service_dispatch", __name__, url_prefix="/service")


@bp.route("/work-orders")
@login_required
def work_orders():
    """Work orders the user may see: an engineer their own, a manager their team's."""
    if not current_user.can("service.order.read"):
        abort(404)
    query = scoped(select(WorkOrder), WorkOrder, current_user, owner_attr="engineer_id")
    rows = db.session.scalars(query.order_by(WorkOrder.updated_at.desc()).limit(100)).all()
    return render_template("service_dispatch/work_orders.html", orders=rows)
