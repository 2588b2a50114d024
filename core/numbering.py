"""Numbered documents (编号): contracts, quotes, invoices, policies, medical
record numbers — one counter per sequence and period, given out in the
caller's transaction.

A pattern is text with fields in braces: ``{yyyy}``, ``{yy}``, ``{mm}``,
``{dd}`` (the date in the instance's time zone) and ``{seq}``, the counter,
with an optional width (``{seq:05}``: zero-padded to five digits). The
counter restarts whenever the text around it changes: ``HT-{yyyy}{mm}-{seq:04}``
gives ``HT-202612-0001``, ``HT-202612-0002``, … and ``HT-202701-0001`` next
month. Plugins let an admin choose the pattern in their settings and check
it with :func:`check_pattern`.
"""

from __future__ import annotations

import re
import string
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text

from core.errors import ValidationError
from core.extensions import db
from core.i18n import instance_timezone
from core.i18n import lazy_gettext as _l
from core.models.numbering import NumberSequence

_FIELDS = {"yyyy", "yy", "mm", "dd", "seq"}
_SEQ_SPEC = re.compile(r"^0?[1-9]$|^$")


def check_pattern(pattern: str, field: str = "pattern") -> str:
    """``pattern`` if it is a valid number pattern, else a
    :class:`ValidationError` naming ``field``: exactly one ``{seq}``, no
    other field than the date's, a width from 1 to 9, at most 60 characters."""
    problem = _problem(pattern)
    if problem:
        raise ValidationError({field: [problem]})
    return pattern


def _problem(pattern: str) -> str | None:
    if not pattern or len(pattern) > 60:
        return str(_l("A number pattern has 1 to 60 characters."))
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        return str(_l("Braces must pair up: {yyyy}, {mm}, {seq:04}."))
    names = [name for _, name, _, _ in parts if name is not None]
    if any(name not in _FIELDS for name in names):
        return str(_l("Use only {yyyy}, {yy}, {mm}, {dd} and {seq} in a number pattern."))
    if names.count("seq") != 1:
        return str(_l("A number pattern holds {seq} exactly once."))
    spec = next(spec for _, name, spec, _ in parts if name == "seq")
    if not _SEQ_SPEC.match(spec or ""):
        return str(_l("The width of {seq} is a digit from 1 to 9, as in {seq:04}."))
    return None


def next_number(sequence: str, pattern: str, on: date | None = None) -> str:
    """The next number of ``sequence`` (a dotted name, ``sales.contract``)
    rendered by ``pattern`` for the day ``on`` (today in the instance's time
    zone by default).

    The counter row is bumped with one upsert (the same SQL on SQLite and
    PostgreSQL) in the caller's transaction and stays locked until it ends:
    two users numbering at once get one number after the other, and a
    rolled-back write gives its number back."""
    check_pattern(pattern)
    if on is None:
        on = datetime.now(ZoneInfo(instance_timezone())).date()
    dates = {"yyyy": f"{on:%Y}", "yy": f"{on:%y}", "mm": f"{on:%m}", "dd": f"{on:%d}"}
    period = _render(pattern, dates, "#")
    serial = db.session.scalar(
        text(
            f"INSERT INTO {NumberSequence.__tablename__} (key, last) VALUES (:key, 1) "
            f"ON CONFLICT (key) DO UPDATE SET last = {NumberSequence.__tablename__}.last + 1 "
            "RETURNING last"
        ),
        {"key": f"{sequence}|{period}"[:160]},
    )
    return _render(pattern, dates, serial)


def _render(pattern: str, dates: dict[str, str], seq: object) -> str:
    out = []
    for literal, name, spec, _ in string.Formatter().parse(pattern):
        out.append(literal)
        if name == "seq":
            out.append(format(seq, (spec or "") + "d") if isinstance(seq, int) else str(seq))
        elif name is not None:
            out.append(dates[name])
    return "".join(out)
