"""The machinery that keeps report cells in step with the rows they add up,
shared by every kind of kept row (deals in :mod:`.keeping`, payments and
contracts in :mod:`.money`): each registers a :class:`Kept` — its model, the
columns its cells depend on, how a change moves the cells and how to add
everything up again — and the ORM flush hooks here, ``recounted`` around a
bulk statement and ``keeping.rebuild`` serve them all alike."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from core.api import db

_BEFORE = "sales_report_cells_before"


@dataclass(frozen=True)
class Kept:
    """A model whose rows the cells add up: ``columns`` decide what a row
    adds (the first is its id); ``move(before, after, session)`` adds the
    difference between two readings of the same rows to the cells;
    ``counted()`` adds every row up from scratch (``{cell key: measures}``)."""

    model: type
    columns: tuple
    move: Callable[[list, list, Any], None]
    counted: Callable[[], dict]
    names: tuple = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(column.key for column in self.columns))

    def rows(self, where, session: Session | None = None) -> list:
        """The rows matching ``where``, as the cells read them (``columns``)."""
        return list((session or db.session).execute(select(*self.columns).where(where)).all())

    def rows_of(self, ids: list, session: Session | None = None) -> list:
        """The rows with ``ids``, read 500 at a time."""
        id_column = self.columns[0]
        return [
            row
            for chunk in range(0, len(ids), 500)
            for row in self.rows(id_column.in_(ids[chunk : chunk + 500]), session)
        ]


#: every kind of kept row, in the order registered
KEPT: list[Kept] = []


def keep(model: type, columns: tuple, move: Callable[[list, list, Session], None], counted) -> Kept:
    """Register ``model``'s rows to be kept in the cells (see :class:`Kept`)."""
    kept = Kept(model, columns, move, counted)
    KEPT.append(kept)
    return kept


@contextmanager
def recounted(kept: Kept, where):
    """Run a bulk statement over ``kept``'s rows matching ``where`` (``UPDATE``
    or ``DELETE``, which the flush hooks cannot see) and move their
    contributions with them."""
    before = kept.rows(where)
    yield
    after = kept.rows_of([row[0] for row in before])
    kept.move(before, after, db.session)


def _touched(session: Session, kept: Kept) -> list:
    """The rows of ``kept`` this flush adds or deletes, and those whose kept columns changed."""
    model = kept.model
    touched = [obj for obj in (*session.new, *session.deleted) if isinstance(obj, model)]
    for obj in session.dirty:
        if isinstance(obj, model) and any(
            inspect(obj).attrs[name].history.has_changes() for name in kept.names
        ):
            touched.append(obj)
    return touched


@event.listens_for(Session, "before_flush")
def _read_before(session: Session, _context, _instances) -> None:
    session.info.pop(_BEFORE, None)  # left by a flush that failed
    found = []
    for kept in KEPT:
        objects = _touched(session, kept)
        if objects:
            ids = [o.id for o in objects if o.id is not None]
            found.append((kept, kept.rows_of(ids, session) if ids else [], objects))
    if found:
        session.info[_BEFORE] = found


@event.listens_for(Session, "after_flush")
def _add_difference(session: Session, _context) -> None:
    for kept, before, objects in session.info.pop(_BEFORE, []):
        after = kept.rows_of([o.id for o in objects if o.id is not None], session)
        kept.move(before, after, session)
