"""The policies list and the customer page's Policies tab."""

from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import Customer, db, list_page, list_sort, search_match, visible_customer

from ..models import InsuranceProduct, Policy
from ..services.access import visible_policies
from .blueprint import bp

LIST_SIZE = 50  # policies on a page of the list
#: the policies list's sortable columns
POLICY_SORTS = {
    "number": Policy.number,
    "customer": select(Customer.name).where(Customer.id == Policy.customer_id).scalar_subquery(),
    "product": select(InsuranceProduct.name)
    .where(InsuranceProduct.id == Policy.product_id)
    .scalar_subquery(),
    "premium": Policy.annual_premium,
    "end_date": Policy.end_date,
}


@bp.route("/policies")
@login_required
def policies():
    """Policies the user may see (an agent their own, a manager their
    team's), soonest end first (or sorted by a column: ``sort``, ``-`` for
    descending), 50 a page; found by policy number or policyholder's name."""
    if not current_user.can("insurance.policy.read"):
        abort(404)
    q = request.args.get("q", "").strip()[:100]
    sort, order = list_sort(POLICY_SORTS, (Policy.end_date, Policy.id), Policy.id)
    page = list_page()
    query = visible_policies(current_user)
    if q:
        query = query.where(
            search_match(Policy, q, current_user)
            | Policy.customer_id.in_(
                select(Customer.id).where(search_match(Customer, q, current_user))
            )
        )
    # one row more than a page says whether there is a next one
    rows = db.session.scalars(
        query.options(
            joinedload(Policy.customer), joinedload(Policy.agent), joinedload(Policy.product)
        )
        .order_by(*order)
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    return render_template(
        "insurance/policies.html",
        policies=rows[:LIST_SIZE],
        q=q,
        filters={"q": q} if q else {},
        sort=sort,
        page=page,
        more=len(rows) > LIST_SIZE,
    )


def customer_policies_query(user, customer_id: int):
    """A customer's policies that ``user`` may see — the scope of the policies list."""
    return visible_policies(user).where(Policy.customer_id == customer_id)


@bp.route("/customers/<int:customer_id>/policies")
@login_required
def customer_policies(customer_id: int):
    """The Policies tab of a customer's page (for a customer the user may see)."""
    if not current_user.can("insurance.policy.read"):
        abort(404)
    customer_id = visible_customer(customer_id, current_user).id
    query = customer_policies_query(current_user, customer_id)
    rows = db.session.scalars(
        query.options(joinedload(Policy.product)).order_by(Policy.end_date, Policy.id)
    ).all()
    return render_template("insurance/_customer_policies.html", policies=rows)
