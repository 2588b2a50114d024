"""The moved customers (``models.MovedCustomer``): each customer with a
policy term, transaction or claim whose agent or team is not the
customer's owner or team, once per such (agent, team).

**Why.** The report cells hold no customer, so a manager's or an agent's
report takes off the rows their scope holds whose customer they do not see
(:mod:`.reading`). Core's ``scoped`` lets a user see a record by its agent
and team, a customer by its owner and team, the same way; so a record in
the user's scope whose customer is its agent's and team's has a customer
the user sees too (unless it is in the recycle bin). Only the customers
here — a customer moved to another rep, a policy transferred — can be out
of sight, and they are few: checking them replaces checking the customer
of every row in the scope (a manager's 54,000 first terms at 1,000,000
terms: 70–150 ms on PostgreSQL).

**Kept in the same transaction**, by the ORM hooks below: a record
written with its customer's owner and team adds nothing (one read of the
customers a flush writes records for; none when they are in the session,
or the record is a transaction or claim with its term's customer, agent
and team — a lapse, an endorsement);
one written with another agent or team adds its row; a record whose
agent, team or customer changes, and a customer whose owner or team
changes, has its customer's rows read again (``refresh``) — in a flush and
in a bulk ``UPDATE`` through the session (a transfer, a merge). A record
deleted leaves its row: a row too many costs a look, never a figure. A
loader that writes with plain SQL calls ``report_cells.rebuild()``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, delete, event, func, inspect, or_, select, union
from sqlalchemy.orm import ORMExecuteState, Session

from core.api import Customer, db

from ...models import Claim, MovedCustomer, Policy, PolicyTransaction

#: the records, each with its customer, agent and team
RECORDS = (Policy, PolicyTransaction, Claim)
#: a record's columns that decide whether its customer is moved
RECORD_ATTRS = ("customer_id", "agent_id", "team_id")
#: a customer's
CUSTOMER_ATTRS = ("owner_id", "team_id")
CHUNK = 500
COLUMNS = ["customer_id", "agent_id", "team_id"]


def _apart(model: Any, customer_ids: list[int] | None) -> Select:
    """``(customer_id, agent_id, team_id)`` of ``model``'s records whose agent
    or team is not their customer's owner or team."""
    query = (
        select(model.customer_id, model.agent_id, model.team_id)
        .join(Customer, Customer.id == model.customer_id)
        .where(
            or_(
                model.agent_id.is_distinct_from(Customer.owner_id),
                model.team_id.is_distinct_from(Customer.team_id),
            )
        )
    )
    return query if customer_ids is None else query.where(model.customer_id.in_(customer_ids))


def _insert(customer_ids: list[int] | None, session: Any) -> None:
    rows = union(*(_apart(model, customer_ids) for model in RECORDS))
    session.execute(MovedCustomer.__table__.insert().from_select(COLUMNS, rows))


def refresh(customer_ids: Iterable[int], session: Any = None) -> None:
    """Read the rows of ``customer_ids`` again from their records."""
    session = session or db.session
    ids = sorted({i for i in customer_ids if i is not None})
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        session.execute(delete(MovedCustomer).where(MovedCustomer.customer_id.in_(chunk)))
        _insert(chunk, session)


def rebuild(session: Any = None) -> int:
    """Every row read again from all the records; returns how many."""
    session = session or db.session
    session.execute(delete(MovedCustomer))
    _insert(None, session)
    return session.scalar(select(func.count()).select_from(MovedCustomer)) or 0


def _customers(session: Session, ids: set[int]) -> dict[int, tuple]:
    """``{customer id: (owner_id, team_id)}``, from the session when loaded."""
    found: dict[int, tuple] = {}
    for customer_id in ids:
        obj = session.identity_map.get(session.identity_key(Customer, customer_id))
        state = inspect(obj) if obj is not None else None
        if state is not None and not (set(CUSTOMER_ATTRS) & state.unloaded):
            found[customer_id] = (obj.owner_id, obj.team_id)
    missing = sorted(ids - found.keys())
    for start in range(0, len(missing), CHUNK):
        query = select(Customer.id, Customer.owner_id, Customer.team_id).where(
            Customer.id.in_(missing[start : start + CHUNK])
        )
        found |= {row.id: (row.owner_id, row.team_id) for row in session.execute(query)}
    return found


