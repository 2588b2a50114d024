"""Web pages of invoices (发票) and billing details (开票信息): the contract
page's invoices section (an htmx fragment: contracted, invoiced and
collected, the invoices, the request form and finance's issue and cancel),
the invoices list (finance's queue of requested invoices), an invoice's page
and the customer page's Billing details tab.

Every read goes through the scoped queries (:func:`visible_record`,
:func:`search_invoices`); the forms call the services the API calls.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError as FieldError
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    ForbiddenError,
    ValidationError,
    db,
    form_version,
    instance_region,
    list_page,
    require,
    translator,
    visible_customer,
)

from ..models import Contract, Invoice
from ..models.invoice import BILLING_FIELDS, INVOICE_KINDS, INVOICE_STATUSES
from ..services.access import visible_record
from ..services.invoices import billing, invoices
from ..services.invoices.listing import search_invoices
from ..services.invoices.summary import contract_summary
from ..services.validation import month_value
from .blueprint import bp

_, _l = translator("sales")
LIST_SIZE = 50
STATUS_TONES = {"requested": "warn", "issued": "ok", "cancelled": ""}


@bp.app_context_processor
def invoice_labels() -> dict:
    return {
        "invoice_kind": invoices.kind_label,
        "invoice_status": invoices.status_label,
        "invoice_tone": lambda status: STATUS_TONES.get(status, ""),
        "billing_label": lambda key: str(invoices.FIELD_LABELS[key]),
        "billing_region": instance_region,
        "has_contract_page": lambda: "sales.contract" in current_app.view_functions,
    }


def _contract_url(contract: Contract) -> str:
    """The contract's page (the contracts' pages may be missing in a slimmed
    app: then the invoices list of the contract)."""
    if "sales.contract" in current_app.view_functions:
        return url_for("sales.contract", contract_id=contract.id)
    return url_for("sales.invoices", contract_id=contract.id, status="all")


def _section(contract: Contract, values: dict | None = None, errors: dict | None = None):
    rows = db.session.scalars(
        select(Invoice)
        .where(Invoice.contract_id == contract.id, Invoice.deleted_at.is_(None))
        .order_by(Invoice.created_at.desc(), Invoice.id.desc())
    ).all()
    return render_template(
        "sales/_contract_invoices.html",
        contract=contract,
        summary=contract_summary(contract),
        invoices=rows,
        invoiceable=contract.status in invoices.INVOICEABLE,
        kinds=INVOICE_KINDS,
        values=values or {"kind": "vat_normal"},
        errors=errors or {},
    )


@bp.get("/contracts/<int:contract_id>/invoices")
@login_required
def contract_invoices(contract_id: int):
    """The contract page's invoices section (loaded with ``hx-get``)."""
    require("sales.invoice.read")
    return _section(visible_record(Contract, contract_id, current_user))


@bp.post("/contracts/<int:contract_id>/invoices")
@login_required
def request_invoice(contract_id: int):
    """The section's request form: back to the contract, or the form again
    with each refusal by its field."""
    require("sales.invoice.write")
    contract = visible_record(Contract, contract_id, current_user)
    values = {k: request.form.get(k, "").strip() for k in ("kind", "amount", "payment_id")}
    payload = {k: v for k, v in values.items() if v} | {"contract_id": contract.id}
    try:
        invoices.request_invoice(payload, current_user)
    except ValidationError as exc:
        db.session.rollback()
        page = render_template(
            "sales/invoice_request.html",
            contract=contract,
            section=_section(contract, values, exc.errors),
        )
        return page, exc.status
    flash(_("Invoice requested."), "success")
    return redirect(_contract_url(contract))


