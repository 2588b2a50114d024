"""Household pages under ``/insurance/households``: the list (found by
name), a new household under a customer, a household's page — its members
with their relationship to the head, their live cover by line as a grid
(✓ or the gap), the gaps with a "New quote" link each, forms to add a
member (an existing person, or a new one filed under the household's
customer) and to remove one — and the Cross-sell list, households with
gaps, most first. Also the hint on the customer page's Policies tab
(:func:`household_hint`, a template global)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    Customer,
    StaleVersionError,
    ValidationError,
    db,
    form_payload,
    form_version,
    list_page,
    list_sort,
    require,
    search_match,
    translator,
    visible_customer_ids,
)

from ..models import LINES, Household
from ..services import households as homes
from ..services import parties
from .blueprint import bp
from .catalogue import line_labels

_, _l = translator("insurance")
LIST_SIZE = 50
HOUSEHOLD_SORTS = {"name": Household.name, "updated_at": Household.updated_at}
#: the endpoint of the quote form a gap links to (the policy pages', when there)
QUOTE_ENDPOINT = "insurance.new_quote"


def quote_url(customer_id: int | None, line: str) -> str | None:
    """The "New quote" link for a gap, or None while the app has no quote form."""
    if customer_id is None or QUOTE_ENDPOINT not in current_app.view_functions:
        return None
    return url_for(QUOTE_ENDPOINT, customer_id=customer_id, line=line)


def household_hint(customer_id: int | None) -> list[homes.HouseholdCover]:
    """The households with gaps that the customer heads or belongs to, as
    the current user sees them (nothing without ``insurance.policy.read``)."""
    if customer_id is None or not current_user.can("insurance.policy.read"):
        return []
    return homes.customer_gaps(customer_id, current_user)


@bp.app_context_processor
def household_helpers() -> dict:
    return {"household_hint": household_hint}


@bp.route("/households")
@login_required
def households():
    """Households the user may see by name (or sorted by a column), 50 a page, found by name."""
    require("insurance.policy.read")
    q = request.args.get("q", "").strip()[:100]
    sort, order = list_sort(HOUSEHOLD_SORTS, (Household.name, Household.id), Household.id)
    page = list_page()
    rows = db.session.scalars(
        homes.search_households(current_user, {"q": q})
        .options(joinedload(Household.customer))
        .order_by(*order)
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    covers = homes.covers(
        select(Household).where(Household.id.in_([h.id for h in rows[:LIST_SIZE]])), current_user
    )
    return render_template(
        "insurance/households/list.html",
        rows=rows[:LIST_SIZE],
        covers=covers,
        q=q,
        filters={"q": q} if q else {},
        sort=sort,
        page=page,
        more=len(rows) > LIST_SIZE,
    )


def _customers(q: str, chosen: int | None) -> list[tuple[int, str]]:
    """Customers the user may see to put a household under: found by ``q``
    (the first 50 by name), and the one already chosen."""
    query = select(Customer.id, Customer.name).where(
        Customer.id.in_(visible_customer_ids(current_user))
    )
    if q:
        query = query.where(search_match(Customer, q, current_user))
    rows = [(r.id, r.name) for r in db.session.execute(query.order_by(Customer.name).limit(50))]
    if chosen and chosen not in {i for i, _n in rows}:
        rows += [
            (r.id, r.name) for r in db.session.execute(query.where(Customer.id == chosen).limit(1))
        ]
    return rows


@bp.route("/households/new", methods=["GET", "POST"])
@login_required
def new_household():
    """A household under a customer the user may see (``?customer_id=`` to
    start from one, ``?q=`` to find one)."""
    require("insurance.policy.write")
    q = request.args.get("q", "").strip()[:100]
    values: dict = {"customer_id": request.args.get("customer_id", type=int)}
    errors: dict = {}
    status = 200
    if request.method == "POST":
        values = form_payload(homes.HouseholdInput())
        try:
            made = homes.create_household(values, current_user)
        except ValidationError as exc:  # 422 by field, 404 customer_id
            db.session.rollback()
            errors, status = exc.errors, exc.status
        else:
            flash(_("Household %(name)s added.", name=made.name), "success")
            return redirect(url_for(".household", household_id=made.id))
    return render_template(
        "insurance/households/new.html",
        values=values,
        errors=errors,
        q=q,
        customers=_customers(q, values.get("customer_id")),
    ), status


def _page(household: Household, errors: dict | None = None, failed: str = "", status=200):
    cover = homes.cover_of(household, current_user)
    gaps = [
        (gap, quote_url(_quote_customer(household, cover, gap), gap.line)) for gap in cover.gaps
    ]
    return render_template(
        "insurance/households/detail.html",
        household=household,
        cover=cover,
        gaps=gaps,
        lines=[(line, line_labels()[line]) for line in LINES],
        candidates=[(p.id, p.name) for p in parties.choosable_persons(current_user, household)]
        if current_user.can("insurance.policy.write")
        else [],
        errors=errors or {},
        failed=failed,
        values=request.form if failed else {},
        id_types=[
            ("cn_ric", _("Resident identity card")),
            ("passport", _("Passport")),
            ("other", _("Other")),
        ],
    ), status


def _quote_customer(household: Household, cover: homes.HouseholdCover, gap: homes.Gap) -> int:
    """Whom a gap's quote is for: the member's own customer file, else the household's."""
    member = next((m for m in cover.members if m.person_id == gap.person_id), None)
    if member is not None and member.person_customer_id:
        return member.person_customer_id
    return household.customer_id


