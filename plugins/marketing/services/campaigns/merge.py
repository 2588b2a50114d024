"""Merge fields (合并字段): what a template may say of its recipient, checked
when the template is saved and filled in when each e-mail or text is written.

:data:`MERGE_FIELDS` is the one list of what a template may name —
``{{ customer.name }}``, ``{{ contact.name }}`` (the primary contact's),
``{{ owner.name }}`` (the customer's account manager), ``{{ unsubscribe_url
}}``, ``{{ survey_url }}`` (the recipient's invitation to the campaign's
survey). A template naming anything else is refused, the refusal naming the
column (``body_en``, ``subject_zh_CN`` …) and the field.

Templates are rendered by Jinja's sandbox — an author cannot reach Python
through a template — with HTML autoescaped in the body, so a customer named
``<script>`` stays text. The subject and an SMS text are plain text,
rendered unescaped.
"""

from __future__ import annotations

import html
import re
from typing import Any

from jinja2 import TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from core.api import ValidationError, translator

_, _l = translator("marketing")

#: every merge field a template may name, with what it says
MERGE_FIELDS = {
    "customer.name": _l("the customer's name"),
    "contact.name": _l("the primary contact's name"),
    "owner.name": _l("the account manager's name"),
    "unsubscribe_url": _l("the recipient's one-click unsubscribe link"),
    "survey_url": _l("the recipient's link to the campaign's survey"),
}

HTML_ENV = SandboxedEnvironment(autoescape=True)
TEXT_ENV = SandboxedEnvironment(autoescape=False)
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|/tr)\b[^>]*>", re.IGNORECASE)
_LINK = re.compile(r"""<a\s[^>]*?href\s*=\s*["']([^"']+)["'][^>]*>(.*?)</a>""", re.I | re.S)


def fields_named(source: str) -> set[str]:
    """The merge fields ``source`` names (``customer.name``, ``unsubscribe_url``…);
    a Jinja syntax error propagates."""
    tree = HTML_ENV.parse(source)
    free = meta.find_undeclared_variables(tree)
    named: set[str] = set()
    in_attribute: set[int] = set()
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name in free:
            named.add(f"{node.node.name}.{node.attr}")
            in_attribute.add(id(node.node))
    for name in tree.find_all(nodes.Name):
        if name.ctx == "load" and name.name in free and id(name) not in in_attribute:
            named.add(name.name)
    return named


def check_source(key: str, source: str | None) -> list[str]:
    """What is wrong with the template text of column ``key`` (empty: nothing)."""
    if not source:
        return []
    try:
        named = fields_named(source)
    except TemplateSyntaxError as exc:
        return [
            _(
                "The template cannot be read (line %(line)d): %(error)s",
                line=exc.lineno,
                error=exc.message or "",
            )
        ]
    problems = []
    for field in sorted(named - set(MERGE_FIELDS)):
        problems.append(
            _(
                "Unknown merge field %(field)s; use one of: %(fields)s",
                field=field,
                fields=", ".join(MERGE_FIELDS),
            )
        )
    return problems


def check_template(values: dict[str, Any]) -> None:
    """Refuse (422) every subject, body or SMS text column naming an unknown field."""
    errors = {}
    for key, source in values.items():
        if key.startswith(("subject_", "body_", "text_")):
            if problems := check_source(key, source):
                errors[key] = problems
    if errors:
        raise ValidationError(errors)


class Writer:
    """A template's subject and body in one language, compiled once and
    filled in for each recipient (:meth:`write`)."""

    def __init__(self, subject: str, body: str):
        self.subject = TEXT_ENV.from_string(subject)
        self.body = HTML_ENV.from_string(body)

    def write(self, values: dict[str, Any]) -> tuple[str, str, str]:
        """(subject, HTML body, text body) for one recipient's ``values``."""
        subject = " ".join(self.subject.render(values).split())
        body = self.body.render(values)
        return subject, body, as_text(body)


def as_text(body: str) -> str:
    """The text part of an HTML body: links as "words (address)", tags gone."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", body)
    text = _TAG.sub("", _BREAK.sub("\n", text))
    lines = (" ".join(line.split()) for line in html.unescape(text).splitlines())
    return "\n".join(lines).strip() + "\n"


def merge_values(
    customer: str,
    contact: str | None,
    owner: str | None,
    unsubscribe: str,
    survey: str | None = None,
) -> dict:
    """What the merge fields say for one recipient (``survey``: their
    survey link, when the campaign names a survey)."""
    return {
        "customer": {"name": customer},
        "contact": {"name": contact or customer},
        "owner": {"name": owner or ""},
        "unsubscribe_url": unsubscribe,
        "survey_url": survey or "",
    }
