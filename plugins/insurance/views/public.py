"""The public claim pages (no sign-in): the claim form a policyholder fills
in (报案, ``/insurance/report``), the page with the tracking link it leads
to, and the tracking page (``/insurance/track/<number>?t=<token>``), where
the claimant sends the documents the claim still needs. They
stand alone (no app menu), fit a phone's width, speak the visitor's
language (``?lang=`` or the browser's) and are rate-limited per address."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for

from core.api import ValidationError, current_lang, db, public, translator

from ..services.claims import public as claims_
from ..services.documents import claim_kinds, kind_labels
from ..services.documents.public import OPEN_FOR_DOCUMENTS, add_claimant_documents, received_kinds
from .blueprint import bp

_, _l = translator("insurance")
#: the visitor's last reported claim (number and tracking token) in their own
#: signed session cookie, for the page after the redirect
REPORTED = "insurance_public_claim"


def _page(template: str, status: int = 200, **context):
    return render_template(f"insurance/public/{template}", **context), status


@bp.route("/report", methods=["GET", "POST"])
@public("10 per minute")
def report_form():
    """The public claim form. A wrong policy number or phone is one 422 that
    does not say which; a filled honeypot (``website``) is thanked and
    nothing kept; over 10 posts a minute from one address is a 429."""
    values: dict = {}
    errors: dict = {}
    if request.method == "POST":
        if request.form.get("website"):
            session.pop(REPORTED, None)
            return redirect(url_for(".report_thanks"), 303)
        values = {k: request.form.get(k, "") for k in claims_.FIELDS}
        try:
            reported = claims_.report_public_claim(values)
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            session[REPORTED] = {"number": reported.claim.number, "token": reported.token}
            return redirect(url_for(".report_thanks"), 303)
    return _page("report.html", 422 if errors else 200, values=values, errors=errors)


@bp.route("/report/thanks")
@public("30 per minute")
def report_thanks():
    """The claim number and its tracking link (only in the visitor's session;
    a reload shows them again instead of reporting twice)."""
    reported = session.get(REPORTED)
    if reported is None:
        return _page("thanks.html", number=None, url=None)
    url = url_for(
        ".track_claim",
        number=reported["number"],
        t=reported["token"],
        lang=current_lang(),
        _external=True,
    )
    return _page("thanks.html", number=reported["number"], url=url)


@bp.route("/track/<number>")
@public("30 per minute")
def track_claim(number: str):
    """Where a claim stands: its status, its last steps with their dates, the
    documents still needed — no notes, no names, no amount not yet decided.
    A forged or missing token is a 404."""
    claim = claims_.tracked_claim(number, request.args.get("t"))
    if claim is None:
        return _page("missing.html", 404)
    return _track_page(claim)


@bp.route("/track/<number>/documents", methods=["POST"])
@public("10 per minute")
def send_claim_documents(number: str):
    """The claimant's documents of one kind (field ``kind``, files ``file``)
    from the tracking page, proven by its token (``?t=``; else a 404), while
    the claim waits for documents (else a 409 shown on the page)."""
    token = request.args.get("t")
    claim = claims_.tracked_claim(number, token)
    if claim is None:
        return _page("missing.html", 404)
    try:
        add_claimant_documents(claim, request.form.get("kind"), request.files.getlist("file"))
    except ValidationError as exc:
        db.session.rollback()
        return _track_page(claim, exc.errors, exc.status)
    url = url_for(".track_claim", number=claim.number, t=token, lang=current_lang())
    return redirect(url + "#documents", 303)


def _track_page(claim, errors: dict | None = None, status: int = 200):
    """The tracking page; while the claim waits for documents, with what it
    holds (by kind) and the form to send more."""
    open_ = claim.status in OPEN_FOR_DOCUMENTS
    return _page(
        "track.html",
        status,
        claim=claim,
        steps=claims_.public_steps(claim),
        documents=claims_.documents_needed(claim),
        approved=claims_.approved_shown(claim),
        kinds=kind_labels(claim_kinds(claim), claim) if open_ else {},
        received=received_kinds(claim) if open_ else [],
        errors=errors or {},
    )
