"""Keeping the report cells in step with the rows they add up (see the
package's docstring), the same for every kind of cell: each kind registers
a :class:`Kept` (:mod:`.earned`, :mod:`.incurred`) — the rows it adds up,
what they add to the cells, and the parent rows (a term, a claim) whose
change moves them — and the ORM flush hooks here, the bulk statement hook
and ``rebuild`` serve them all alike; ``apply`` adds a difference."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session

from core.api import add_to_cells, db

from ...models import ReportCell

KEYS = (
    "kind",
    "month",
    "currency",
    "carrier_id",
    "product_id",
    "line",
    "agent_id",
    "owner_id",
    "team_id",
)
MEASURES = ("parts", "cents")
#: rows per statement when reading or writing many
CHUNK = 500
_BEFORE = "insurance_report_cells_before"


@dataclass(frozen=True)
class Kept:
    """A kind of cell and the rows it adds up: ``model``'s rows, read as
    ``columns`` (its id first) by ``query`` (a select of them, joined to
    what they need); ``contributions(rows)`` is ``{cell key: [parts,
    cents]}``. A change of ``parent`` (``link`` the model's column pointing
    at it) in one of ``parent_attrs`` moves its rows too — in a flush, and
    in a bulk ``UPDATE`` when ``bulk_parent``. ``row_attrs``, when given:
    the attributes of ``model`` whose change moves a row (a change of any
    other, in a flush or a bulk ``UPDATE``, is not read)."""

    kind: str
    model: type
    query: Callable[[], Select]
    contributions: Callable[[Iterable], dict[tuple, list[int]]]
    parent: type
    link: Any
    parent_attrs: tuple[str, ...]
    bulk_parent: bool = False
    row_attrs: tuple[str, ...] = ()

    def moved(self, obj: Any) -> bool:
        """Whether the changed row ``obj`` of ``model`` may move its cells."""
        if not self.row_attrs:
            return True
        attrs = inspect(obj).attrs
        return any(attrs[name].history.has_changes() for name in self.row_attrs)

    def rows_of(self, ids: Iterable[int], session: Any = None) -> list:
        """The rows with ``ids``, read ``CHUNK`` at a time."""
        ids = sorted(set(ids))
        id_column = self.model.id
        return [
            row
            for start in range(0, len(ids), CHUNK)
            for row in (session or db.session).execute(
                self.query().where(id_column.in_(ids[start : start + CHUNK]))
            )
        ]

    def move(self, before: list, after: list, session: Any = None) -> None:
        """The rows were ``before`` and are ``after``: add the difference."""
        apply(self.contributions(before), self.contributions(after), session)


#: every kind of cell, in the order registered
KEPT: list[Kept] = []


def keep(kept: Kept) -> Kept:
    KEPT.append(kept)
    return kept


def cell_key(key: tuple) -> str:
    return "|".join("" if part is None else str(part) for part in key)


def _row(key: tuple, measures: list[int]) -> dict:
    return {
        "key": cell_key(key),
        **dict(zip(KEYS, key, strict=True)),
        **dict(zip(MEASURES, measures, strict=True)),
    }


def cell_rows(cells: dict[tuple, list[int]]) -> list[dict]:
    """The table rows of ``cells`` (for an insert into an empty table)."""
    return [_row(key, measures) for key, measures in cells.items()]


def apply(old: dict[tuple, list[int]], new: dict[tuple, list[int]], session: Any = None) -> None:
    """Add ``new - old`` to the cells (core's ``add_to_cells``: upserts in
    key order); cells left with no part are deleted."""
    changed = []
    for key in old.keys() | new.keys():
        before, after = old.get(key, (0, 0)), new.get(key, (0, 0))
        delta = [a - b for a, b in zip(after, before, strict=True)]
        if any(delta):
            changed.append(_row(key, delta))
    table = ReportCell.__table__
    add_to_cells(
        table, changed, keys=("key",), measures=MEASURES, drop_when="parts", session=session
    )


def rebuild(session: Any = None) -> int:
    """Add every row of every kind up again from scratch (after a load with
    plain SQL, or to check the cells), and read the moved customers again
    (:mod:`.moved`, which the cells' readers need); returns the number of
    cells."""
    from .moved import rebuild as rebuild_moved

    session = session or db.session
    rebuild_moved(session)
    session.execute(delete(ReportCell))
    count = 0
    for kept in KEPT:
        every = kept.query().execution_options(yield_per=10_000)
        rows = cell_rows(kept.contributions(session.execute(every)))
        for start in range(0, len(rows), 5_000):
            session.execute(ReportCell.__table__.insert(), rows[start : start + 5_000])
        count += len(rows)
    return count


# --------------------------------------------------------------- the hooks


def _touched(session: Session, kept: Kept) -> tuple[set[int], set[int], list]:
    """What this flush changes of ``kept``'s rows: the ids of the rows
    deleted or changed, of the parents changed in ``parent_attrs``, and the
    new rows (their ids come with the flush)."""
    ids, parents, new = set(), set(), []
    for obj in session.new:
        if isinstance(obj, kept.model):
            new.append(obj)
    for obj in (*session.deleted, *session.dirty):
        if isinstance(obj, kept.model) and obj.id is not None:
            if obj in session.deleted or (
                session.is_modified(obj, include_collections=False) and kept.moved(obj)
            ):
                ids.add(obj.id)
        elif isinstance(obj, kept.parent) and obj.id is not None and obj not in session.deleted:
            attrs = inspect(obj).attrs
            if any(attrs[name].history.has_changes() for name in kept.parent_attrs):
                parents.add(obj.id)
    return ids, parents, new


def _children(kept: Kept, where, session: Any) -> set[int]:
    return set(session.scalars(select(kept.model.id).where(where)))


@event.listens_for(Session, "before_flush")
def _read_before(session: Session, _context, _instances) -> None:
    session.info.pop(_BEFORE, None)  # left by a flush that failed
    found = []
    for kept in KEPT:
        ids, parents, new = _touched(session, kept)
        if parents:
            ids |= _children(kept, kept.link.in_(sorted(parents)), session)
        if ids or new:
            found.append((kept, kept.rows_of(ids, session) if ids else [], ids, new))
    if found:
        session.info[_BEFORE] = found


@event.listens_for(Session, "after_flush")
def _add_difference(session: Session, _context) -> None:
    for kept, before, ids, new in session.info.pop(_BEFORE, []):
        ids = ids | {obj.id for obj in new if obj.id is not None}
        kept.move(before, kept.rows_of(ids, session), session)


def _set_names(statement: Any) -> set[str] | None:
    """The names of the columns a bulk ``UPDATE`` sets (None: not known)."""
    values = getattr(statement, "_values", None) or dict(
        getattr(statement, "_ordered_values", None) or ()
    )
    if not values:
        return None
    names = {getattr(column, "key", column) for column in values}
    return names if all(isinstance(name, str) for name in names) else None


@event.listens_for(Session, "do_orm_execute")
def _around_bulk(state: ORMExecuteState):
    """A bulk ``UPDATE``/``DELETE`` of kept rows (a purge), or of their
    parents where that moves them (a transfer of claims), bypasses the
    flush: read the rows it touches before and after it, and move them."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return None
    model = state.bind_mapper.class_
    where = getattr(state.statement, "whereclause", None)
    touched = []
    for kept in KEPT:
        if model is not kept.model and not (model is kept.parent and kept.bulk_parent):
            continue
        if model is kept.model and state.is_update and kept.row_attrs:
            names = _set_names(state.statement)
            if names is not None and not names & set(kept.row_attrs):
                continue  # sets nothing the cells count
        query = select(model.id) if where is None else select(model.id).where(where)
        if model is kept.parent:  # the rows of the parents it touches
            query = select(kept.model.id).where(kept.link.in_(query))
        ids = set(state.session.scalars(query))
        if ids:
            touched.append((kept, ids, kept.rows_of(ids, state.session)))
    if not touched:
        return None
    result = state.invoke_statement()
    for kept, ids, before in touched:
        kept.move(before, kept.rows_of(ids, state.session), state.session)
    return result
