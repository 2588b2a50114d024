"""Making and changing quotes: create (from a deal's lines or given lines),
edit a draft, revise — each call one transaction, audited.

A quote is numbered when it is made (``quote_number`` in the sales
settings, ``QT-{yyyy}{mm}-{seq:04}`` by default); a revision keeps the
number and takes the next ``revision``, and the quote it revises is
``superseded``, otherwise kept as it was. Only a draft is edited, and not
while it waits for approval.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, validate

from core.api import (
    Contact,
    StateError,
    User,
    ValidationError,
    audit,
    check_transfer,
    check_version,
    customer_for,
    db,
    ensure_unlocked,
    instance_currency,
    instance_timezone,
    load,
    next_number,
    plugin_settings,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import Deal, Quote, QuoteLine
from ..access import visible_deals
from ..validation import Currency, Id, Percent
from .lines import Problems, deal_lines, line_dict, read_lines
from .pricing import ZERO, totals

_, _l = translator("sales")

NUMBER_PATTERN = "QT-{yyyy}{mm}-{seq:04}"
LOCALES = ("zh_CN", "en")
#: what a quote's status reads as
STATUS_LABELS = {
    "draft": _l("Draft"),
    "sent": _l("Sent"),
    "accepted": _l("Accepted"),
    "rejected": _l("Rejected"),
    "expired": _l("Expired"),
    "superseded": _l("Superseded"),
}
#: the fields a new revision copies as they are
COPIED = (
    "number",
    "deal_id",
    "customer_id",
    "contact_id",
    "owner_id",
    "team_id",
    "title",
    "currency",
    "discount_percent",
    "tax_percent",
    "locale",
    "terms",
)


class QuoteChange(Schema):
    """What a draft's edit may change, none of it required; ``lines``, when
    given, replace every line."""

    title = fields.String(validate=validate.Length(min=1, max=200))
    contact_id = Id(allow_none=True)
    owner_id = Id(allow_none=True)
    discount_percent = Percent(metadata={"description": "the overall discount, 0 to 100"})
    tax_percent = Percent(metadata={"description": "the tax rate, 0 to 100"})
    valid_until = fields.Date(allow_none=True)
    locale = fields.String(allow_none=True, validate=validate.OneOf(LOCALES))
    terms = fields.String(allow_none=True, validate=validate.Length(max=5000))
    lines = fields.Raw(metadata={"description": "the lines, as a deal's lines are given"})


class QuoteInput(QuoteChange):
    """A new quote: for a deal (its customer, currency and — unless
    ``lines`` are given — its lines) or for a customer with its lines."""

    deal_id = Id(allow_none=True, load_default=None)
    customer_id = Id(allow_none=True, load_default=None)
    currency = Currency(allow_none=True, load_default=None)
    discount_percent = Percent(load_default=Decimal("0"))
    tax_percent = Percent(load_default=Decimal("0"))


def today() -> date:
    """Today in the instance's time zone: what ``valid_until`` is measured against."""
    return datetime.now(ZoneInfo(instance_timezone())).date()


def read(schema: Schema, payload: dict, problems: Problems, partial: bool = False) -> dict:
    """``payload`` through ``schema``, its bad fields named in ``problems`` and
    left out, so that the lines are checked too and every mistake is named
    at once."""
    try:
        return load(schema, payload, partial=partial)
    except ValidationError as exc:
        problems.invalid.update(exc.errors)
        if not isinstance(payload, dict) or set(exc.errors) - set(payload):
            raise
    kept = {k: v for k, v in payload.items() if k not in problems.invalid}
    return read(schema, kept, problems, partial)


def create_quote(payload: dict, actor: User | None) -> Quote:
    """A new draft for ``deal_id`` (its customer and currency; its lines
    unless ``lines`` are given) or for ``customer_id`` with ``lines``."""
    problems = Problems()
    data = read(QuoteInput(), payload, problems)
    deal, customer = _subject(data, actor, problems)
    currency = (deal.currency if deal else None) or data["currency"] or instance_currency()
    if deal is not None and data["currency"] not in (None, deal.currency):
        problems.rules["currency"] = [
            _("a deal's quote is in the deal's currency (%(c)s)", c=currency)
        ]
    lines_in = data.pop("lines", None)
    if lines_in is None and deal is not None:
        lines_in = deal_lines(deal)
    rows = read_lines(lines_in, currency, problems) if deal or customer else []
    _check_validity(data, problems)
    if customer is not None:
        _check_people(data, customer.id, problems.missing)
    problems.refuse()
    owner_id = data.get("owner_id") or (actor.id if actor else None)
    owner = db.session.get(User, owner_id) if owner_id else None
    pattern = plugin_settings("sales").get("quote_number", NUMBER_PATTERN)
    with transaction():
        quote = Quote(
            number=next_number("sales.quote", pattern),
            revision=1,
            deal_id=deal.id if deal else None,
            customer_id=customer.id,
            contact_id=data.get("contact_id") or (deal.contact_id if deal else None),
            owner_id=owner_id,
            team_id=owner.team_id if owner and owner.team_id else customer.team_id,
            title=data.get("title") or (deal.title if deal else customer.name)[:200],
            status="draft",
            currency=currency,
            discount_percent=data["discount_percent"],
            tax_percent=data["tax_percent"],
            valid_until=data.get("valid_until"),
            locale=data.get("locale"),
            terms=data.get("terms"),
        )
        _price(quote, rows)
        db.session.add(quote)
        db.session.flush()
        audit(actor, quote, "create", None, _snapshot(quote))
    return quote


