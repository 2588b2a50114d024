"""Who sees which prescriptions and examination orders: those of the
visits they see (``services.visits``: core's ``scoped``). One out of scope
is a 404, the same as none."""

from __future__ import annotations

from sqlalchemy import Select, select

from core.api import NotFoundError, User, db, translator

from ...models import ExamOrder, Prescription, Visit
from ..visits import visible_visits

_, _l = translator("his")


def _visit_ids(user: User | None) -> Select:
    return visible_visits(user, select(Visit.id))


def visible_prescriptions(user: User | None, query: Select | None = None) -> Select:
    """``query`` (default: every prescription) restricted to what ``user`` sees."""
    query = select(Prescription) if query is None else query
    return query.where(Prescription.visit_id.in_(_visit_ids(user)))


def visible_prescription(prescription_id: int, user: User | None) -> Prescription:
    found = db.session.scalar(visible_prescriptions(user).where(Prescription.id == prescription_id))
    if found is None:
        raise NotFoundError(_("prescription %(id)s not found", id=prescription_id))
    return found


def visible_exam_orders(user: User | None, query: Select | None = None) -> Select:
    """``query`` (default: every examination order) restricted to what ``user`` sees."""
    query = select(ExamOrder) if query is None else query
    return query.where(ExamOrder.visit_id.in_(_visit_ids(user)))


def visible_exam_order(order_id: int, user: User | None) -> ExamOrder:
    found = db.session.scalar(visible_exam_orders(user).where(ExamOrder.id == order_id))
    if found is None:
        raise NotFoundError(_("examination order %(id)s not found", id=order_id))
    return found
