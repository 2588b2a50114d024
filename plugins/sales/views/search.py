"""What the search box finds in sales: deals by title, leads by name,
company, phone or e-mail — the ones the user may open, as their lists show them."""

from __future__ import annotations

from flask import url_for
from sqlalchemy.orm import joinedload

from core.api import SearchHit, SearchSection, User, db, search_match, search_rank, translator

from ..models import Deal, Lead
from ..services.access import visible_deals, visible_leads

_, _l = translator("sales")


def section(query: str, user: User, limit: int) -> SearchSection | None:
    hits: list[SearchHit] = []
    if user.can("sales.deal.read"):
        deals = db.session.scalars(
            visible_deals(user)
            .where(search_match(Deal, query, user))
            .options(joinedload(Deal.customer), joinedload(Deal.stage))
            .order_by(search_rank(Deal, query), Deal.updated_at.desc())
            .limit(limit)
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
            visible_leads(user)
            .where(search_match(Lead, query, user))
            .order_by(search_rank(Lead, query), Lead.created_at.desc())
            .limit(limit)
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
