"""Who sees which visits: core's ``scoped`` — a doctor their own, a
department's doctors and nurses (team scope) their department's, the roles
that see all every one. A visit out of scope is a 404, the same as none."""

from __future__ import annotations

from sqlalchemy import Select, select

from core.api import NotFoundError, User, db, scoped, translator

from ...models import Visit

_, _l = translator("his")


def visible_visits(user: User | None, query: Select | None = None) -> Select:
    """``query`` (default: every visit) restricted to what ``user`` sees."""
    query = select(Visit) if query is None else query
    return scoped(query, Visit, user, owner_attr="doctor_id", customer_attr="customer_id")


def visible_visit(visit_id: int, user: User | None) -> Visit:
    """The visit if ``user`` may see it, else a 404."""
    found = db.session.scalar(visible_visits(user).where(Visit.id == visit_id))
    if found is None:
        raise NotFoundError(_("visit %(id)s not found", id=visit_id))
    return found


def get_visit(visit_id: int) -> Visit:
    """The visit (not deleted) whatever the user — for services that already
    checked access (a prescription of a visit the caller opened); a 404 if none."""
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.deleted_at is not None:
        raise NotFoundError(_("visit %(id)s not found", id=visit_id))
    return visit
