"""Icons: a small sprite of Lucide icons (ISC licence, from npm's
``lucide-static``), committed as ``core/static/vendor/icons.svg`` so nothing
is fetched at run time.

A template draws one with ``{{ icon("users") }}``; a plugin names one in its
``MenuGroup``/``MenuItem`` (``icon="stethoscope"``). Only the names in
:data:`NAMES` are in the sprite; ``make vendor`` rebuilds it with
``python -m core.icons node_modules/lucide-static/icons``. To offer another
icon, add its Lucide name here and rebuild.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path

from flask import url_for
from markupsafe import Markup, escape

#: the icons in the sprite, by Lucide name
NAMES = (
    "audio-lines banknote bed-double bell boxes briefcase building-2 calendar-clock "
    "calendar-days chart-column chart-line chart-pie chevron-down circle-check clipboard-list "
    "clock contact download file-signature file-text funnel gauge git-merge handshake "
    "heart-pulse hospital inbox layout-dashboard list-todo mail map-pin megaphone menu "
    "message-square package percent phone pill puzzle receipt scroll-text search settings "
    "shield shield-check sliders-horizontal stamp stethoscope tags target timer trash-2 "
    "triangle-alert truck upload user-check user-cog users wallet warehouse webhook workflow "
    "wrench x zap"
).split()
SPRITE = Path(__file__).parent / "static" / "vendor" / "icons.svg"


@cache
def known() -> frozenset[str]:
    """The icon names the committed sprite holds."""
    return frozenset(re.findall(r'<symbol id="([a-z0-9-]+)"', SPRITE.read_text(encoding="utf-8")))


def icon(name: str, label: str = "") -> Markup:
    """An ``<svg>`` drawing icon ``name``; decorative (hidden from screen
    readers) unless ``label`` says what it means. Unknown names draw nothing."""
    if not name or name not in known():
        return Markup("")
    href = url_for("static", filename="vendor/icons.svg") + "#" + name
    a11y = f'role="img" aria-label="{escape(label)}"' if label else 'aria-hidden="true"'
    return Markup(f'<svg class="icon" {a11y} focusable="false"><use href="{href}"></use></svg>')


def build(source: Path, target: Path = SPRITE) -> None:
    """Write the sprite: each Lucide SVG in ``source`` named in :data:`NAMES`
    becomes a ``<symbol>``; strokes come from CSS (``.icon``)."""
    symbols = []
    for name in NAMES:
        svg = (source / f"{name}.svg").read_text(encoding="utf-8")
        body = re.search(r"<svg[^>]*>(.*)</svg>", svg, re.S)
        if body is None:
            raise SystemExit(f"{name}.svg: no <svg> element")
        inner = " ".join(line.strip() for line in body.group(1).splitlines() if line.strip())
        symbols.append(f'<symbol id="{name}" viewBox="0 0 24 24">{inner}</symbol>')
    target.write_text(
        "<!-- Lucide icons (ISC licence, lucide-static), built by python -m core.icons -->\n"
        '<svg xmlns="http://www.w3.org/2000/svg">\n' + "\n".join(symbols) + "\n</svg>\n",
        encoding="utf-8",
    )


if __name__ == "__main__":  # pragma: no cover - run by `make vendor`
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "node_modules/lucide-static/icons"))
