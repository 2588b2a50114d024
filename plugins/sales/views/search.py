"""What the search box finds in sales: deals by title, leads by name,
company, phone or e-mail — the ones the user may open, as their lists show
them; the best few of each (exact names, then prefixes, then the rest)."""

from __future__ import annotations

from flask import url_for
from sqlalchemy.orm import joinedload

from core.api import SearchHit, SearchSection, User, best_matches, db, translator

from ..models import Deal, Lead
from ..services.access import visible_deals, visible_leads

_, _l = translator("sales")


def section(query: str, user: User, limit: int) -> SearchSection | None:
    hits: list[SearchHit] = []
    if user.can("sales.deal.read"):
        deals = db.session.scalars(
            best_matches(visible_deals(user), Deal, query, user, limit).options(
                joinedload(Deal.customer), joinedload(Deal.stage)
            )
        ).all()
        hits += [
            SearchHit(
                d.title,
                url_for("sales.deal", deal_id=d.id),
                f"{_('Deal')} · {d.customer.name} · {d.stage.name}",
            )
            for d in deals
        ]
    if user.can("sales.lead.read"):
        leads = db.session.scalars(
            best_matches(visible_leads(user), Lead, query, user, limit)
        ).all()
        hits += [
            SearchHit(
                lead.name,
                url_for("sales.lead", lead_id=lead.id),
                " · ".join(filter(None, (_("Lead"), lead.company))),
            )
            for lead in leads
        ]
    return SearchSection(_l("Sales"), tuple(hits[:limit]), order=20) if hits else None
