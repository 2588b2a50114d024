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
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError

from core.errors import StaleVersionError
from core.extensions import db
from core.registry import current_registry

log = logging.getLogger(__name__)
_PENDING = "trellis_pending_events"


@contextmanager
def transaction() -> Iterator[None]:
    """Commit on success, roll back on any error, then fire the queued events.

    Nested use joins the outer transaction: only the outermost commits.
    """
    session = db.session
    depth = session.info.get("trellis_depth", 0)
    session.info["trellis_depth"] = depth + 1
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
        session.info["trellis_depth"] = depth
    if depth == 0:
        for event, kwargs in session.info.pop(_PENDING, []):
            fire(event, **kwargs)


def _table(exc: StaleDataError) -> str:
    """The table a lost optimistic-locking race was on, from SQLAlchemy's message."""
    found = re.search(r"on table '([^']+)'", str(exc))
    return found.group(1) if found else "the record"


def emit(event: str, **kwargs) -> None:
    """Queue ``trellis_<event>`` to fire when the current transaction commits."""
    db.session.info.setdefault(_PENDING, []).append((event, kwargs))


def fire(event: str, **kwargs) -> None:
    """Call every subscriber of ``trellis_<event>`` now.

    A failing subscriber is logged and the others still run: the change is
    already committed, and one plugin's bug must not hide it from the rest.
    """
    hook = getattr(current_registry().pm.hook, f"trellis_{event}")
    for impl in hook.get_hookimpls():
        try:
            impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
        except Exception:
            log.exception("plugin %r failed handling event %s", impl.plugin_name, event)