def _as_its_term(session: Session, record: Any) -> bool:
    """Whether a new transaction or claim has the customer, agent and team
    of its term, written before (and in the session): the term's row, if it
    needs one, is there already — nothing to read (a lapse, an endorsement)."""
    if not isinstance(record, (PolicyTransaction, Claim)):
        return False
    term = session.identity_map.get(session.identity_key(Policy, record.policy_id))
    if term is None or term in session.new or set(RECORD_ATTRS) & inspect(term).unloaded:
        return False
    return all(getattr(term, name) == getattr(record, name) for name in RECORD_ATTRS)


def _add_new(session: Session, records: list) -> None:
    """Rows for the new ``records`` not their customer's owner's and team's."""
    records = [r for r in records if not _as_its_term(session, r)]
    triples = {(r.customer_id, r.agent_id, r.team_id) for r in records}
    owners = _customers(session, {t[0] for t in triples})
    rows = [
        dict(zip(COLUMNS, t, strict=True))
        for t in sorted(triples, key=repr)
        if t[0] in owners and owners[t[0]] != t[1:]
    ]
    if rows:
        session.execute(MovedCustomer.__table__.insert(), rows)


def _kept_here(session: Session) -> bool:
    """Whether this database holds the rows: a customer moved in an app
    without this plugin (a test process imports it once for every app it
    builds) has none to keep. Asked only when a customer moves (rare)."""
    return inspect(session.connection()).has_table(MovedCustomer.__tablename__)


def _changed(obj: Any, names: tuple[str, ...]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "after_flush")
def _keep(session: Session, _context) -> None:
    """The session still lists what the flush wrote, with its history."""
    again: set[int] = set()
    new = [obj for obj in session.new if isinstance(obj, RECORDS)]
    for obj in session.dirty:
        if isinstance(obj, RECORDS) and _changed(obj, RECORD_ATTRS):
            history = inspect(obj).attrs["customer_id"].history
            again |= {obj.customer_id, *history.deleted}
        elif isinstance(obj, Customer) and _changed(obj, CUSTOMER_ATTRS):
            again.add(obj.id)
    if again and not new and not any(isinstance(o, RECORDS) for o in session.dirty):
        if not _kept_here(session):  # only customers moved: is the plugin here?
            return
    new = [obj for obj in new if obj.customer_id not in again]
    if new:
        _add_new(session, new)
    if again:
        refresh(again, session)


def _sets_none_of(statement: Any, names: tuple[str, ...]) -> bool:
    """Whether a bulk ``UPDATE`` is known to set none of ``names``."""
    values = getattr(statement, "_values", None) or dict(
        getattr(statement, "_ordered_values", None) or ()
    )
    keys = {getattr(column, "key", column) for column in values or ()}
    return bool(keys) and all(isinstance(k, str) for k in keys) and not keys & set(names)


@event.listens_for(Session, "do_orm_execute")
def _around_bulk(state: ORMExecuteState):
    """A bulk ``UPDATE`` of records (a transfer, a merge's re-pointing) or of
    customers bypasses the flush: refresh the customers it touches, as they
    were before it and are after."""
    if not state.is_update or state.bind_mapper is None:
        return None
    model = state.bind_mapper.class_
    where = getattr(state.statement, "whereclause", None)
    if model is Customer:
        if _sets_none_of(state.statement, CUSTOMER_ATTRS) or not _kept_here(state.session):
            return None
        query = select(Customer.id, Customer.id)
    elif model in RECORDS:
        if _sets_none_of(state.statement, RECORD_ATTRS):
            return None
        query = select(model.id, model.customer_id)
    else:
        return None
    rows = state.session.execute(query if where is None else query.where(where)).all()
    if not rows:
        return None
    result = state.invoke_statement()
    ids = sorted(row[0] for row in rows)
    customers = {row[1] for row in rows}
    if model is not Customer:
        for start in range(0, len(ids), CHUNK):
            chunk = select(model.customer_id).where(model.id.in_(ids[start : start + CHUNK]))
            customers |= set(state.session.scalars(chunk))
    refresh(customers, state.session)
    return result
