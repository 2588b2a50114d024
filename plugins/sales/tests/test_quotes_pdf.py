"""The printed quote: a PDF made by WeasyPrint from the branded template, in
the quote's language; its text holds the Chinese billing name, the number
and the total, and its font is an embedded CJK one."""

from __future__ import annotations

import io

import pytest

pypdf = pytest.importorskip("pypdf")

from .quote_fixtures import *  # noqa: E402, F403


def fonts_of(reader) -> set[str]:
    """The base names of the fonts the pages use (descendant fonts included)."""
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            names.add(str(font.get("/BaseFont")))
            for child in font.get("/DescendantFonts") or []:
                names.add(str(child.get_object().get("/BaseFont")))
    return names


def test_the_pdf_holds_the_chinese_name_number_and_total_in_a_cjk_font(
    make_quote, people, billing, as_user, login_as
):
    quote = make_quote(discount_percent="10", tax_percent="13", locale="zh_CN")
    answer = as_user(people["rep"]).get(f"/api/v1/sales/quotes/{quote.id}/pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(answer.data))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "上海茶叶有限公司（总部）" in text  # the billing name, not only the customer's
    assert quote.number in text
    assert "1,255.89" in text  # the total, as zh_CN writes it
    assert "报价" in text and "总计" in text and "日期" in text  # in the quote's language
    assert any("WenQuanYi" in name or "NotoSansCJK" in name for name in fonts_of(reader)), fonts_of(
        reader
    )
    page = login_as(people["rep"]).get(f"/sales/quotes/{quote.id}/pdf")
    assert page.status_code == 200 and page.data[:5] == b"%PDF-"


def test_an_english_quote_prints_in_english(make_quote, people, billing, as_user):
    quote = make_quote(locale="en")
    answer = as_user(people["rep"]).get(f"/api/v1/sales/quotes/{quote.id}/pdf")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(answer.data)).pages)
    assert "Quote" in text and "Unit price" in text and "报价" not in text
    assert "上海茶叶有限公司（总部）" in text
