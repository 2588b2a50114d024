"""``/api/v1/sales/quotes``: quotes (报价单) — the list, a quote with its lines,
revisions and approval, edits of a draft, revise, send, accept (with a
contract), reject, submit for approval, and the printed PDF.

Access goes through ``visible_records(Quote, user)``: a rep sees their own
quotes, a manager their team's, and only while the customer is visible to
them; any other quote is a 404.
"""

from __future__ import annotations

from flask_login import current_user

from core.api import (
    expected_version,
    field_rules,
    json_body,
    page_schema,
    paginate,
    require,
    sorted_by,
)

from ..models import Quote
from ..schemas.quotes import (
    AcceptIn,
    AcceptOut,
    ApprovalOut,
    QuoteArgs,
    QuoteChangeIn,
    QuoteCreateIn,
    QuoteDetailOut,
    QuoteOut,
    VersionIn,
)
from ..services.quotes import approval, editing, lifecycle, pdf
from ..services.quotes.listing import revisions, search_quotes, visible_quote
from .blueprint import bp

SORTABLE = {
    "updated_at": Quote.updated_at,
    "created_at": Quote.created_at,
    "number": Quote.number,
    "total": Quote.total,
    "valid_until": Quote.valid_until,
}
PDF_RESPONSE = {
    200: {
        "description": "the printed quote",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    },
    409: {"description": "the customer has no billing name (invoice title) yet"},
    503: {"description": "PDF printing is not available on this server (WeasyPrint missing)"},
}


def fields_of(quote: Quote) -> dict:
    """The quote's own values, for a response schema that adds to ``QuoteOut``."""
    return {name: getattr(quote, name) for name in QuoteOut._declared_fields}


def detail(quote: Quote) -> dict:
    """A quote as ``QuoteDetailOut`` answers it."""
    return {
        **fields_of(quote),
        "lines": quote.lines,
        "revisions": revisions(quote, current_user),
        "approval": approval.latest_request(quote),
    }


@bp.route("/quotes", methods=["GET"])
@bp.arguments(sorted_by(QuoteArgs, SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(QuoteOut, "QuotePage"))
def list_quotes(args):
    """The quotes the caller may see (superseded revisions only with
    ``status=superseded``), newest change first by default."""
    require("sales.quote.read")
    return paginate(search_quotes(current_user, args), args, SORTABLE, "-updated_at")


#: the rules the service checks that the document's JSON Schema cannot state
LINE_RULES = (
    (("valid_until",), "valid_until is today or a later day (the instance's time zone)"),
    (("lines",), "1 to 100 lines (a deal's own when left out), adding up to less than 10^12"),
    (("lines.*.product_id",), "a line's product is priced in the quote's currency"),
    (
        ("lines.*.description", "lines.*.unit_price"),
        "a line names a product or gives its description and unit_price",
    ),
)
CREATE_RULES = field_rules(*LINE_RULES, (("currency",), "a deal's quote is in its currency"))


@bp.route("/quotes", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": QuoteCreateIn}}}, **CREATE_RULES)
@bp.response(201, QuoteDetailOut)
def create_quote():
    """A new draft: for ``deal_id`` (its customer, currency and, unless
    ``lines`` are given, its lines) or for ``customer_id`` with ``lines``."""
    require("sales.quote.write")
    return detail(editing.create_quote(json_body(), current_user))


@bp.route("/quotes/<int:quote_id>", methods=["GET"])
@bp.response(200, QuoteDetailOut)
def get_quote(quote_id: int):
    require("sales.quote.read")
    return detail(visible_quote(quote_id, current_user))


@bp.route("/quotes/<int:quote_id>", methods=["PATCH"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": QuoteChangeIn}}},
    **field_rules(*LINE_RULES),
)
@bp.response(200, QuoteDetailOut)
def update_quote(quote_id: int):
    """Edit a draft (``lines`` replace every line); send the ``version`` you
    read (409 when stale, or when the quote is not a draft or waits for approval)."""
    require("sales.quote.write")
    quote = visible_quote(quote_id, current_user)
    payload = json_body()
    version = expected_version(payload)
    return detail(editing.update_quote(quote, payload, current_user, version))


@bp.route("/quotes/<int:quote_id>/revise", methods=["POST"])
@bp.arguments(VersionIn, as_kwargs=False)
@bp.response(201, QuoteDetailOut)
def revise_quote(args, quote_id: int):
    """A new draft revision (same number, next revision); this one is superseded."""
    require("sales.quote.write")
    quote = visible_quote(quote_id, current_user)
    return detail(editing.revise_quote(quote, current_user, args["version"]))


@bp.route("/quotes/<int:quote_id>/send", methods=["POST"])
@bp.arguments(VersionIn, as_kwargs=False)
@bp.response(200, QuoteDetailOut)
def send_quote(args, quote_id: int):
    """Send a draft; one whose discount a flow asks to approve is sent once approved."""
    require("sales.quote.write")
    quote = visible_quote(quote_id, current_user)
    return detail(lifecycle.send_quote(quote, current_user, args["version"]))


@bp.route("/quotes/<int:quote_id>/accept", methods=["POST"])
@bp.arguments(AcceptIn, as_kwargs=False)
@bp.response(200, AcceptOut)
def accept_quote(args, quote_id: int):
    """The customer accepted the sent quote; with ``create_contract`` (the
    default) a draft contract is made from it at once (``contract_id``)."""
    require("sales.quote.write")
    quote = visible_quote(quote_id, current_user)
    quote, contract = lifecycle.accept_quote(
        quote, current_user, args["create_contract"], args["version"]
    )
    return {**fields_of(quote), "contract_id": contract.id if contract else None}


@bp.route("/quotes/<int:quote_id>/reject", methods=["POST"])
@bp.arguments(VersionIn, as_kwargs=False)
@bp.response(200, QuoteDetailOut)
def reject_quote(args, quote_id: int):
    """The customer turned the sent quote down."""
    require("sales.quote.write")
    quote = visible_quote(quote_id, current_user)
    return detail(lifecycle.reject_quote(quote, current_user, args["version"]))


@bp.route("/quotes/<int:quote_id>/submit", methods=["POST"])
@bp.response(201, ApprovalOut)
def submit_quote(quote_id: int):
    """Submit a draft for approval: it waits, locked, when a flow applies
    (``status`` "pending"); else it is approved at once."""
    require("sales.quote.write")
    quote = visible_quote(quote_id, current_user)
    editing.ensure_draft(quote)
    return approval.submit_quote(quote, current_user)


@bp.route("/quotes/<int:quote_id>/pdf", methods=["GET"])
@bp.doc(responses=PDF_RESPONSE)
def quote_pdf(quote_id: int):
    """The printed quote, in its language; 409 while the customer has no billing name."""
    require("sales.quote.read")
    quote = visible_quote(quote_id, current_user)
    return pdf.pdf_response(quote)
