"""A person's page under ``/insurance/persons``: who they are, the customer
file they are kept under, their household, and their national ID number
masked — a holder of ``insurance.pii.read`` may show it whole, and each
such showing is audited. A POST changes the person (the number checked
again against the birth date)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core.api import (
    Customer,
    StaleVersionError,
    ValidationError,
    db,
    form_payload,
    form_version,
    require,
    translator,
)

from ..models import Person
from ..services import parties
from .blueprint import bp

_, _l = translator("insurance")
FIELDS = ("name", "gender", "birth_date", "id_type", "national_id")


def id_type_labels() -> dict[str, str]:
    return {"cn_ric": _("Resident identity card"), "passport": _("Passport"), "other": _("Other")}


def gender_labels() -> dict[str, str]:
    return {"f": _("Female"), "m": _("Male")}


def _page(person: Person, values: dict, errors: dict, status=200):
    shown = request.args.get("show") == "national_id" and not errors
    return render_template(
        "insurance/persons/detail.html",
        person=person,
        national_id=parties.shown_id(person, current_user) if shown else parties.masked_id(person),
        disclosed=shown and current_user.can(parties.PII_READ),
        may_disclose=current_user.can(parties.PII_READ) and person.national_id is not None,
        household=parties.household_of(person),
        customer=db.session.get(Customer, person.customer_id),
        values=values,
        errors=errors,
        id_types=list(id_type_labels().items()),
        genders=list(gender_labels().items()),
    ), status


@bp.route("/persons/<int:person_id>", methods=["GET", "POST"])
@login_required
def person(person_id: int):
    """A person (``?show=national_id``: the number whole, audited, for a
    holder of ``insurance.pii.read``); a POST changes them."""
    require("insurance.policy.read")
    found = parties.visible_person(person_id, current_user)
    values = {f: getattr(found, f) for f in FIELDS if f != "national_id"}
    if request.method == "GET":
        return _page(found, values, {})
    require("insurance.policy.write")
    posted = form_payload(parties.InsurancePersonChange(), only=FIELDS)
    if not posted.get("national_id"):
        posted.pop("national_id", None)  # left empty: the number stays as it is
    try:
        parties.update_person(found, dict(posted), current_user, form_version())
    except ValidationError as exc:
        db.session.rollback()
        return _page(found, posted, exc.errors, exc.status)
    except StaleVersionError:
        db.session.rollback()
        flash(_("Someone else changed this person meanwhile; look again and retry."), "error")
        return redirect(url_for(".person", person_id=found.id))
    flash(_("Saved."), "success")
    return redirect(url_for(".person", person_id=found.id))
