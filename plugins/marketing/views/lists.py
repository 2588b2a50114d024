"""``/marketing/lists``: static lists — the lists a user may see, a list's
page with the members the user may see (and taking some off), the form
for a new list, freezing a segment into one, and putting a customer on a
list from the customer's page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core.api import (
    Customer,
    ForbiddenError,
    NotFoundError,
    StaleVersionError,
    ValidationError,
    db,
    form_version,
    hidden_fields,
    list_page,
    require,
    translator,
    utcnow,
    visible_customer,
)

from ..models import Segment, StaticList
from ..services import lists, segments
from .blueprint import bp

_, _l = translator("marketing")

PER_PAGE = 50


@bp.route("/lists")
@login_required
def lists_list():
    require("marketing.segment.read")
    q = request.args.get("q", "").strip()
    found = db.session.scalars(
        lists.search_lists(current_user, {"q": q}).order_by(StaticList.name)
    ).all()
    counts = {f.id: lists.count_members(f, current_user) for f in found}
    return render_template("marketing/lists.html", lists=found, counts=counts, q=q)


@bp.route("/lists/<int:list_id>")
@login_required
def static_list(list_id: int):
    require("marketing.segment.read")
    found = lists.visible_list(list_id, current_user)
    page = list_page()
    may_list = current_user.can("customer.read")
    members = []
    if may_list:
        members = db.session.scalars(
            lists.members_query(found, current_user)
            .order_by(Customer.name, Customer.id)
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE + 1)
        ).all()
    source = db.session.get(Segment, found.segment_id) if found.segment_id else None
    return render_template(
        "marketing/list.html",
        found=found,
        source=source if source is not None and source.deleted_at is None else None,
        count=lists.count_members(found, current_user),
        members=members[:PER_PAGE],
        may_list=may_list,
        page=page,
        more=len(members) > PER_PAGE,
        hidden=hidden_fields(current_user, "customer"),
        may_change=lists.may_change(found, current_user)
        and current_user.can("marketing.segment.write"),
    )


@bp.route("/lists/new")
@login_required
def new_list():
    require("marketing.segment.write")
    return _form({"shared": True, "segment_id": request.args.get("segment_id", type=int)})


@bp.route("/lists", methods=["POST"])
@login_required
def create_list():
    require("marketing.segment.write")
    payload = {
        "name": request.form.get("name", "").strip(),
        "description": request.form.get("description", "").strip() or None,
        "shared": request.form.get("shared") == "1",
        "segment_id": request.form.get("segment_id", type=int),
    }
    try:
        created = lists.create_list(payload, current_user)
    except ValidationError as exc:
        db.session.rollback()
        return _form(payload, exc.errors, 422)
    flash(_("List %(name)s saved.", name=created.name), "success")
    return redirect(url_for(".static_list", list_id=created.id))


def _form(values: dict, errors: dict | None = None, status: int = 200):
    shown = segments.visible_segments(current_user).order_by(Segment.name)
    choices = [(str(s.id), s.name) for s in db.session.scalars(shown)]
    return render_template(
        "marketing/list_form.html", values=values, errors=errors or {}, segments=choices
    ), status


@bp.route("/segments/<int:segment_id>/freeze", methods=["POST"])
@login_required
def freeze_segment(segment_id: int):
    """Save a segment's members, as the user sees them now, as a static list."""
    require("marketing.segment.write")
    found = segments.visible_segment(segment_id, current_user)
    name = f"{found.name} {utcnow():%Y-%m-%d}"[:120]
    try:
        created = lists.create_list({"name": name, "segment_id": found.id}, current_user)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.summary, "error")
        return redirect(url_for(".segment", segment_id=segment_id))
    flash(_("List %(name)s saved.", name=created.name), "success")
    return redirect(url_for(".static_list", list_id=created.id))


@bp.route("/lists/<int:list_id>/remove", methods=["POST"])
@login_required
def remove_from_list(list_id: int):
    require("marketing.segment.write")
    found = lists.visible_list(list_id, current_user)
    ids = [int(i) for i in request.form.getlist("customer_id") if i.isdigit()]
    if not ids:
        flash(_("Pick the customers to take off the list."), "error")
        return redirect(url_for(".static_list", list_id=list_id))
    try:
        removed = lists.remove_members(found, {"customer_ids": ids}, current_user)
    except (ValidationError, ForbiddenError) as exc:
        db.session.rollback()
        flash(exc.summary if isinstance(exc, ValidationError) else str(exc), "error")
        return redirect(url_for(".static_list", list_id=list_id))
    flash(_("%(n)s customers taken off the list.", n=removed), "success")
    return redirect(url_for(".static_list", list_id=list_id))


@bp.route("/lists/<int:list_id>/delete", methods=["POST"])
@login_required
def delete_list(list_id: int):
    require("marketing.segment.write")
    found = lists.visible_list(list_id, current_user)
    try:
        lists.delete_list(found, current_user, form_version())
    except (ForbiddenError, StaleVersionError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".static_list", list_id=list_id))
    flash(_("List %(name)s moved to the recycle bin.", name=found.name), "success")
    return redirect(url_for(".lists_list"))


@bp.route("/customers/<int:customer_id>/lists", methods=["GET", "POST"])
@login_required
def customer_lists(customer_id: int):
    """Put one customer on a list the user may change (the customer page's action)."""
    require("marketing.segment.write")
    customer = visible_customer(customer_id, current_user)
    mine = [
        f
        for f in db.session.scalars(lists.visible_lists(current_user).order_by(StaticList.name))
        if lists.may_change(f, current_user)
    ]
    errors: dict = {}
    if request.method == "POST":
        try:
            target = lists.visible_list(request.form.get("list_id", 0, type=int), current_user)
            added = lists.add_members(target, {"customer_ids": [customer.id]}, current_user)
        except NotFoundError:
            errors = {"list_id": [_("Pick a list.")]}
        except (ValidationError, ForbiddenError) as exc:
            db.session.rollback()
            errors = {"list_id": [exc.summary if isinstance(exc, ValidationError) else str(exc)]}
        else:
            message = (
                _("Added to %(name)s.", name=target.name)
                if added
                else _("Already on %(name)s.", name=target.name)
            )
            flash(message, "success")
            return redirect(url_for("customers.detail", customer_id=customer.id))
    return render_template(
        "marketing/customer_lists.html",
        customer=customer,
        lists=[(f.id, f.name) for f in mine],
        errors=errors,
    ), 422 if errors else 200
