"""SMS texts: how long a template's text is, the opt-out line every text
ends with, and the text written for each recipient.

A text is counted as the network counts it (core.api ``sms_parts``: GSM-7
160 characters in one part and 153 per part beyond, UCS-2 — any Chinese —
70 and 67), opt-out line included, merge fields as written (a long name
adds to it). A text over :data:`MAX_PARTS` parts is refused, naming its
column. The opt-out line ("Reply TD to unsubscribe", 回复TD退订) is in the
campaign's language, or what ``[plugins_settings.marketing]`` sets
(``sms_opt_out_en``, ``sms_opt_out_zh_CN``).
"""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale

from core.api import SmsParts, ValidationError, sms_parts, translator

from ...schemas.sms import configured_opt_out
from .merge import TEXT_ENV

_, _l = translator("marketing")

#: the most parts a campaign's text may take (each part is billed as one SMS)
MAX_PARTS = 5


def opt_out_line(language: str) -> str:
    """The line that ends every text in ``language``."""
    configured = configured_opt_out(language)
    if configured:
        return configured
    with force_locale(language):
        return _("Reply TD to unsubscribe")


def with_opt_out(text: str, language: str) -> str:
    return f"{text.strip()}\n{opt_out_line(language)}"


def measure(source: str | None, language: str) -> SmsParts | None:
    """How a template's text in ``language`` counts, opt-out line included
    (None: no text)."""
    if not (source or "").strip():
        return None
    return sms_parts(with_opt_out(source or "", language))


def check_lengths(values: dict[str, Any]) -> None:
    """Refuse (422) every ``text_<language>`` longer than :data:`MAX_PARTS` parts."""
    errors = {}
    for key, source in values.items():
        if not key.startswith("text_"):
            continue
        counted = measure(source, key.removeprefix("text_"))
        if counted and counted.parts > MAX_PARTS:
            errors[key] = [
                _(
                    "The text takes %(parts)d SMS parts (%(length)d characters with the "
                    "opt-out line); at most %(most)d are allowed.",
                    parts=counted.parts,
                    length=counted.length,
                    most=MAX_PARTS,
                )
            ]
    if errors:
        raise ValidationError(errors)


class TextWriter:
    """A template's text in one language, compiled once and filled in for
    each recipient (:meth:`write`), the opt-out line appended."""

    def __init__(self, source: str, language: str):
        self.template = TEXT_ENV.from_string(source)
        self.opt_out = opt_out_line(language)

    def write(self, values: dict[str, Any]) -> str:
        text = "\n".join(
            " ".join(line.split()) for line in self.template.render(values).split("\n")
        )
        return f"{text.strip()}\n{self.opt_out}"
