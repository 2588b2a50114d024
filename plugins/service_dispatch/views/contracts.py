"""Pages for entitlement: a customer's service contracts and warranties
(``/service/customers/<id>/contracts``, ``/service/contracts/<id>``) and the
service admin's SLA page (``/service/sla``: the policies, the business
calendar and its holidays and make-up days)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func
from sqlalchemy.orm import contains_eager

from core.api import (
    StaleVersionError,
    ValidationError,
    db,
    form_payload,
    form_version,
    list_page,
    list_sort,
    require,
    translator,
    utcnow,
    visible_customer,
)

from ..models import CONTRACT_KINDS, PRIORITIES, Contract
from ..services import entitlement, sla
from ..services.business_hours import load_calendar
from .blueprint import bp

_, _l = translator("service_dispatch")
CONTRACT_FIELDS = (
    "number",
    "kind",
    "product",
    "serial_number",
    "categories",
    "starts_on",
    "ends_on",
    "notes",
)


@bp.app_context_processor
def entitlement_labels():
    return {
        "wo_contract": lambda order: (
            order.contract_id and db.session.get(Contract, order.contract_id)
        ),
        "contract_kind": lambda k: entitlement.KIND_LABELS.get(k, k),
        "contract_kinds": CONTRACT_KINDS,
    }


def contract_state(contract: Contract, today) -> str:
    """``upcoming``, ``active`` or ``expired`` on ``today``."""
    if today < contract.starts_on:
        return "upcoming"
    return "active" if today <= contract.ends_on else "expired"


def render_contracts(customer, values: dict, errors: dict, status: int = 200):
    rows = db.session.scalars(
        entitlement.visible_contracts(current_user)
        .where(Contract.customer_id == customer.id)
        .order_by(Contract.ends_on.desc(), Contract.id.desc())
    ).all()
    today = load_calendar().local_date(utcnow())
    return render_template(
        "service_dispatch/contracts.html",
        customer=customer,
        rows=rows,
        states={c.id: contract_state(c, today) for c in rows},
        values=values,
        errors=errors,
    ), status


#: the renewal windows the contracts page offers (days)
EXPIRING = (30, 60, 90)
LIST_SIZE = 50  # contracts on a page of the list
#: the contracts list's sortable columns (the API's keys)
CONTRACT_SORTS = {"number": Contract.number, "ends_on": Contract.ends_on}


@bp.route("/contracts")
@login_required
def contracts_page():
    """Every contract and warranty of the customers the user may see — or
    only those running out within 30, 60 or 90 days, soonest first: the
    renewals to offer. Searches the number, product and serial number; sorts
    by a column (``sort``, ``-`` for descending); 50 a page."""
    require("service.order.read")
    args = {
        "q": request.args.get("q", "").strip()[:100],
        "kind": request.args.get("kind") if request.args.get("kind") in CONTRACT_KINDS else None,
        "expiring_within": request.args.get("expiring", type=int)
        if request.args.get("expiring", type=int) in EXPIRING
        else None,
    }
    today = load_calendar().local_date(utcnow())
    query = entitlement.filter_contracts(entitlement.visible_contracts(current_user), args, today)
    total = db.session.scalar(query.with_only_columns(func.count(), maintain_column_froms=True))
    # without a sort: soonest end first when asked what expires, else latest
    default = (
        (Contract.ends_on, Contract.id)
        if args["expiring_within"]
        else (Contract.ends_on.desc(), Contract.id.desc())
    )
    sort, order = list_sort(CONTRACT_SORTS, default, Contract.id.desc())
    pages = max(1, -(-total // LIST_SIZE))
    page = list_page(pages)
    rows = db.session.scalars(
        query.options(contains_eager(Contract.customer))
        .order_by(*order)
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE)
    ).all()
    filters = {"q": args["q"], "kind": args["kind"], "expiring": args["expiring_within"]}
    return render_template(
        "service_dispatch/contract_list.html",
        rows=rows,
        total=total,
        args=args,
        filters={k: v for k, v in filters.items() if v},
        sort=sort,
        page=page,
        more=page < pages,
        windows=EXPIRING,
        today=today,
        states={c.id: contract_state(c, today) for c in rows},
    )


@bp.route("/customers/<int:customer_id>/contracts", methods=["GET", "POST"])
@login_required
def customer_contracts(customer_id: int):
    """保修 / 服务合同: a customer's warranties and contracts, and a form for a new one."""
    require("service.order.read")
    customer = visible_customer(customer_id, current_user)
    if request.method == "GET":
        return render_contracts(customer, {"kind": "warranty"}, {})
    require("service.order.write")
    data = form_payload(entitlement.ContractInput(), only=CONTRACT_FIELDS)
    try:
        contract = entitlement.create_contract({**data, "customer_id": customer.id}, current_user)
    except ValidationError as exc:
        db.session.rollback()
        return render_contracts(customer, data, exc.errors, 422)
    flash(_("Contract %(number)s added.", number=contract.number), "success")
    return redirect(url_for(".customer_contracts", customer_id=customer.id))


