"""Walk pages the way a reader sees them, for tests of core and of plugins.

- ``get_routes(app)``: every GET route of the URL map (static files left
  out), so a walk covers tomorrow's routes without anyone listing them;
- ``fill_route(rule, values)``: the route's URL with its parameters taken
  from ``values`` (by parameter name), or None when one is missing;
- ``shown_text(html)``: the text a reader sees (text and the attributes read
  out: titles, labels, placeholders, confirmations), not scripts or styles;
- ``english_words(html)``: the Latin-script words among them;
- ``untranslated(html, locale)``: the catalogue messages (core's and every
  plugin's) shown in English on a page meant to be in ``locale``.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from flask import Flask
from werkzeug.routing import Rule

#: Latin words a Chinese page may show: the product's name, abbreviations Chinese
#: uses too, and the names of file formats and units
LATIN_IN_CHINESE = {
    "Trellis",
    "CSV",
    "XLSX",
    "VIP",
    "PDF",
    "JPEG",
    "PNG",
    "WebP",
    "HEIC",
    "KB",
    "MB",
}
_STATIC = {"static", "core.theme_static"}


def get_routes(app: Flask) -> list[Rule]:
    """Every GET route of ``app`` but static files, sorted by path."""
    rules = app.url_map.iter_rules()
    return sorted(
        (r for r in rules if "GET" in (r.methods or ()) and r.endpoint not in _STATIC),
        key=lambda r: r.rule,
    )


def fill_route(rule: Rule, values: dict) -> str | None:
    """``rule``'s path with each ``<param>`` from ``values``; None if one is missing."""
    if any(name not in values for name in rule.arguments):
        return None
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule.rule)


class _ShownText(HTMLParser):
    SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "data-confirm", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")
        self.parts += [v for k, v in attrs if k in self.SHOWN_ATTRIBUTES and v]

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def shown_text(html: str) -> list[str]:
    """The pieces of text a reader sees on ``html``, whitespace collapsed."""
    reader = _ShownText()
    reader.feed(html)
    parts = (" ".join(part.split()) for part in reader.parts)
    return [part for part in parts if part]


def english_words(html: str) -> set[str]:
    """The Latin-script words a reader sees on ``html``, beyond ``LATIN_IN_CHINESE``."""
    return set(re.findall(r"[A-Za-z]{2,}", " ".join(shown_text(html)))) - LATIN_IN_CHINESE


def _catalogues(locale: str) -> tuple[Path, ...]:
    """The .po files of ``locale`` the current app reads: core's and every
    enabled plugin's."""
    from babel import Locale
    from flask import current_app

    from core.i18n import CORE_TRANSLATIONS

    folders = [Path(CORE_TRANSLATIONS)]
    folders += current_app.extensions["trellis"].folders("trellis_translations_dir").values()
    name = str(Locale.parse(locale))
    return tuple(sorted(p for f in folders for p in (f / name / "LC_MESSAGES").glob("*.po")))


@cache
def _english_messages(paths: tuple[Path, ...]) -> tuple[frozenset[str], re.Pattern[str] | None]:
    """The messages the catalogues at ``paths`` translate: the plain ones as
    a set, those with placeholders as one pattern matching any of them."""
    from babel.messages.pofile import read_po

    plain: set[str] = set()
    patterns: list[str] = []
    for path in paths:
        with Path(path).open("rb") as handle:
            for message in read_po(handle):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if not ids[0] or not all(strings) or strings[0] == ids[0]:
                    continue
                for msgid in ids:
                    text = " ".join(str(msgid).split())
                    if "%(" in text or "%s" in text or "%d" in text:
                        literal = re.split(r"%(?:\([a-z_]+\))?[sdr]", text)
                        if sum(len(piece.strip()) for piece in literal) >= 6:
                            patterns.append(".+?".join(re.escape(piece) for piece in literal))
                    elif re.search(r"[A-Za-z]{2,}", text):
                        plain.add(text)
    pattern = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None
    return frozenset(plain), pattern


def untranslated(html: str, locale: str = "zh_CN") -> list[str]:
    """The catalogue messages ``html`` shows as they are written in the code
    (in English) though ``locale`` has them translated: a string rendered
    without gettext, or with the wrong domain."""
    plain, pattern = _english_messages(_catalogues(locale))
    found = []
    for part in shown_text(html):
        if part in plain or (pattern is not None and pattern.fullmatch(part)):
            found.append(part)
    return found
