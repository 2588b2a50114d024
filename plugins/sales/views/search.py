"""What the search box finds in sales: deals by title, leads by name or
company — the ones the user may open, as their lists show them."""

from __future__ import annotations

from flask import url_for
from sqlalchemy.orm import joinedload

from core.api import SearchHit, SearchSection, User, db, text_contains, translator

from ..models import Deal, Lead
from ..services.access import visible_deals, visible_leads

_, _l = translator("sales")


def section(query: str, user: User, limit: int) -> SearchSection | None:
    hits: list[SearchHit] = []
    if user.can("sales.deal.read"):
        deals = db.session.scalars(
            visible_deals(user)
            .where(text_contains(Deal.title, query))
            .options(joinedload(Deal.customer), joinedload(Deal.stage))
            .order_by(Deal.updated_at.desc())
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
            .where(text_contains(Lead.name, query) | text_contains(Lead.company, query))
            .order_by(Lead.created_at.desc())
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
