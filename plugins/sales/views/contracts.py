"""Contract pages under ``/sales/contracts``: the list, a contract's page
with the moves its status allows (submit, sign, start, complete, renew), and
the customer page's Contracts tab. The forms (new, edit, amend, terminate,
from a quote) are in :mod:`.contract_forms`, the attachments' upload and
delete in :mod:`.contract_attachments`."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    ConflictError,
    StaleVersionError,
    User,
    ValidationError,
    db,
    form_version,
    list_page,
    list_sort,
    require,
    translator,
    visible_customer,
)

from ..models import CONTRACT_STATUSES, Contract
from ..services.access import visible_user_ids
from ..services.contracts import attachments, expiry, lifecycle
from ..services.contracts.approvals import latest_request, submit_contract
from ..services.contracts.queries import customer_contracts, search_contracts, visible_contract
from .blueprint import bp
from .deals import APPROVAL_LABELS, APPROVAL_TONES

_, _l = translator("sales")
LIST_SIZE = 50
CONTRACT_SORTS = {
    "number": Contract.number,
    "title": Contract.title,
    "amount": Contract.amount,
    "end_date": Contract.end_date,
    "signed_date": Contract.signed_date,
}
STATUS_TONES = {
    "draft": "",
    "pending": "warn",
    "approved": "info",
    "signed": "info",
    "active": "ok",
    "completed": "ok",
    "terminated": "bad",
}


@bp.app_context_processor
def contract_helpers() -> dict:
    return {
        "contract_status": lifecycle.status_label,
        "contract_tone": lambda status: STATUS_TONES.get(status, ""),
    }


@bp.route("/contracts")
@login_required
def contracts():
    """The contracts the user may see, newest change first (or sorted by a
    column), 50 a page; by status, owner, customer, ending within N days;
    found by number, title or customer."""
    require("sales.contract.read")
    owners = db.session.scalars(
        select(User).where(User.id.in_(visible_user_ids(current_user))).order_by(User.name)
    ).all()
    status = request.args.get("status", "")
    expiring = request.args.get("expiring_within", type=int)
    args = {
        "q": request.args.get("q", "").strip()[:100],
        "status": status if status in CONTRACT_STATUSES else None,
        "owner_id": next(
            (u.id for u in owners if u.id == request.args.get("owner_id", type=int)), None
        ),
        "customer_id": request.args.get("customer_id", type=int),
        "expiring_within": expiring if expiring is not None and 0 <= expiring <= 3650 else None,
    }
    page = list_page()
    sort, order = list_sort(
        CONTRACT_SORTS, (Contract.updated_at.desc(), Contract.id.desc()), Contract.id.desc()
    )
    rows = (
        db.session.scalars(
            search_contracts(current_user, args, lifecycle.today())
            .options(joinedload(Contract.customer), joinedload(Contract.owner))
            .order_by(*order)
            .offset((page - 1) * LIST_SIZE)
            .limit(LIST_SIZE + 1)
        )
        .unique()
        .all()
    )
    filters = {k: v for k, v in args.items() if v is not None and v != ""}
    return render_template(
        "sales/contracts.html",
        contracts=rows[:LIST_SIZE],
        args=args,
        filters=filters,
        sort=sort,
        page=page,
        more=len(rows) > LIST_SIZE,
        export_args={**filters, **({"sort": sort} if sort else {})},
        owners=owners,
        statuses=CONTRACT_STATUSES,
    )


@bp.route("/contracts/<int:contract_id>")
@login_required
def contract(contract_id: int):
    """A contract: its details, status and the moves it allows, its
    approval, amendments, receivables and invoices (loaded as fragments)."""
    require("sales.contract.read")
    found = visible_contract(contract_id, current_user)
    approval = latest_request(found)
    locked = approval is not None and approval.status == "pending"
    actions = () if locked else lifecycle.ACTIONS.get(found.status, ())
    if "renew" not in actions and expiry.renewable(found, lifecycle.today()):
        actions = (*actions, "renew")
    return render_template(
        "sales/contract.html",
        contract=found,
        approval=approval,
        locked=locked,
        actions=actions if current_user.can("sales.contract.write") else (),
        approval_labels=APPROVAL_LABELS,
        approval_tones=APPROVAL_TONES,
        contacts=[c for c in found.customer.contacts if c.deleted_at is None],
        attachments=attachments.contract_attachments(found),
        may_attach=attachments.may_attach(current_user),
        today=lifecycle.today(),
        field_labels={
            "title": _("Title"),
            "amount": _("Amount"),
            "start_date": _("Start date"),
            "end_date": _("End date"),
            "terms": _("Terms"),
        },
    )


def _act(contract_id: int, move) -> object:
    """Run ``move(contract)`` from the contract page; refusals are flashed."""
    require("sales.contract.write")
    found = visible_contract(contract_id, current_user)
    try:
        message = move(found)
    except ValidationError as exc:  # 422, 404 and 409 by field
        db.session.rollback()
        flash(exc.summary, "error")
    except StaleVersionError:
        db.session.rollback()
        flash(_("Someone else changed this contract meanwhile; look again and retry."), "error")
    except ConflictError as exc:  # waiting for approval
        db.session.rollback()
        flash(str(exc), "error")
    else:
        if isinstance(message, str):
            flash(message, "success")
        else:
            return message
    return redirect(url_for(".contract", contract_id=found.id))


@bp.route("/contracts/<int:contract_id>/submit", methods=["POST"])
@login_required
def submit_contract_approval(contract_id: int):
    def move(found):
        submitted = submit_contract(found, current_user)
        if submitted.status == "approved":
            return _("No approval needed: %(number)s is approved.", number=found.number)
        return _("%(number)s is waiting for approval.", number=found.number)

    return _act(contract_id, move)


@bp.route("/contracts/<int:contract_id>/sign", methods=["POST"])
@login_required
def sign_contract(contract_id: int):
    def move(found):
        data = {
            "signed_date": request.form.get("signed_date", ""),
            "contact_id": request.form.get("contact_id", type=int),
        }
        lifecycle.sign(found, data, current_user, form_version())
        return _("%(number)s is signed.", number=found.number)

    return _act(contract_id, move)


@bp.route("/contracts/<int:contract_id>/activate", methods=["POST"])
@login_required
def activate_contract(contract_id: int):
    def move(found):
        lifecycle.activate(found, current_user, form_version())
        return _("%(number)s is in progress.", number=found.number)

    return _act(contract_id, move)


@bp.route("/contracts/<int:contract_id>/complete", methods=["POST"])
@login_required
def complete_contract(contract_id: int):
    def move(found):
        lifecycle.complete(found, current_user, form_version())
        return _("%(number)s is completed.", number=found.number)

    return _act(contract_id, move)


@bp.route("/contracts/<int:contract_id>/renew", methods=["POST"])
@login_required
def renew_contract(contract_id: int):
    """Open the renewal deal of an expiring or completed contract, then show it."""
    require("sales.deal.write")

    def move(found):
        deal = expiry.renew(found, current_user, lifecycle.today())
        flash(_("Renewal deal %(title)s opened.", title=deal.title), "success")
        return redirect(url_for(".deal", deal_id=deal.id))

    return _act(contract_id, move)


@bp.route("/customers/<int:customer_id>/contracts")
@login_required
def customer_contracts_tab(customer_id: int):
    """The Contracts tab of a customer's page."""
    require("sales.contract.read")
    customer_id = visible_customer(customer_id, current_user).id
    rows = db.session.scalars(
        customer_contracts(current_user, customer_id).order_by(Contract.updated_at.desc())
    ).all()
    return render_template(
        "sales/_customer_contracts.html", contracts=rows, customer_id=customer_id
    )


from . import contract_attachments, contract_forms  # noqa: E402, F401  (their routes join the blueprint)
