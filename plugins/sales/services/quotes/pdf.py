"""The printed quote: the HTML template ``sales/pdf/quote.html`` rendered in
the quote's language and laid out as a PDF by WeasyPrint (Pango shapes the
text, so Chinese is real text in an embedded CJK font, searchable and
copyable).

The letterhead is the company profile of the site settings (core's
``company_profile``): logo, name, address, phone, e-mail, website and accent
colour at the top, taxpayer number and bank at the foot of every page. An
instance replaces the whole layout with its own
``templates/sales/pdf/quote.html`` in the instance folder.

WeasyPrint is imported when a quote is printed, not before: the app starts
(and the rest of the plugin works) where it is not installed; printing there
answers 503 with the reason (:class:`UnavailableError`).
"""

from __future__ import annotations

from urllib.parse import quote as quote_url

from flask import Response, current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select

from core.api import StateError, UnavailableError, company_profile, db, translator

from ...models import BillingProfile, Quote
from .pricing import totals

_, _l = translator("sales")


def quote_locale(quote: Quote) -> str:
    """The language the customer reads the quote in: the quote's own, else
    the instance's (customers carry no language of their own)."""
    return quote.locale or current_app.config["TRELLIS_LOCALE"]


def billing_name(quote: Quote) -> str:
    """The name the quote is addressed to: the customer's invoice title
    (发票抬头, from their billing details); a clear error without one."""
    name = db.session.scalar(
        select(BillingProfile.title).where(BillingProfile.customer_id == quote.customer_id)
    )
    if not (name or "").strip():  # the stored records do not allow it yet: 409
        raise StateError(
            {
                "customer_id": [
                    _(
                        "%(customer)s has no billing name yet: add the customer's billing "
                        "details before printing the quote",
                        customer=quote.customer.name,
                    )
                ]
            }
        )
    return str(name).strip()


def quote_html(quote: Quote) -> str:
    """The quote as the HTML the PDF is made from, in the quote's language."""
    addressee = billing_name(quote)
    with force_locale(quote_locale(quote)):
        return render_template(
            "sales/pdf/quote.html",
            quote=quote,
            addressee=addressee,
            company=company_profile(),
            worked=totals(quote.lines, quote.discount_percent, quote.tax_percent),
        )


def quote_pdf(quote: Quote) -> bytes:
    """The quote as PDF bytes (``application/pdf``); :class:`UnavailableError`
    (503) where WeasyPrint or the Pango library under it cannot be loaded."""
    try:  # heavy; loaded when printing
        from weasyprint import HTML  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # OSError: a C library (Pango) is missing
        raise UnavailableError(
            _("PDF printing is not available on this server: %(reason)s", reason=str(exc))
        ) from None
    html = quote_html(quote)
    return HTML(string=html, base_url=current_app.root_path).write_pdf()


def pdf_response(quote: Quote) -> Response:
    """The PDF as a response (the page and the API alike), named after the
    quote's number and revision (which may hold any character)."""
    name = f"{quote.number}-r{quote.revision}.pdf"
    return Response(
        quote_pdf(quote),
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote_url(name)}"},
    )
