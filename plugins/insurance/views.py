"""Pages under /insurance/."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import db, scoped

from .models import Policy

bp = Blueprint("insurance", __name__, url_prefix="/insurance")


@bp.route("/policies")
@login_required
def policies():
    """Policies the user may see: an agent their own, a manager their team's."""
    if not current_user.can("insurance.policy.read"):
        abort(404)
    query = scoped(
        select(Policy), Policy, current_user, owner_attr="agent_id", customer_attr="customer_id"
    )
    rows = db.session.scalars(query.order_by(Policy.end_date, Policy.id).limit(100)).all()
    return render_template("insurance/policies.html", policies=rows)
