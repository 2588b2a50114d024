"""Quote pages (``/sales/quotes``): the list, a quote's page (lines,
totals, revisions, approval and the buttons its state allows), the form
with its lines (a new quote prefilled from a deal's lines), the state
changes and the printed PDF. The rules are the services' (:mod:`..services.quotes`)."""

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
    form_payload,
    form_version,
    instance_currency,
    list_page,
    list_sort,
    require,
    translator,
    visible_customer,
)

from ..models import QUOTE_STATUSES, Contract, Quote
from ..services.access import visible_deal, visible_records, visible_user_ids
from ..services.quotes import approval, editing, lifecycle, pdf
from ..services.quotes.lines import active_products, deal_lines
from ..services.quotes.listing import revisions, search_quotes, visible_quote
from .blueprint import bp
from .deals import APPROVAL_LABELS, APPROVAL_TONES
from .products import BLANK_ROWS, LINE_FIELDS, posted_lines

_, _l = translator("sales")
LIST_SIZE = 50  # quotes on a page of the list
#: the quotes list's sortable columns (the API's keys)
QUOTE_SORTS = {"number": Quote.number, "total": Quote.total, "valid_until": Quote.valid_until}
FIELDS = (
    "title",
    "contact_id",
    "valid_until",
    "discount_percent",
    "tax_percent",
    "locale",
    "terms",
)
STATUS_TONES = {
    "draft": "",
    "sent": "info",
    "accepted": "ok",
    "rejected": "bad",
    "expired": "warn",
    "superseded": "",
}
#: the languages a quote prints in, each named in itself (as the language picker does)
LOCALE_LABELS = (("zh_CN", "简体中文"), ("en", "English"))


@bp.app_context_processor
def quote_tones() -> dict:
    return {
        "quote_status": lambda status: editing.STATUS_LABELS.get(status, status),
        "quote_tone": lambda status: STATUS_TONES.get(status, ""),
    }


@bp.route("/quotes")
@login_required
def quotes():
    """The quotes the signed-in user may see, newest change first (or sorted
    by a column), 50 a page; by status (left out: all but superseded
    revisions), owner, deal, customer, and number, title or customer name."""
    require("sales.quote.read")
    owners = db.session.scalars(
        select(User).where(User.id.in_(visible_user_ids(current_user))).order_by(User.name)
    ).all()
    status = request.args.get("status", "")
    args = {
        "q": request.args.get("q", "").strip()[:100],
        "status": status if status in QUOTE_STATUSES else "",
        "owner_id": next(
            (u.id for u in owners if u.id == request.args.get("owner_id", type=int)), None
        ),
        "deal_id": request.args.get("deal_id", type=int),
        "customer_id": request.args.get("customer_id", type=int),
    }
    page = list_page()
    sort, order = list_sort(
        QUOTE_SORTS, (Quote.updated_at.desc(), Quote.id.desc()), Quote.id.desc()
    )
    rows = (
        db.session.scalars(
            search_quotes(current_user, args)
            .options(joinedload(Quote.customer), joinedload(Quote.owner))
            .order_by(*order)
            .offset((page - 1) * LIST_SIZE)
            .limit(LIST_SIZE + 1)
        )
        .unique()
        .all()
    )
    filters = {k: v for k, v in args.items() if v}
    return render_template(
        "sales/quotes.html",
        quotes=rows[:LIST_SIZE],
        args=args,
        filters=filters,
        sort=sort,
        page=page,
        more=len(rows) > LIST_SIZE,
        owners=owners,
        statuses=QUOTE_STATUSES,
    )


