"""Where the sales plugin's entries on a customer's timeline link, and who
sees them (``trellis_timeline_links``): an entry names its record — a deal,
a quote, a contract, a payment, an invoice — so it shows only to who may
see that record, with a link to the page that shows it (a payment, an
instalment and an invoice are shown on their contract's page)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select

from core.api import User, db

from ..models import Contract, Deal, Instalment, Invoice, Payment, Quote
from .access import visible_records


@dataclass(frozen=True)
class Linked:
    model: type
    permission: str
    #: the page's endpoint, its argument, and the column that names the record it shows
    endpoint: str
    argument: str
    column: str = "id"


LINKS = {
    "sales_deal": Linked(Deal, "sales.deal.read", "sales.deal", "deal_id"),
    "sales_quote": Linked(Quote, "sales.quote.read", "sales.quote", "quote_id"),
    "sales_contract": Linked(Contract, "sales.contract.read", "sales.contract", "contract_id"),
    "sales_payment": Linked(
        Payment, "sales.payment.read", "sales.contract", "contract_id", "contract_id"
    ),
    "sales_instalment": Linked(
        Instalment, "sales.payment.read", "sales.contract", "contract_id", "contract_id"
    ),
    "sales_invoice": Linked(
        Invoice, "sales.invoice.read", "sales.contract", "contract_id", "contract_id"
    ),
}


def timeline_urls(
    link_type: str, ids: list[int], user: User | None
) -> dict[int, str | None] | None:
    """For each of ``ids`` of ``link_type``, the page ``user`` may open, or
    None (the entry is left out for them); None for a type not the plugin's
    own here (a converted lead's history is the customer's now)."""
    linked = LINKS.get(link_type)
    if linked is None:
        return None
    if user is None or not user.can(linked.permission):
        return dict.fromkeys(ids)
    model = linked.model
    target = getattr(model, linked.column)
    seen = dict(
        db.session.execute(
            visible_records(model, user, select(model.id, target)).where(  # type: ignore[attr-defined]
                model.id.in_(ids)  # type: ignore[attr-defined]
            )
        ).all()
    )
    return {
        i: url_for(linked.endpoint, **{linked.argument: seen[i]}) if i in seen else None
        for i in ids
    }