@bp.get("/invoices", endpoint="invoices")
@login_required
def invoices_list():
    """The invoices the user may see, newest change first, 50 a page; by
    status (finance starts on the queue of requested ones), kind, customer
    and the month they were issued in; found by number, title or customer."""
    require("sales.invoice.read")
    default = "requested" if current_user.can(invoices.ISSUE) else "all"
    status = request.args.get("status", default)
    status = status if status in (*INVOICE_STATUSES, "all") else default
    kind = request.args.get("kind", "")
    month = request.args.get("month", "").strip()
    errors = {}
    try:
        month_value(month) if month else None
    except FieldError as exc:  # shown by the field; the list is then not narrowed by month
        errors["month"] = [str(message) for message in exc.messages]
        month = ""
    args = {
        "q": request.args.get("q", "").strip()[:100],
        "kind": kind if kind in INVOICE_KINDS else None,
        "customer_id": request.args.get("customer_id", type=int),
        "contract_id": request.args.get("contract_id", type=int),
        "month": month or None,
    }
    page = list_page()
    query = search_invoices(current_user, {**args, "status": None if status == "all" else status})
    rows = db.session.scalars(
        query.options(joinedload(Invoice.customer), joinedload(Invoice.contract))
        .order_by(Invoice.updated_at.desc(), Invoice.id.desc())
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    filters = {k: v for k, v in args.items() if v}
    return render_template(
        "sales/invoices.html",
        invoices=rows[:LIST_SIZE],
        more=len(rows) > LIST_SIZE,
        page=page,
        status=status,
        args=args,
        filters=filters,
        kinds=INVOICE_KINDS,
        errors=errors,
    )


def _invoice_page(invoice: Invoice, errors: dict | None = None, values: dict | None = None):
    return render_template(
        "sales/invoice.html",
        invoice=invoice,
        errors=errors or {},
        values=values or {"issued_on": invoices.today().isoformat()},
    )


@bp.get("/invoices/<int:invoice_id>")
@login_required
def invoice(invoice_id: int):
    """An invoice: its billing details as copied, its state, and finance's
    issue and cancel forms."""
    require("sales.invoice.read")
    return _invoice_page(visible_record(Invoice, invoice_id, current_user))


@bp.post("/invoices/<int:invoice_id>/issue")
@login_required
def issue_invoice(invoice_id: int):
    require(invoices.ISSUE)
    found = visible_record(Invoice, invoice_id, current_user)
    values = {k: request.form.get(k, "").strip() for k in ("number", "issued_on")}
    payload = {"number": values["number"], "issued_on": values["issued_on"] or None}
    try:
        invoices.issue_invoice(found, payload, current_user, form_version())
    except ValidationError as exc:
        db.session.rollback()
        return _invoice_page(found, exc.errors, values), exc.status
    flash(_("Invoice %(number)s issued.", number=found.number), "success")
    return redirect(url_for("sales.invoice", invoice_id=found.id))


@bp.post("/invoices/<int:invoice_id>/cancel")
@login_required
def cancel_invoice(invoice_id: int):
    if not current_user.can(invoices.ISSUE):
        require("sales.invoice.write")
    found = visible_record(Invoice, invoice_id, current_user)
    values = {"reason": request.form.get("reason", "").strip()}
    try:
        invoices.cancel_invoice(found, values, current_user, form_version())
    except ValidationError as exc:
        db.session.rollback()
        return _invoice_page(found, exc.errors, values), exc.status
    except ForbiddenError:
        db.session.rollback()
        raise
    flash(_("Invoice cancelled."), "success")
    return redirect(url_for("sales.invoice", invoice_id=found.id))


@bp.get("/customers/<int:customer_id>/billing")
@login_required
def customer_billing(customer_id: int):
    """The customer page's Billing details tab: the details, and the form
    for whoever may edit the customer."""
    require("customer.read")
    profile = billing.billing_profile(customer_id, current_user)
    values = {k: getattr(profile, k) for k in BILLING_FIELDS} if profile else {}
    return render_template(
        "sales/_customer_billing.html",
        customer_id=customer_id,
        profile=profile,
        values=values | {"version": profile.version if profile else None},
        errors={},
        fields=BILLING_FIELDS,
    )


@bp.post("/customers/<int:customer_id>/billing")
@login_required
def save_customer_billing(customer_id: int):
    """The tab's form: back to the tab, or the form on a page of its own
    with each refusal by its field."""
    require("customer.write")
    customer = visible_customer(customer_id, current_user)
    values = {k: request.form.get(k, "") for k in BILLING_FIELDS}
    try:
        billing.save_billing_profile(customer.id, values, current_user, form_version())
    except ValidationError as exc:
        db.session.rollback()
        page = render_template(
            "sales/billing_form.html",
            customer=customer,
            values=values | {"version": request.form.get("version")},
            errors=exc.errors,
            fields=BILLING_FIELDS,
        )
        return page, exc.status
    flash(_("Billing details saved."), "success")
    return redirect(url_for("customers.detail", customer_id=customer.id, tab="billing"))
