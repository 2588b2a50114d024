"""The visits list and the customer page's Visits tab."""

from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    Customer,
    db,
    list_page,
    list_sort,
    scoped,
    search_match,
    text_contains,
    visible_customer,
)

from ..models import Visit
from .blueprint import bp

LIST_SIZE = 50  # visits on a page of the list
#: the visits list's sortable columns
VISIT_SORTS = {
    "visited_at": Visit.visited_at,
    "customer": select(Customer.name).where(Customer.id == Visit.customer_id).scalar_subquery(),
    "department": Visit.department,
}


@bp.route("/visits")
@login_required
def visits():
    """Visits the user may see (a doctor their own, a department head their
    team's), latest first (or sorted by a column: ``sort``, ``-`` for
    descending), 50 a page; found by patient's name or department."""
    if not current_user.can("his.visit.read"):
        abort(404)
    q = request.args.get("q", "").strip()[:100]
    sort, order = list_sort(
        VISIT_SORTS, (Visit.visited_at.desc(), Visit.id.desc()), Visit.id.desc()
    )
    page = list_page()
    query = visible_visits(current_user)
    if q:
        query = query.where(
            text_contains(Visit.department, q)
            | Visit.customer_id.in_(
                select(Customer.id).where(search_match(Customer, q, current_user))
            )
        )
    # one row more than a page says whether there is a next one
    rows = db.session.scalars(
        query.options(joinedload(Visit.customer), joinedload(Visit.doctor))
        .order_by(*order)
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    return render_template(
        "his/visits.html",
        visits=rows[:LIST_SIZE],
        q=q,
        filters={"q": q} if q else {},
        sort=sort,
        page=page,
        more=len(rows) > LIST_SIZE,
    )


def visible_visits(user):
    """Visits the user may see: a doctor their own, a department head their team's
    (the list, its search and the customer tab share this scope)."""
    return scoped(select(Visit), Visit, user, owner_attr="doctor_id", customer_attr="customer_id")


def patient_visits_query(user, customer_id: int):
    """A patient's visits that ``user`` may see — the scope of the visits list."""
    return visible_visits(user).where(Visit.customer_id == customer_id)


@bp.route("/customers/<int:customer_id>/visits")
@login_required
def customer_visits(customer_id: int):
    """The Visits tab of a patient's page (for a customer the user may see)."""
    if not current_user.can("his.visit.read"):
        abort(404)
    customer_id = visible_customer(customer_id, current_user).id
    query = patient_visits_query(current_user, customer_id)
    rows = db.session.scalars(query.order_by(Visit.visited_at.desc(), Visit.id.desc())).all()
    return render_template("his/_customer_visits.html", visits=rows)
