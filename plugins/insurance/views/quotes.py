"""The "New quote" form and a draft's edit (the same form filled in with
it): a customer, a product and its covers, the start, the frequency, the
insured person, the beneficiaries and the insured vehicle or property. A
refused input is shown by its field, nothing saved."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import (
    Customer,
    NotFoundError,
    StaleVersionError,
    ValidationError,
    db,
    form_version,
    is_id,
    require,
    translator,
    visible_customer,
    visible_customer_ids,
)

from ..models import RELATIONS, InsuranceProduct, Person, Policy
from ..services.access import visible_persons, visible_policy
from ..services.policies.parties_input import beneficiaries_of, coverages_of, insured_of, objects_of
from ..services.policies.quoting import create_quote, update_draft
from ..services.terms import today
from .blueprint import bp
from .catalogue import frequency_labels
from .policies import OBJECT_LABELS, RELATION_LABELS, _cover_errors, _covers_from_form

_, _l = translator("insurance")

#: the beneficiary rows of the quote form
BENEFICIARY_ROWS = 3


@bp.route("/quotes/new", methods=["GET", "POST"])
@login_required
def new_quote():
    """The "New quote" form: a customer (``customer_id``; chosen here when
    not given), a product (``product_id``: its covers shown once chosen),
    the start, the frequency, the insured person, up to three beneficiaries
    (life and accident), the insured vehicle or property and the covers."""
    require("insurance.policy.write")
    args = request.values
    customer = _customer(args.get("customer_id", type=int))
    product = _product(args.get("product_id", type=int))
    if request.method == "GET" or customer is None or product is None:
        values = {"start_date": today().isoformat(), "frequency": "annual", "relation": "self"}
        values |= {k: v for k, v in request.args.items()}
        return _quote_form(customer, product, values, {})
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    payload = _quote_payload(customer, product)
    try:
        made = create_quote(payload, current_user)
    except ValidationError as exc:
        db.session.rollback()
        return _quote_form(customer, product, values, _quote_errors(exc.errors, payload), 422)
    flash(_("Quote %(number)s made.", number=made.quote_number), "success")
    return redirect(url_for(".policy", policy_id=made.id))


def _customer(customer_id: int | None) -> Customer | None:
    if not customer_id:
        return None
    try:
        return visible_customer(customer_id, current_user)
    except NotFoundError:
        abort(404)


def _product(product_id: int | None) -> InsuranceProduct | None:
    if not is_id(product_id):  # none chosen yet, or no id at all
        return None
    found = db.session.get(InsuranceProduct, product_id)
    if found is None or found.deleted_at is not None or not found.active:
        abort(404)
    return found


def _quote_form(customer, product, values: dict, errors: dict, status=200, draft=None):
    customers = []
    if customer is None:
        customers = db.session.execute(
            select(Customer.id, Customer.name)
            .where(Customer.id.in_(visible_customer_ids(current_user)))
            .order_by(Customer.name, Customer.id)
            .limit(500)
        ).all()
    products = db.session.scalars(
        select(InsuranceProduct)
        .where(InsuranceProduct.active.is_(True), InsuranceProduct.deleted_at.is_(None))
        .order_by(InsuranceProduct.name, InsuranceProduct.id)
    ).all()
    persons = []
    if customer is not None:
        persons = db.session.scalars(
            visible_persons(current_user)
            .where(Person.customer_id == customer.id)
            .order_by(Person.name, Person.id)
            .limit(200)
        ).all()
    return render_template(
        "insurance/policies/quote_form.html",
        customer=customer,
        product=product,
        customers=[(str(i), name) for i, name in customers],
        products=[(str(p.id), p.name) for p in products],
        persons=[(str(p.id), p.name) for p in persons],
        frequencies=[
            (k, v)
            for k, v in frequency_labels().items()
            if product is None or k in product.frequencies
        ],
        relations=[(k, str(v)) for k, v in RELATION_LABELS.items() if k in RELATIONS],
        object_kinds=[(k, str(v)) for k, v in OBJECT_LABELS.items()],
        names_beneficiaries=product is not None and product.line in ("life", "accident"),
        beneficiary_rows=BENEFICIARY_ROWS,
        draft=draft,
        values=values,
        errors=errors,
    ), status


def _quote_payload(customer: Customer, product: InsuranceProduct) -> dict:
    """The form as ``create_quote`` reads it."""
    form = request.form

    def text(name: str) -> str | None:
        return (form.get(name) or "").strip() or None

    insured: dict = {"relation": text("relation") or "self"}
    if text("person_id"):
        insured["person_id"] = form.get("person_id", type=int)
    else:
        insured |= {
            "name": text("insured_name"),
            "birth_date": text("birth_date"),
            "gender": text("gender"),
            "national_id": text("national_id"),
        }
    payload: dict = {
        "customer_id": customer.id,
        "product_id": product.id,
        "start_date": text("start_date"),
        "frequency": text("frequency") or "annual",
        "insured": [insured],
        "coverages": _covers_from_form(product),
        "beneficiaries": [
            _beneficiary(
                form.get(f"beneficiary.{i}.person_id", type=int),
                text(f"beneficiary.{i}.name"),
                text(f"beneficiary.{i}.share") or "0",
                form.get(f"beneficiary.{i}.rank", 1, type=int),
            )
            for i in range(BENEFICIARY_ROWS)
            if text(f"beneficiary.{i}.name") or text(f"beneficiary.{i}.person_id")
        ],
        "objects": [],
    }
    if text("object_description"):
        payload["objects"] = [
            {
                "kind": text("object_kind") or "vehicle",
                "description": text("object_description"),
                "plate": text("plate"),
                "vehicle_class": text("vehicle_class"),
                "value": text("object_value"),
            }
        ]
    if not payload["coverages"]:
        payload["coverages"] = None  # the product's mandatory covers
    return payload


def _beneficiary(person_id: int | None, name: str | None, share: str, rank: int) -> dict:
    """A beneficiary row: the person on file it was, else a new one by name."""
    who: dict = {"person_id": person_id} if person_id else {"name": name}
    return who | {"share": share, "rank": rank}


def _quote_errors(errors: dict, payload: dict) -> dict:
    """The service's keys as the form's field names."""
    renamed = {
        "insured.0.name": "insured_name",
        "insured.0.birth_date": "birth_date",
        "insured.0.gender": "gender",
        "insured.0.national_id": "national_id",
        "insured.0.person_id": "person_id",
        "insured.0.relation": "relation",
        "objects.0.description": "object_description",
        "objects.0.kind": "object_kind",
        "objects.0.plate": "plate",
        "objects.0.vehicle_class": "vehicle_class",
        "objects.0.value": "object_value",
        "birth_date": "birth_date",
        "age": "birth_date",
    }
    out: dict = {}
    for key, messages in _cover_errors(errors, payload).items():
        if key.startswith("beneficiaries."):
            key = "beneficiaries"
        out.setdefault(renamed.get(key, key), []).extend(messages)
    return out


@bp.route("/policies/<int:policy_id>/edit", methods=["GET", "POST"])
@login_required
def edit_quote(policy_id: int):
    """Change a draft (a quote revised): the "New quote" form filled in
    with it; saved on the version read. ``Quote`` on its page prices it again."""
    require("insurance.policy.write")
    found = visible_policy(policy_id, current_user)
    if found.status != "draft":
        flash(_("Only a draft can be changed: revise the quote first."), "error")
        return redirect(url_for(".policy", policy_id=found.id))
    product = db.session.get(InsuranceProduct, found.product_id)
    assert product is not None
    if request.method == "GET":
        return _quote_form(found.customer, product, _draft_values(found), {}, draft=found)
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    payload = _quote_payload(found.customer, product)
    del payload["customer_id"], payload["product_id"]
    try:
        update_draft(found, payload, current_user, form_version())
    except StaleVersionError:
        db.session.rollback()
        flash(_("Someone else changed this policy meanwhile; look again and retry."), "error")
        return redirect(url_for(".edit_quote", policy_id=policy_id))
    except ValidationError as exc:
        db.session.rollback()
        found = visible_policy(policy_id, current_user)
        errors = _quote_errors(exc.errors, payload)
        return _quote_form(found.customer, product, values, errors, 422, draft=found)
    flash(_("Draft %(number)s saved.", number=found.display_number), "success")
    return redirect(url_for(".policy", policy_id=found.id))


def _draft_values(found: Policy) -> dict:
    """The quote form's fields as ``found`` stands."""
    values: dict = {
        "start_date": found.start_date.isoformat(),
        "frequency": found.frequency,
        "relation": "self",
    }
    insured = insured_of(found.id)
    if insured:
        values |= {"person_id": str(insured[0].person_id), "relation": insured[0].relation}
    for i, row in enumerate(beneficiaries_of(found.id)[:BENEFICIARY_ROWS]):
        values |= {
            f"beneficiary.{i}.person_id": str(row.person_id),
            f"beneficiary.{i}.name": row.person.name,
            f"beneficiary.{i}.share": str(row.share),
            f"beneficiary.{i}.rank": str(row.rank),
        }
    objects = objects_of(found.id)
    if objects:
        first = objects[0]
        values |= {
            "object_kind": first.kind,
            "object_description": first.description,
            "plate": first.plate or "",
            "vehicle_class": first.vehicle_class or "",
            "object_value": "" if first.value is None else str(first.value),
        }
    covers = (found.inputs or {}).get("coverages")
    if covers is None:
        covers = [
            {"code": c.cover_code, "sum_insured": str(c.sum_insured), "deductible": None}
            for c in coverages_of(found.id)
        ]
    for cover in covers:
        values[f"cover.{cover['code']}"] = "1"
        values[f"sum_insured.{cover['code']}"] = cover.get("sum_insured") or ""
        values[f"deductible.{cover['code']}"] = cover.get("deductible") or ""
    return values