@bp.route("/contracts/<int:contract_id>", methods=["GET", "POST"])
@login_required
def edit_contract(contract_id: int):
    require("service.order.read")
    contract = entitlement.visible_contract(contract_id, current_user)
    values = {f: getattr(contract, f) for f in CONTRACT_FIELDS}
    errors, status, version = {}, 200, contract.version
    if request.method == "POST":
        require("service.order.write")
        data = form_payload(entitlement.ContractChange(), only=CONTRACT_FIELDS)
        data.setdefault("categories", [])  # an emptied field means every category
        values, version = {**values, **data}, form_version()
        try:
            entitlement.update_contract(contract, data, current_user, version)
        except ValidationError as exc:
            db.session.rollback()
            errors, status = exc.errors, 422
        except StaleVersionError:
            db.session.rollback()
            flash(_("Someone else changed this contract meanwhile; look again and retry."), "error")
            status, version = 409, contract.version
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".customer_contracts", customer_id=contract.customer_id))
    return render_template(
        "service_dispatch/contract_form.html",
        contract=contract,
        values=values,
        errors=errors,
        version=version,
    ), status


@bp.route("/contracts/<int:contract_id>/delete", methods=["POST"])
@login_required
def delete_contract(contract_id: int):
    require("service.order.write")
    contract = entitlement.visible_contract(contract_id, current_user)
    try:
        entitlement.delete_contract(contract, current_user, form_version())
    except StaleVersionError:
        db.session.rollback()
        flash(_("Someone else changed this contract meanwhile; look again and retry."), "error")
        return redirect(url_for(".edit_contract", contract_id=contract.id))
    flash(_("Contract %(number)s deleted.", number=contract.number), "success")
    return redirect(url_for(".customer_contracts", customer_id=contract.customer_id))


# ------------------------------------------------------------------ SLA page


def render_sla(
    failed: str | None = None,
    errors: dict | None = None,
    values: dict | None = None,
    status: int = 200,
):
    """The SLA page; ``failed`` names the form whose ``errors`` are shown."""
    row = sla.calendar_row()
    return render_template(
        "service_dispatch/sla.html",
        policies=sla.policies(),
        calendar=sla.calendar_dict(row),
        days=sla.calendar_days(),
        weekdays=sla.WEEKDAY_LABELS,
        priorities=PRIORITIES,
        failed=failed,
        errors=errors or {},
        values=values or {},
    ), status


def _save(form: str, write, message: str):
    """Run ``write``; back to the page, or the page again with the form's errors."""
    try:
        write()
    except ValidationError as exc:
        db.session.rollback()
        return render_sla(form, exc.errors, request.form, 422)
    except StaleVersionError:
        db.session.rollback()
        flash(_("Someone else changed this meanwhile; look again and retry."), "error")
        return redirect(url_for(".sla_settings"))
    flash(message, "success")
    return redirect(url_for(".sla_settings"))


@bp.route("/sla")
@login_required
def sla_settings():
    """服务时效: the SLA policies and the business calendar they count in."""
    require("service.admin")
    return render_sla()


@bp.route("/sla/policies", methods=["POST"])
@login_required
def add_policy():
    require("service.admin")
    data = form_payload(sla.SlaPolicyInput())
    data["category"] = data.get("category") or ""
    return _save("policy", lambda: sla.create_policy(data, current_user), _("Saved."))


@bp.route("/sla/policies/<int:policy_id>", methods=["POST"])
@login_required
def edit_policy(policy_id: int):
    require("service.admin")
    policy = sla.get_policy(policy_id)
    if request.form.get("delete"):
        return _save(
            f"policy-{policy_id}", lambda: sla.delete_policy(policy, current_user), _("Deleted.")
        )
    data = form_payload(sla.SlaPolicyChange())
    return _save(
        f"policy-{policy_id}",
        lambda: sla.update_policy(policy, data, current_user, form_version()),
        _("Saved."),
    )


@bp.route("/sla/calendar", methods=["POST"])
@login_required
def edit_calendar():
    require("service.admin")
    data = form_payload(sla.CalendarInput())
    if "workdays__present" in request.form:
        data.setdefault("workdays", [])  # every box unticked: no working weekday (refused)
    if "workdays" in data:  # the boxes post text; the schema takes a JSON body's numbers
        data["workdays"] = [int(d) if d.isdigit() else d for d in data["workdays"]]
    return _save(
        "calendar", lambda: sla.update_calendar(data, current_user, form_version()), _("Saved.")
    )


@bp.route("/sla/days", methods=["POST"])
@login_required
def add_day():
    require("service.admin")
    data = form_payload(sla.CalendarDayInput())
    return _save("day", lambda: sla.add_calendar_day(data, current_user), _("Saved."))


@bp.route("/sla/days/<day>/delete", methods=["POST"])
@login_required
def remove_day(day: str):
    require("service.admin")
    found = sla.get_calendar_day(day)
    return _save("day", lambda: sla.remove_calendar_day(found, current_user), _("Deleted."))