@bp.route("/quotes/<int:quote_id>")
@login_required
def quote(quote_id: int):
    """A quote: lines, totals, revisions, approval and what may be done next."""
    require("sales.quote.read")
    found = visible_quote(quote_id, current_user)
    request_ = approval.latest_request(found)
    contract = None
    if found.status == "accepted" and current_user.can("sales.contract.read"):
        contract = db.session.scalar(
            visible_records(Contract, current_user)
            .where(Contract.quote_id == found.id)
            .order_by(Contract.id)
            .limit(1)
        )
    return render_template(
        "sales/quote.html",
        quote=found,
        approval=request_,
        locked=request_ is not None and request_.status == "pending",
        # a draft is submitted only when a flow covers it and has not approved it since
        may_submit=found.status == "draft" and not approval.cleared_to_send(found, current_user),
        approval_labels=APPROVAL_LABELS,
        approval_tones=APPROVAL_TONES,
        revisions=revisions(found, current_user),
        contract=contract,
        expired=found.valid_until is not None and found.valid_until < editing.today(),
        locales=LOCALE_LABELS,
    )


def render_form(quote, customer, deal, values, rows, errors, status=200):
    currency = quote.currency if quote else (deal.currency if deal else values.get("currency"))
    return render_template(
        "sales/quote_form.html",
        quote=quote,
        customer=customer,
        deal=deal,
        values=values,
        rows=list(rows) + [{}] * BLANK_ROWS,
        errors=errors,
        contacts=[c for c in customer.contacts if c.deleted_at is None],
        catalogue=active_products(currency or instance_currency()),
        locales=LOCALE_LABELS,
    ), status


@bp.route("/quotes/new", methods=["GET", "POST"])
@login_required
def new_quote():
    """A new quote for a deal (``deal_id``: prefilled from its lines) or a
    customer (``customer_id``)."""
    require("sales.quote.write")
    deal = None
    if request.args.get("deal_id"):
        deal = visible_deal(request.args.get("deal_id", 0, type=int), current_user)
        customer = deal.customer
    else:
        customer = visible_customer(request.args.get("customer_id", 0, type=int), current_user)
    if request.method == "GET":
        values = {
            "title": deal.title if deal else "",
            "contact_id": deal.contact_id if deal else None,
            "currency": deal.currency if deal else instance_currency(),
            "discount_percent": "0",
            "tax_percent": "0",
        }
        return render_form(None, customer, deal, values, deal_lines(deal) if deal else [], {})
    values = form_payload(editing.QuoteInput(), only=FIELDS + ("currency",))
    rows = posted_lines()
    target = {"deal_id": deal.id} if deal else {"customer_id": customer.id}
    try:
        made = editing.create_quote(
            {**_blank_is_none(values), **target, "lines": rows}, current_user
        )
    except ValidationError as exc:
        db.session.rollback()
        return render_form(None, customer, deal, values, rows, exc.errors, 422)
    flash(_("Quote %(number)s created.", number=made.number), "success")
    return redirect(url_for(".quote", quote_id=made.id))


@bp.route("/quotes/<int:quote_id>/edit", methods=["GET", "POST"])
@login_required
def edit_quote(quote_id: int):
    """Edit a draft and its lines (not while it waits for approval)."""
    require("sales.quote.write")
    found = visible_quote(quote_id, current_user)
    if request.method == "GET":
        values = {k: getattr(found, k) for k in FIELDS} | {"version": found.version}
        rows = [{f: getattr(line, f) for f in LINE_FIELDS} for line in found.lines]
        return render_form(found, found.customer, found.deal, values, rows, {})
    values, rows, read = (
        form_payload(editing.QuoteChange(), only=FIELDS),
        posted_lines(),
        form_version(),
    )
    again = values | {"version": read}
    try:
        editing.update_quote(found, {**_blank_is_none(values), "lines": rows}, current_user, read)
    except ValidationError as exc:  # a bad field, or not a draft (then said at the top)
        db.session.rollback()
        flash(exc.summary, "error")
        return render_form(found, found.customer, found.deal, again, rows, exc.errors, exc.status)
    except ConflictError as exc:  # waiting for approval: the input is kept, nothing saved
        db.session.rollback()
        flash(str(exc), "error")
        return render_form(found, found.customer, found.deal, again, rows, {}, 409)
    except StaleVersionError:
        db.session.rollback()
        flash(
            _(
                "Someone else changed this quote while you were editing. Your input is kept "
                "below; check the quote's page and save again."
            ),
            "error",
        )
        values = values | {"version": found.version}
        return render_form(found, found.customer, found.deal, values, rows, {}, 409)
    flash(_("Saved."), "success")
    return redirect(url_for(".quote", quote_id=found.id))