@bp.route("/households/<int:household_id>", methods=["GET", "POST"])
@login_required
def household(household_id: int):
    """A household: members, cover by line, gaps; a POST renames it."""
    require("insurance.policy.read")
    found = homes.visible_household(household_id, current_user)
    if request.method == "POST":
        require("insurance.policy.write")
        try:
            homes.update_household(
                found, form_payload(homes.HouseholdChange()), current_user, form_version()
            )
        except ValidationError as exc:
            db.session.rollback()
            return _page(found, exc.errors, "rename", 422)
        except StaleVersionError:
            db.session.rollback()
            flash(
                _("Someone else changed this household meanwhile; look again and retry."), "error"
            )
        else:
            flash(_("Saved."), "success")
        return redirect(url_for(".household", household_id=found.id))
    return _page(found)


@bp.route("/households/<int:household_id>/members", methods=["POST"])
@login_required
def household_members(household_id: int):
    """Add a member (``person_id``), a new person filed under the
    household's customer (``name`` …), or remove one (``remove``)."""
    require("insurance.policy.write")
    found = homes.visible_household(household_id, current_user)
    form = request.form
    try:
        if form.get("remove"):
            person_id = form.get("remove", type=int) or 0
            homes.remove_members(found, {"person_ids": [person_id]}, current_user)
            flash(_("Member removed."), "success")
        elif form.get("person_id"):
            person_id = form.get("person_id", type=int) or 0
            homes.add_members(found, {"person_ids": [person_id]}, current_user)
            flash(_("Member added."), "success")
        else:
            values = form_payload(parties.InsurancePersonChange()) | {
                "customer_id": found.customer_id
            }
            person = parties.create_person(values, current_user)
            homes.add_members(found, {"person_ids": [person.id]}, current_user)
            flash(_("%(name)s added to the household.", name=person.name), "success")
    except ValidationError as exc:
        db.session.rollback()
        if exc.status == 422:  # the new person's fields, shown by the form
            return _page(found, exc.errors, "new_member", 422)
        flash(exc.summary, "error")  # 404 / 409 naming person_id
    return redirect(url_for(".household", household_id=found.id))


@bp.route("/cross-sell")
@login_required
def cross_sell():
    """Households with cover gaps, most gaps first, 50 a page."""
    require("insurance.policy.read")
    page = list_page()
    found = homes.cross_sell(current_user, page, LIST_SIZE)
    names = homes.customer_names(c.customer_id for c in found["items"])
    return render_template(
        "insurance/households/cross_sell.html",
        rows=found["items"],
        names=names,
        total=found["total"],
        page=page,
        more=page * LIST_SIZE < found["total"],
    )
