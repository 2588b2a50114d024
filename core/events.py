"""One transaction per service call, and domain events fired after it commits.

Services write inside ``with transaction():``. Events they ``emit`` during
the block are held until the commit succeeds, then delivered to the
``trellis_<event>`` hooks. If the block raises, everything is rolled back
and no event fires — a subscriber never hears of a change that did not
happen.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.errors import PluginError, StaleVersionError
from core.extensions import db
from core.hookspecs import is_event
from core.registry import current_registry

log = logging.getLogger(__name__)
_PENDING = "trellis_pending_events"
#: session.info: how deep the current :func:`transaction` blocks are nested
_DEPTH = "trellis_depth"


#: session.info: what :func:`read_once` read in the current transaction, by key
_READ_ONCE = "trellis_read_once"


def read_once(key: str, load: Callable[[], list[Any]], watched: type) -> list[Any]:
    """``load()``'s answer, read once per transaction of the session: what
    :func:`emit`'s listeners ask of every event (the active webhook
    subscriptions, the active rules) costs one query for an import's or a
    bulk change's thousand events, not one each. Forgotten when the
    transaction ends, and as soon as a ``watched`` row is written in it (a
    subscription saved meanwhile counts for the next events)."""
    found = db.session.info.setdefault(_READ_ONCE, {})
    if key not in found:
        found[key] = (watched, load())
    return found[key][1]


@sa_event.listens_for(Session, "after_flush")
def _forget_written(session: Session, _context: Any) -> None:
    found = session.info.get(_READ_ONCE)
    if found:
        written = {type(o) for o in (*session.new, *session.dirty, *session.deleted)}
        for key in [k for k, (watched, _rows) in found.items() if watched in written]:
            del found[key]


@sa_event.listens_for(Session, "after_commit")
@sa_event.listens_for(Session, "after_rollback")
def _forget_all(session: Session) -> None:
    session.info.pop(_READ_ONCE, None)


def in_transaction() -> bool:
    """Whether a :func:`transaction` block is open on the current session
    (what is written now commits, or rolls back, with it)."""
    return db.session.info.get(_DEPTH, 0) > 0


@contextmanager
def transaction() -> Iterator[None]:
    """Commit on success, roll back on any error, then fire the queued events.

    Nested use joins the outer transaction: only the outermost commits.
    """
    session = db.session
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield
        if depth == 0:
            session.commit()
    except StaleDataError as exc:
        # the version check in the UPDATE found no row: another writer won the race
        if depth == 0:
            session.rollback()
            session.info.pop(_PENDING, None)
        raise StaleVersionError(_table(exc), None, None, None) from None
    except BaseException:
        if depth == 0:
            session.rollback()
            session.info.pop(_PENDING, None)
        raise
    finally:
        session.info[_DEPTH] = depth
    if depth == 0:
        for event, kwargs in session.info.pop(_PENDING, []):
            fire(event, **kwargs)


@contextmanager
def savepoint() -> Iterator[None]:
    """A savepoint in the current transaction: if the block raises, its
    writes are rolled back and the events it emitted will not fire (the
    error goes on to the caller, who decides what the failure means)."""
    pending = db.session.info.setdefault(_PENDING, [])
    held = len(pending)
    try:
        with db.session.begin_nested():
            yield
    except BaseException:
        del pending[held:]
        raise


def _table(exc: StaleDataError) -> str:
    """The table a lost optimistic-locking race was on, from SQLAlchemy's message."""
    found = re.search(r"on table '([^']+)'", str(exc))
    return found.group(1) if found else "the record"


_Listener = TypeVar("_Listener", bound=Callable[[str, dict[str, Any]], object])
#: called with (event, kwargs) by :func:`emit`, inside the caller's transaction
_ON_EMIT: list[Callable[[str, dict[str, Any]], object]] = []


def on_emit(listener: _Listener) -> _Listener:
    """Have ``listener(event, kwargs)`` called by every :func:`emit`, in the
    transaction of the change: what it writes commits or rolls back with it.
    Core's own wiring (:mod:`core.webhooks` writes its deliveries so), set
    once at import — not a hook: nothing here is a plugin's to change."""
    _ON_EMIT.append(listener)
    return listener


def emit(event: str, **kwargs: Any) -> None:
    """Queue ``trellis_<event>`` to fire when the current transaction commits.

    ``event`` must be declared with ``@eventspec`` (by core or a plugin's
    ``hookspecs``): a misspelt name would otherwise reach no subscriber and
    nobody would know. In development and tests that raises at once; in
    production it is logged and the write still commits. A webhook delivery
    is written now, in the same transaction, for each subscription that
    wants the event (:mod:`core.webhooks`, through :func:`on_emit`).
    """
    if _declared(event):
        db.session.info.setdefault(_PENDING, []).append((event, kwargs))
        for listener in _ON_EMIT:
            listener(event, kwargs)


def fire(event: str, **kwargs) -> None:
    """Call every subscriber of ``trellis_<event>`` now, through pluggy.

    ``tryfirst``/``trylast`` and wrappers mean what pluggy documents. A
    failing subscriber is logged and the others still run (see
    :class:`core.plugins.Guest`): the change is already committed, and one
    plugin's bug must not hide it from the rest.
    """
    if not _declared(event):
        return
    try:
        getattr(current_registry().pm.hook, f"trellis_{event}")(**kwargs)
    except Exception:  # a wrapper's own failure: the change stands all the same
        log.exception("a wrapper failed around event %s", event)


def _declared(event: str) -> bool:
    caller = getattr(current_registry().pm.hook, f"trellis_{event}", None)
    if caller is not None and is_event(caller):
        return True
    message = (
        f"event {event!r} is not declared: no @eventspec trellis_{event} "
        "in core or in an enabled plugin's hookspecs"
    )
    if current_app.debug or current_app.testing:
        raise PluginError(message)
    log.error(message)
    return False
