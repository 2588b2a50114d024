"""The search box in the top bar (``/search?q=``): one place to find a
customer, a contact, or any record a plugin adds (``trellis_search``) —
each section only what the signed-in user may open, as their lists show."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from core.access import hidden_fields, scoped
from core.declarations import SearchHit, SearchSection
from core.extensions import db
from core.i18n import _
from core.models import Contact, Customer
from core.registry import current_registry
from core.search import search_match, search_rank
from core.web.contacts import contacts_query

bp = Blueprint("search", __name__)
#: hits per section; the section's own list finds the rest
LIMIT = 8


def core_sections(words: str) -> list[SearchSection]:
    """Customers and contacts by name, phone or e-mail — those the user may see."""
    if not current_user.can("customer.read"):
        return []
    customers = db.session.scalars(
        scoped(select(Customer), Customer, current_user)
        .where(search_match(Customer, words, current_user))
        .order_by(search_rank(Customer, words), Customer.name)
        .limit(LIMIT)
    ).all()
    contacts = db.session.execute(
        contacts_query(Customer.name)
        .where(search_match(Contact, words, current_user))
        .order_by(search_rank(Contact, words), Contact.name)
        .limit(LIMIT)
    ).all()
    city_hidden = "city" in hidden_fields(current_user, "customer")
    return [
        SearchSection(
            _("Customers"),
            tuple(
                SearchHit(
                    c.name,
                    url_for("customers.detail", customer_id=c.id),
                    "" if city_hidden else c.city or "",
                )
                for c in customers
            ),
            order=0,
        ),
        SearchSection(
            _("Contacts"),
            tuple(
                SearchHit(c.name, url_for("contacts.detail", contact_id=c.id), name)
                for c, name in contacts
            ),
            order=1,
        ),
    ]


@bp.route("/search")
@login_required
def search():
    words = " ".join(request.args.get("q", "").split())[:100]
    sections: list[SearchSection] = []
    if len(words) >= 2:
        sections = core_sections(words)
        answers = current_registry().call(
            "trellis_search", query=words, user=current_user, limit=LIMIT
        )
        sections += sorted(
            (s for s in answers if s is not None), key=lambda s: (s.order, str(s.title))
        )
    found = [s for s in sections if s.hits]
    return render_template("core/search.html", words=words, sections=found, limit=LIMIT)