def update_quote(
    quote: Quote, payload: dict, actor: User | None, expected_version: int | None = None
) -> Quote:
    """Change a draft (a quote that waits for approval is refused, 409)."""
    ensure_unlocked(quote)
    ensure_draft(quote)
    problems = Problems()
    data = read(QuoteChange(), payload, problems, partial=True)
    rows = read_lines(data.pop("lines"), quote.currency, problems) if "lines" in data else None
    _check_validity(data, problems)
    _check_people(data, quote.customer_id, problems.missing)
    problems.refuse()
    check_transfer(actor, quote, data)  # a new owner needs customer.transfer
    check_version(quote, expected_version)
    with transaction():
        before = _snapshot(quote)
        for key, value in data.items():
            setattr(quote, key, value)
        owner = db.session.get(User, data["owner_id"]) if data.get("owner_id") else None
        if owner is not None:  # the team follows the new owner
            quote.team_id = owner.team_id or quote.team_id
        _price(quote, rows if rows is not None else quote.lines)
        quote.updated_at = utcnow()  # lines alone change the quote: its version moves on
        db.session.flush()
        audit(actor, quote, "update", before, _snapshot(quote))
    return quote


def _subject(data: dict, actor: User | None, problems: Problems) -> tuple:
    """The deal (or ``None``) and the customer the new quote is for: exactly
    one of ``deal_id`` and ``customer_id``, among those ``actor`` may see."""
    if (data["deal_id"] is None) == (data["customer_id"] is None):
        message = [_("give either deal_id or customer_id")]
        problems.invalid.update({"deal_id": message, "customer_id": message})
        return None, None
    if data["deal_id"] is not None:
        deal = db.session.scalar(visible_deals(actor).where(Deal.id == data["deal_id"]))
        if deal is None:
            problems.missing["deal_id"] = [_("no deal with this id")]
            return None, None
        return deal, deal.customer
    customer = customer_for(data["customer_id"], actor)
    if customer is None:
        problems.missing["customer_id"] = [_("no customer with this id")]
    return None, customer


def _check_validity(data: dict, problems: Problems) -> None:
    if data.get("valid_until") and data["valid_until"] < today():
        problems.rules["valid_until"] = [_("a quote is valid until today or a later day")]


def revise_quote(quote: Quote, actor: User | None, expected_version: int | None = None) -> Quote:
    """A new draft revision of ``quote`` (same number, next revision, the
    same lines); ``quote`` becomes ``superseded``. An accepted or already
    superseded quote is not revised; nor one that waits for approval."""
    ensure_unlocked(quote)
    if quote.status in ("accepted", "superseded"):
        raise StateError({"status": [_state_message(quote)]})
    check_version(quote, expected_version)
    with transaction():
        before = snapshot(quote)
        revision = Quote(**{key: getattr(quote, key) for key in COPIED})
        revision.revision = quote.revision + 1
        revision.supersedes_id = quote.id
        revision.status = "draft"
        # a validity that has passed is not carried over: the new one is to be set
        valid = quote.valid_until
        revision.valid_until = valid if valid is not None and valid >= today() else None
        _price(revision, [_copy(line) for line in quote.lines])
        quote.status = "superseded"
        db.session.add(revision)
        db.session.flush()
        audit(actor, quote, "update", before, snapshot(quote))
        audit(actor, revision, "create", None, _snapshot(revision))
    return revision


def ensure_draft(quote: Quote) -> None:
    if quote.status != "draft":
        raise StateError({"status": [_state_message(quote)]})


def _state_message(quote: Quote) -> str:
    return _(
        "quote %(number)s is %(status)s: only a draft is changed; revise it instead",
        number=quote.number,
        status=str(STATUS_LABELS[quote.status]).lower(),
    )


def _price(quote: Quote, rows: list[QuoteLine]) -> None:
    """Set ``quote``'s lines to ``rows`` and its totals to theirs."""
    for position, row in enumerate(rows):
        row.position = position
    if list(quote.lines) != list(rows):
        quote.lines = list(rows)
    worked = totals(rows, quote.discount_percent or ZERO, quote.tax_percent or ZERO)
    quote.list_total = worked.list_total
    quote.subtotal = worked.subtotal
    quote.tax_amount = worked.tax_amount
    quote.total = worked.total
    quote.effective_discount_percent = worked.effective_discount_percent


def _copy(line: QuoteLine) -> QuoteLine:
    return QuoteLine(
        position=line.position,
        product_id=line.product_id,
        description=line.description,
        list_price=line.list_price,
        unit_price=line.unit_price,
        quantity=line.quantity,
        discount_percent=line.discount_percent,
        total=line.total,
    )


def _check_people(data: dict, customer_id: int, missing: dict) -> None:
    """``missing`` names a contact not at the customer, an owner not active."""
    if data.get("contact_id") is not None:
        contact = db.session.get(Contact, data["contact_id"])
        if contact is None or contact.customer_id != customer_id or contact.deleted_at:
            missing["contact_id"] = [_("no contact with this id at this customer")]
    if data.get("owner_id") is not None:
        owner = db.session.get(User, data["owner_id"])
        if owner is None or not owner.is_active:
            missing["owner_id"] = [_("no active user with this id")]


def _snapshot(quote: Quote) -> dict:
    return {**snapshot(quote), "lines": [line_dict(line) for line in quote.lines]}
