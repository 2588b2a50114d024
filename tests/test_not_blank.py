"""``NotBlank``: one rule of "not only blanks" that the server and a client
checking the OpenAPI ``pattern`` (JSON Schema, ECMA-262 regular expressions)
both apply alike — the schemathesis run once found ``"\\v\\x85"`` valid to
the document and refused by the server."""

from __future__ import annotations

import re
import sys

import pytest
from marshmallow import Schema, ValidationError, fields

from core.api import NotBlank
from core.schemas import NOT_BLANK_PATTERN

#: ECMA-262's WhiteSpace and LineTerminator code points (what ``\s`` means
#: in a JSON Schema pattern): TAB VT FF SP NBSP ZWNBSP, the Zs category,
#: LF CR LS PS
ECMA_BLANKS = "\t\v\f \u00a0\ufeff\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\n\r\u2028\u2029"  # noqa: E501
PYTHON_BLANKS = "".join(chr(c) for c in range(sys.maxunicode + 1) if re.match(r"\s", chr(c)))


class Note(Schema):
    text = fields.String(required=True, validate=NotBlank())


@pytest.mark.parametrize("blank", sorted(set(ECMA_BLANKS) | set(PYTHON_BLANKS)))
def test_a_blank_of_either_dialect_alone_is_refused(blank):
    with pytest.raises(ValidationError) as refused:
        Note().load({"text": blank * 2})
    assert list(refused.value.messages) == ["text"]


def test_text_with_a_character_among_the_blanks_is_kept_as_it_came():
    assert Note().load({"text": "\v\x85 a \u3000"}) == {"text": "\v\x85 a \u3000"}
    assert Note().load({"text": "诊"}) == {"text": "诊"}


def test_the_openapi_pattern_is_the_one_the_server_searches_with():
    """The validator is a ``Regexp``, so apispec documents its pattern; the
    pattern has no construct whose meaning differs between the dialects
    (``\\s`` appears only inside a class with the other dialect's blanks)."""
    validator = NotBlank()
    assert validator.regex.pattern == NOT_BLANK_PATTERN
    assert re.search(NOT_BLANK_PATTERN, "x") and not re.search(NOT_BLANK_PATTERN, ECMA_BLANKS)
