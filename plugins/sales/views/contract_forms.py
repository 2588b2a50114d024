"""Contract forms: a new contract (from a customer's page, from a deal),
the contract of an accepted quote, a draft's edit, an amendment and a
termination. A refused input is shown by its field, nothing saved."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import (
    ConflictError,
    Customer,
    StaleVersionError,
    ValidationError,
    db,
    form_payload,
    form_version,
    instance_currency,
    require,
    text_contains,
    translator,
    visible_customer,
)

from ..models import Quote
from ..services.access import visible_customers, visible_deal, visible_record
from ..services.contracts import editing
from ..services.contracts.amendments import AMENDABLE, amend
from ..services.contracts.lifecycle import terminate
from ..services.contracts.queries import visible_contract
from .blueprint import bp

_, _l = translator("sales")
FIELDS = ("title", "amount", "currency", "contact_id", "deal_id", "start_date", "end_date", "terms")
CHOICES = 20
STALE = _l(
    "Someone else changed this contract while you were editing. Your input is kept below; "
    "check the contract's page and save again."
)


def render_form(contract, customer, values, errors, status=200):
    return render_template(
        "sales/contract_form.html",
        contract=contract,
        customer=customer,
        values=values,
        errors=errors,
        contacts=[c for c in customer.contacts if c.deleted_at is None],
    ), status


@bp.route("/contracts/new", methods=["GET", "POST"])
@login_required
def new_contract():
    """A new draft: for a customer (``customer_id``) or a deal (``deal_id``:
    its customer, contact, title and amount filled in)."""
    require("sales.contract.write")
    deal = None
    if request.args.get("deal_id", type=int):
        deal = visible_deal(request.args.get("deal_id", type=int), current_user)
    if deal is None and "customer_id" not in request.args:
        return choose_customer()
    customer = (
        deal.customer
        if deal
        else visible_customer(request.args.get("customer_id", 0, type=int), current_user)
    )
    if request.method == "GET":
        values = {"currency": instance_currency()}
        if deal is not None:
            values |= {
                "title": deal.title,
                "amount": deal.amount,
                "currency": deal.currency,
                "contact_id": deal.contact_id,
                "deal_id": deal.id,
            }
        return render_form(None, customer, values, {})
    data = form_payload(editing.SalesContractInput(), only=FIELDS)
    try:
        created = editing.create_contract({**data, "customer_id": customer.id}, current_user)
    except ValidationError as exc:
        db.session.rollback()
        return render_form(None, customer, data, exc.errors, 422)
    flash(_("Contract %(number)s created.", number=created.number), "success")
    return redirect(url_for(".contract", contract_id=created.id))


def choose_customer():
    """The first step of a new contract begun from the list: whose contract."""
    words = request.args.get("q", "").strip()[:100]
    found = []
    if words:
        found = db.session.scalars(
            select(Customer)
            .where(Customer.id.in_(visible_customers(current_user)))
            .where(text_contains(Customer.name, words))
            .order_by(Customer.name)
            .limit(CHOICES)
        ).all()
    return render_template("sales/contract_customer.html", words=words, found=found)


@bp.post("/quotes/<int:quote_id>/contract")
@login_required
def contract_from_quote(quote_id: int):
    """Turn an accepted quote into a draft contract and open it."""
    require("sales.contract.write")
    quote = visible_record(Quote, quote_id, current_user)
    try:
        created = editing.contract_from_quote(quote, current_user)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.summary, "error")
        return redirect(url_for(".quote", quote_id=quote.id))
    flash(_("Contract %(number)s created.", number=created.number), "success")
    return redirect(url_for(".contract", contract_id=created.id))


@bp.route("/contracts/<int:contract_id>/edit", methods=["GET", "POST"])
@login_required
def edit_contract(contract_id: int):
    require("sales.contract.write")
    found = visible_contract(contract_id, current_user)
    if request.method == "GET":
        values = {k: getattr(found, k) for k in FIELDS} | {"version": found.version}
        return render_form(found, found.customer, values, {})
    data = form_payload(editing.SalesContractChange(), only=FIELDS)
    read = form_version()
    try:
        editing.update_contract(found, data, current_user, read)
    except ValidationError as exc:  # also a contract no longer a draft (409 by field)
        db.session.rollback()
        return render_form(found, found.customer, data | {"version": read}, exc.errors, 422)
    except ConflictError as exc:  # waiting for approval
        db.session.rollback()
        flash(str(exc), "error")
        return render_form(found, found.customer, data | {"version": read}, {}, 409)
    except StaleVersionError:
        db.session.rollback()
        flash(str(STALE), "error")
        return render_form(found, found.customer, data | {"version": found.version}, {}, 409)
    flash(_("Saved."), "success")
    return redirect(url_for(".contract", contract_id=found.id))


@bp.route("/contracts/<int:contract_id>/amend", methods=["GET", "POST"])
@login_required
def amend_contract(contract_id: int):
    """Amend a signed or active contract: the changed values and the reason."""
    require("sales.contract.write")
    found = visible_contract(contract_id, current_user)
    values = {k: getattr(found, k) for k in AMENDABLE} | {"version": found.version}
    if request.method == "GET":
        return _amend_form(found, values, {})
    posted = {k: request.form.get(k, "") for k in AMENDABLE}
    current = {k: "" if v is None else str(v) for k, v in values.items()}
    changes = {k: (v or None) for k, v in posted.items() if v.strip() != current[k]}
    reason = request.form.get("reason", "")
    shown = posted | {"reason": reason, "version": form_version()}
    try:
        amend(found, changes, reason, current_user, form_version())
    except ValidationError as exc:
        db.session.rollback()
        return _amend_form(found, shown, exc.errors, 422)
    except ConflictError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _amend_form(found, shown, {}, 409)
    except StaleVersionError:
        db.session.rollback()
        flash(str(STALE), "error")
        return _amend_form(found, shown | {"version": found.version}, {}, 409)
    flash(_("Amendment %(n)s saved.", n=found.amendment), "success")
    return redirect(url_for(".contract", contract_id=found.id))


def _amend_form(found, values, errors, status=200):
    return render_template(
        "sales/contract_amend.html", contract=found, values=values, errors=errors
    ), status


@bp.route("/contracts/<int:contract_id>/terminate", methods=["GET", "POST"])
@login_required
def terminate_contract(contract_id: int):
    """End a signed or active contract early, saying why."""
    require("sales.contract.write")
    found = visible_contract(contract_id, current_user)
    values = {"reason": request.form.get("reason", ""), "version": found.version}
    if request.method == "GET":
        return _terminate_form(found, values, {})
    try:
        terminate(found, {"reason": values["reason"]}, current_user, form_version())
    except ValidationError as exc:
        db.session.rollback()
        return _terminate_form(found, values, exc.errors, 422)
    except (ConflictError, StaleVersionError) as exc:
        db.session.rollback()
        flash(str(exc) if isinstance(exc, ConflictError) else str(STALE), "error")
        return _terminate_form(found, values, {}, 409)
    flash(_("%(number)s is terminated.", number=found.number), "success")
    return redirect(url_for(".contract", contract_id=found.id))


def _terminate_form(found, values, errors, status=200):
    return render_template(
        "sales/contract_terminate.html", contract=found, values=values, errors=errors
    ), status
