"""Overdue follow-ups: the list for managers (by owner) and the dashboard widget."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.api import Activity, User, db, require, utcnow

from ..services.followups import overdue
from .blueprint import bp

LIST_LIMIT = 200


@bp.route("/follow-ups")
@login_required
def followups():
    """逾期跟进: open tasks past due on the customers I may see, oldest first,
    with a count per owner (a manager sees the whole team)."""
    require("sales.deal.read")
    now = utcnow()
    late = overdue(current_user, now)
    rows = db.session.scalars(
        late.options(joinedload(Activity.customer), joinedload(Activity.owner)).limit(LIST_LIMIT)
    ).all()
    tasks = late.subquery()
    per_owner = db.session.execute(
        select(User.name, func.count(), func.min(tasks.c.due_at))
        .select_from(tasks)
        .outerjoin(User, User.id == tasks.c.owner_id)
        .group_by(User.id, User.name)
        .order_by(func.count().desc())
    ).all()
    return render_template(
        "sales/followups.html",
        rows=rows,
        per_owner=per_owner,
        now=now,
        total=sum(n for _name, n, _oldest in per_owner),
    )


@bp.route("/widgets/overdue-follow-ups")
@login_required
def widget_followups():
    require("sales.deal.read")
    late = overdue(current_user, utcnow())
    count = db.session.scalar(select(func.count()).select_from(late.subquery()))
    rows = db.session.scalars(late.options(joinedload(Activity.customer)).limit(5)).all()
    return render_template("sales/_widget_followups.html", rows=rows, count=count)
