"""Words into index terms — one rule for what is stored and what is asked.

The index holds *terms*; a query's terms are matched as prefixes of them
(``acm`` finds ``acme``). So the terms are chosen for what users type:

- Latin (and other spaced) words: the folded word (NFKC, case-folded,
  accents dropped) — ``Zoë Ltd.`` → ``zoe``, ``ltd``; a prefix finds it.
- Chinese, Japanese and Korean, written without spaces: every two-character
  window of the run and its last character — ``华为科技`` → ``华为``,
  ``为科``, ``科技``, ``技``. A query run becomes its windows too, so any
  fragment of two or more characters matches where it occurs, and one
  character matches where a window starts with it.
- Digits: every tail of a run of 4 or more digits, so that a phone number's
  middle or end (``0013``, ``8000``) is the start of one of its terms. A
  number written in groups is read as one run (on both sides), so
  ``+86 138 0013 8000`` is found by ``13800138000`` and by ``0013 8000``.

Punctuation, operators and control characters are separators and never
reach the database; a query gives at most :data:`MAX_QUERY_TERMS` terms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

#: a query's terms beyond this many are ignored (each one is an index probe)
MAX_QUERY_TERMS = 8
#: runs of this many digits or more are indexed by every tail
DIGIT_TAILS_FROM = 4
#: the shortest tail indexed
SHORTEST_TAIL = 3
#: longest term kept (a pasted blob is not a word)
LONGEST_TERM = 40

_CJK = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\uac00-\ud7af"  # hangul syllables
)
_RUNS = re.compile(rf"([{_CJK}]+)|(\d+)|([^\W\d_{_CJK}]+)")
#: a number written in groups (``+86 138-0013-8000``, ``(020) 7946 0958``)
_GROUPED_DIGITS = re.compile(r"(?<![^\W\d_])\+?\(?\d[\d \-.()/]{4,}\d(?![^\W\d_])")
#: digits a grouped number needs to be read as one number
_NUMBER_DIGITS = 6


def _ungroup(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return digits if len(digits) >= _NUMBER_DIGITS else match.group()


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _GROUPED_DIGITS.sub(_ungroup, text)


def _runs(text: str) -> Iterable[tuple[str, str]]:
    for match in _RUNS.finditer(_fold(text)):
        cjk, digits, word = match.groups()
        if cjk:
            yield "cjk", cjk
        elif digits:
            yield "digits", digits
        else:
            yield "word", word


def _windows(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def document_terms(values: Iterable[str | None]) -> str:
    """The index terms of ``values`` (one field's texts), space-separated, each once."""
    terms: dict[str, None] = {}
    for value in values:
        if not value:
            continue
        for kind, run in _runs(value):
            if kind == "cjk":
                found = [*_windows(run), run[-1]] if len(run) > 1 else [run]
            elif kind == "digits" and len(run) >= DIGIT_TAILS_FROM:
                found = [run[i:] for i in range(len(run) - SHORTEST_TAIL + 1)]
            else:
                found = [run]
            for term in found:
                terms.setdefault(term[:LONGEST_TERM], None)
    return " ".join(terms)


def query_terms(query: str) -> list[str]:
    """The terms a query asks for, each to be found as the prefix of an index term."""
    terms: dict[str, None] = {}
    for kind, run in _runs(query[:200]):
        for term in _windows(run) if kind == "cjk" else [run]:
            terms.setdefault(term[:LONGEST_TERM], None)
    return list(terms)[:MAX_QUERY_TERMS]
