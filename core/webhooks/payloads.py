"""The JSON body of a delivery, built from an event's arguments.

::

    {"id": "<the delivery's idempotency key>", "event": "customer_created",
     "created_at": "2026-12-06T14:00:00+00:00",
     "data": {"customer": {"type": "customer", "id": 42, "values": {...}}}}

Each argument of the event is in ``data`` under its name: a record as its
table name (``type``), ``id`` and ``values`` — its columns as the audit log
records them (:func:`core.services.base.snapshot`: no password hash, no
look-up hash, encrypted personal data masked), less the fields the
subscription's creator's role hides; dates as ISO 8601 text, decimals as
text; a dict (``changes``) without those hidden fields either. Related
records are not followed: a receiver asks the API for more.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.exc import NoInspectionAvailable

from core.access import hidden_fields, without
from core.models import User, utcnow
from core.services.base import snapshot


def build(event: str, kwargs: dict[str, Any], key: str, viewer: User | None) -> dict[str, Any]:
    """The payload of ``event`` with ``kwargs`` for a subscription made by ``viewer``."""
    hidden: set[str] = set()
    for value in kwargs.values():
        if _is_record(value):
            hidden |= hidden_fields(viewer, value.__tablename__)
    return {
        "id": key,
        "event": event,
        "created_at": utcnow().isoformat(),
        "data": {name: _value(value, viewer, hidden) for name, value in kwargs.items()},
    }


def _is_record(value: Any) -> bool:
    try:
        return inspect(value).mapper is not None
    except NoInspectionAvailable:
        return False


def _value(value: Any, viewer: User | None, hidden: set[str]) -> Any:
    if _is_record(value):
        entity = value.__tablename__
        values = without(snapshot(value), hidden_fields(viewer, entity))
        return {"type": entity, "id": value.id, "values": values}
    if isinstance(value, dict):
        kept = without(value, hidden)
        return {str(k): _value(v, viewer, hidden) for k, v in kept.items()}
    if isinstance(value, (list, tuple, set)):
        return [_value(v, viewer, hidden) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
