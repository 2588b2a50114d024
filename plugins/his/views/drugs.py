"""The formulary's pages (药品目录): the drugs list, found by code or name,
and the form that adds or edits a drug (``his.admin``). A drug no longer in
use is deactivated: prescriptions keep pointing at it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core.api import (
    StaleVersionError,
    ValidationError,
    db,
    form_payload,
    form_version,
    list_page,
    require,
    translator,
)

from ..models import Drug
from ..services import orders
from ..services.orders.inputs import DrugChange, DrugInput
from .blueprint import bp

_, _l = translator("his")

LIST_SIZE = 50
FIELDS = (
    "code",
    "generic_name",
    "brand_name",
    "name_zh",
    "form",
    "strength",
    "unit",
    "pack_size",
    "price",
    "currency",
    "category",
    "allergen_class",
    "active",
)


def category_labels() -> dict[str, str]:
    return {"rx": _("Prescription only (Rx)"), "otc": _("Over the counter (OTC)")}


@bp.route("/drugs", endpoint="drugs")
@login_required
def drugs_list():
    """The formulary by code, 50 a page; ``q`` finds by code or a name."""
    require("his.admin")
    q = request.args.get("q", "").strip()[:100]
    page = list_page()
    rows = db.session.scalars(
        orders.drugs_query(q)
        .order_by(Drug.code)
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    return render_template(
        "his/drugs.html",
        rows=rows[:LIST_SIZE],
        q=q,
        filters={"q": q} if q else {},
        page=page,
        more=len(rows) > LIST_SIZE,
        categories=category_labels(),
    )


@bp.route("/drugs/new", methods=["GET", "POST"], defaults={"drug_id": None})
@bp.route("/drugs/<int:drug_id>/edit", methods=["GET", "POST"])
@login_required
def drug_form(drug_id: int | None):
    """Add or edit a drug of the formulary."""
    require("his.admin")
    found = orders.get_drug(drug_id) if drug_id else None
    values: dict = {"category": "rx", "active": True}
    if found is not None:
        values = {name: getattr(found, name) for name in FIELDS}
    errors: dict = {}
    status = 200
    if request.method == "POST":
        posted = form_payload(DrugChange() if found else DrugInput())
        try:
            if found is None:
                saved = orders.create_drug(posted, current_user)
            else:
                saved = orders.update_drug(found, dict(posted), current_user, form_version())
        except (ValidationError, StaleVersionError) as exc:
            db.session.rollback()
            values = posted
            if isinstance(exc, ValidationError):
                errors, status = exc.errors, exc.status
            else:
                errors = {"_schema": [_("Someone else changed this drug meanwhile; look again.")]}
                status = 409
        else:
            flash(_("Drug %(code)s saved.", code=saved.code), "success")
            return redirect(url_for(".drugs"))
    return render_template(
        "his/drugs_form.html",
        drug=found,
        values=values,
        errors=errors,
        categories=category_labels(),
    ), status
