"""The quote's letterhead is the company profile of the site settings (name,
taxpayer number, bank, logo), in English and in Chinese; an instance may
replace the whole template; a server without WeasyPrint answers a clear 503."""

from __future__ import annotations

import base64
import io
import sys
from pathlib import Path

import pytest

pypdf = pytest.importorskip("pypdf")

from core.api import company_profile, db  # noqa: E402

from .quote_fixtures import *  # noqa: E402, F403

#: a 1×1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
USCC = "91110000600037341L"


@pytest.fixture
def company(people, login_as):
    """The company profile, saved by the admin on the site settings page."""
    client = login_as(people["admin"])
    answer = client.post(
        "/admin/settings/company",
        data={
            "csrf_token": token(client, "/admin/settings"),  # noqa: F405
            "name": "杭州绿茶贸易有限公司",
            "address": "杭州市西湖区龙井路 1 号",
            "phone": "0571-88886666",
            "tax_number": USCC,
            "bank_name": "中国银行杭州分行",
            "bank_account": "6217 0000 1111 2222",
            "accent_color": "#aa3300",
            "logo": (io.BytesIO(PNG), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302, answer.text
    return company_profile()


def pdf_text(data: bytes) -> tuple[str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() for page in reader.pages), reader


def images_of(reader) -> int:
    return sum(len(page.images) for page in reader.pages)


@pytest.mark.parametrize(
    ("locale", "words"), [("en", ("Quote", "Bank")), ("zh_CN", ("报价", "开户银行"))]
)
def test_the_letterhead_prints_the_company_in_the_quotes_language(
    make_quote, people, billing, company, as_user, locale, words
):
    quote = make_quote(locale=locale)
    answer = as_user(people["rep"]).get(f"/api/v1/sales/quotes/{quote.id}/pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text, reader = pdf_text(answer.data)
    assert "杭州绿茶贸易有限公司" in text and USCC in text
    assert "6217 0000 1111 2222" in text and "0571-88886666" in text
    assert all(word in text for word in words), text
    assert "Trellis" not in text
    assert images_of(reader) == 1  # the logo


def test_without_a_profile_the_letterhead_says_trellis(make_quote, people, billing, as_user):
    quote = make_quote(locale="en")
    answer = as_user(people["rep"]).get(f"/api/v1/sales/quotes/{quote.id}/pdf")
    text, reader = pdf_text(answer.data)
    assert "Trellis" in text and images_of(reader) == 0


def test_an_instance_template_replaces_the_plugins_quote(
    app, make_quote, people, billing, company, as_user
):
    folder = Path(app.instance_path) / "templates" / "sales" / "pdf"
    folder.mkdir(parents=True)
    (folder / "quote.html").write_text(
        "<html><body><p>Our own layout {{ quote.number }} for {{ addressee }} "
        "from {{ company.name }}</p></body></html>",
        encoding="utf-8",
    )
    quote = make_quote(locale="zh_CN")
    answer = as_user(people["rep"]).get(f"/api/v1/sales/quotes/{quote.id}/pdf")
    text = pdf_text(answer.data)[0].replace("\n", "")
    assert f"Our own layout {quote.number}" in text
    assert "上海茶叶有限公司（总部）" in text and "杭州绿茶贸易有限公司" in text
    assert "Grand total" not in text and "总计" not in text  # not the plugin's template


def test_without_weasyprint_printing_answers_503_with_the_reason(
    make_quote, people, billing, as_user, login_as, monkeypatch
):
    quote = make_quote(locale="en")
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # the library is not installed
    answer = as_user(people["rep"]).get(f"/api/v1/sales/quotes/{quote.id}/pdf")
    assert answer.status_code == 503
    assert answer.mimetype == "application/problem+json"
    body = answer.get_json()
    assert body["status"] == 503 and body["type"].endswith("/unavailable")
    assert body["detail"].startswith("PDF printing is not available on this server: ")
    assert "weasyprint" in body["detail"]
    page = login_as(people["rep"]).get(f"/sales/quotes/{quote.id}/pdf")
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert "PDF printing is not available on this server" in page.text
    db.session.rollback()
