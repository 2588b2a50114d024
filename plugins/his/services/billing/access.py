"""Who sees which billing records: a cashier or a registration clerk (scope
all) every patient's; anyone else with ``his.billing.read`` the charges and
payments of the patients (customers) their scope lets them see. Out of
scope is a 404, the same as none."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, select

from core.api import NotFoundError, User, db, scoped, sees_all, translator, visible_customer_ids

_, _l = translator("his")

M = TypeVar("M")


def visible_billing(model: type[Any], user: User | None, query: Select | None = None) -> Select:
    """``query`` (default: every row of ``model``, which has a
    ``customer_id``) restricted to what ``user`` sees."""
    query = select(model) if query is None else query
    if sees_all(user):  # every live patient's, through core's scope
        return scoped(
            query,
            model,
            user,
            owner_attr="customer_id",
            team_attr=None,
            customer_attr="customer_id",
        )
    return query.where(model.customer_id.in_(visible_customer_ids(user)))


def visible_one(model: type[M], record_id: int, user: User | None, label: str) -> M:
    """One record ``user`` sees, else a 404 naming ``label`` (e.g. "payment")."""
    found = db.session.scalar(visible_billing(model, user).where(model.id == record_id))  # type: ignore[attr-defined]
    if found is None:
        raise NotFoundError(_("%(what)s %(id)s not found", what=label, id=record_id))
    return found
