"""Each row checked and matched, for the preview and the run alike: its
values through the importer (per-field errors), the existing record it
duplicates — by normalised phone, lower-cased e-mail, or name (and
company) — and, in the preview, the earlier line of the file it repeats.

Only a record the importing user may see is a match (:func:`visible_match`).
What a row does (:func:`action_of`): ``error`` when it does not load;
``create`` when nothing matches; else the action chosen for its line or
for the import (``create``, ``update`` or ``skip``). Within the file, a
row repeating an earlier one is flagged in the preview; in the run the
earlier row's record exists by then, so the repeat is a match like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.errors import TrellisError, ValidationError
from core.imports.importers import Importer
from core.imports.mapping import row_values
from core.models import ImportJob, User


@dataclass
class CheckedRow:
    """A row after checking: its values (``None`` if they did not load),
    errors by field, the record it matches, the earlier line it repeats."""

    line: int
    cells: list[str | None]
    values: dict[str, Any] | None
    errors: dict[str, list[str]] = field(default_factory=dict)
    match: Any = None
    repeats: int | None = None
    action: str = "create"

    @property
    def match_id(self) -> int | None:
        """The matched record's id (only a record the user may see is a match)."""
        return getattr(self.match, "id", None)

    @property
    def message(self) -> str:
        """The errors on one line: ``field: message; …``."""
        return "; ".join(f"{name}: {m}" for name, ms in self.errors.items() for m in ms)


def check_row(
    job: ImportJob, importer: Importer, line: int, cells: list[str | None], actor: User | None
) -> CheckedRow:
    """Load one row and find the record it duplicates (nothing is written)."""
    row = load_row(job, importer, line, cells, actor)
    if row.values is None:
        return row
    row.match = visible_match(importer, importer.find(row.values, actor), actor)
    row.action = action_of(job, row)
    return row


def visible_match(importer: Importer, match: Any, actor: User | None) -> Any:
    """``match`` if ``actor`` may see it, else ``None``: a record outside the
    user's scope is no duplicate for them — the row creates, as the form
    does — and the preview gives no hint that it exists."""
    return match if match is not None and importer.visible(match, actor) else None


def load_row(
    job: ImportJob, importer: Importer, line: int, cells: list[str | None], actor: User | None
) -> CheckedRow:
    """One row's values through the importer, or its errors by field (no match looked for)."""
    payload = row_values(cells, job.columns, job.mapping, importer)
    try:
        values = importer.validate(payload, actor)
    except ValidationError as exc:
        return CheckedRow(line, cells, None, dict(exc.errors), action="error")
    except TrellisError as exc:
        return CheckedRow(line, cells, None, {"_row": [str(exc)]}, action="error")
    return CheckedRow(line, cells, values)


def action_of(job: ImportJob, row: CheckedRow) -> str:
    if row.values is None:
        return "error"
    if row.match is None:
        return "create"
    return job.line_actions.get(str(row.line)) or job.on_duplicate


def flag_repeats(row: CheckedRow, importer: Importer, seen: dict[str, int]) -> None:
    """Note the earlier line of the file ``row`` repeats (by a dedupe key), and its own keys."""
    if row.values is None:
        return
    keys = [k for k in importer.keys(row.values) if not k.endswith(":")]
    for key in keys:
        if key in seen and row.repeats is None:
            row.repeats = seen[key]
    for key in keys:
        seen.setdefault(key, row.line)