def _blank_is_none(values: dict) -> dict:
    """An emptied optional field of the form is no value (not "")."""
    optional = ("contact_id", "valid_until", "locale", "terms")
    return {k: (None if k in optional and v == "" else v) for k, v in values.items()}


def _step(quote_id: int, act, done: str):
    """Run ``act(quote)`` for a button of the quote's page; say what happened."""
    require("sales.quote.write")
    found = visible_quote(quote_id, current_user)
    try:
        result = act(found)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.summary, "error")
    except ConflictError as exc:  # waiting for approval
        db.session.rollback()
        flash(str(exc), "error")
    except StaleVersionError:
        db.session.rollback()
        flash(_("Someone else changed this quote meanwhile; look again and retry."), "error")
    else:
        target = result if isinstance(result, Quote) else found
        flash(done % {"number": found.number}, "success")
        return redirect(url_for(".quote", quote_id=target.id))
    return redirect(url_for(".quote", quote_id=found.id))


@bp.route("/quotes/<int:quote_id>/send", methods=["POST"])
@login_required
def send_quote(quote_id: int):
    return _step(
        quote_id,
        lambda q: lifecycle.send_quote(q, current_user, form_version()),
        _("Quote %(number)s is sent."),
    )


@bp.route("/quotes/<int:quote_id>/accept", methods=["POST"])
@login_required
def accept_quote(quote_id: int):
    """Accepted by the customer; a contract is made at once when asked for."""
    wanted = request.form.get("create_contract") == "1" and current_user.can("sales.contract.write")
    return _step(
        quote_id,
        lambda q: lifecycle.accept_quote(q, current_user, wanted, form_version())[0],
        _("Quote %(number)s is accepted."),
    )


@bp.route("/quotes/<int:quote_id>/reject", methods=["POST"])
@login_required
def reject_quote(quote_id: int):
    return _step(
        quote_id,
        lambda q: lifecycle.reject_quote(q, current_user, form_version()),
        _("Quote %(number)s is rejected."),
    )


@bp.route("/quotes/<int:quote_id>/revise", methods=["POST"])
@login_required
def revise_quote(quote_id: int):
    """A new draft revision; the page of the new one opens."""
    return _step(
        quote_id,
        lambda q: editing.revise_quote(q, current_user, form_version()),
        _("Quote %(number)s has a new revision."),
    )


@bp.route("/quotes/<int:quote_id>/approval", methods=["POST"])
@login_required
def submit_quote_approval(quote_id: int):
    """Submit a draft for approval: it waits, locked, when a flow applies;
    else it is approved at once."""
    require("sales.quote.write")
    found = visible_quote(quote_id, current_user)
    try:
        editing.ensure_draft(found)
        submitted = approval.submit_quote(found, current_user)
    except ValidationError as exc:  # waiting already, not a draft, nobody to approve
        db.session.rollback()
        flash(exc.summary, "error")
    else:
        if submitted.status == "approved":
            flash(_("No approval needed: %(number)s is approved.", number=found.number), "success")
        else:
            flash(_("%(number)s is waiting for approval.", number=found.number), "success")
    return redirect(url_for(".quote", quote_id=found.id))


@bp.route("/quotes/<int:quote_id>/pdf")
@login_required
def quote_pdf(quote_id: int):
    """The printed quote (PDF), in the quote's language."""
    require("sales.quote.read")
    found = visible_quote(quote_id, current_user)
    try:
        return pdf.pdf_response(found)
    except ValidationError as exc:  # no billing name to address it to
        flash(exc.summary, "error")
        return redirect(url_for(".quote", quote_id=found.id))
