"""Every button that deletes, removes or purges — in core's templates and every
built-in plugin's — asks first (``data-confirm``, answered by trellis.js), so
one slip of the finger loses nothing."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DESTRUCTIVE = re.compile(r'_\(\s*"(Delete|Remove|Purge|Delete permanently|Revoke)"\s*\)')


def test_every_destructive_button_asks_first():
    unasked = []
    templates = [
        *ROOT.glob("core/templates/**/*.html"),
        *ROOT.glob("plugins/*/templates/**/*.html"),
    ]
    assert len(templates) > 50
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for button in re.finditer(r"<button\b[^>]*>(.*?)</button>", text, re.S):
            if DESTRUCTIVE.search(button.group(1)) and "data-confirm" not in button.group(0):
                line = text.count("\n", 0, button.start()) + 1
                unasked.append(f"{path.relative_to(ROOT)}:{line}")
    assert unasked == []
