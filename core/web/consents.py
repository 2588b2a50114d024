"""The Consent tab of a customer's page: what the customer agreed to per
channel and purpose, the history of decisions, the form that records a new
one, and — for a grant awaiting the customer's confirmation (double
opt-in) — when the request went out and a button to send it again
(blueprint ``consents``)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core import consents
from core.access import visible_customer
from core.consents.confirmation import last_sent
from core.errors import ValidationError
from core.extensions import db
from core.i18n import _
from core.models import Customer
from core.rest.auth import require

bp = Blueprint("consents", __name__)
FIELDS = ("channel", "purpose", "status", "source", "note")


def consent_panel(customer: Customer) -> str:
    """The tab's HTML: a row per purpose, a column per channel with what
    holds (a recorded decision or the default), then every decision."""
    held = consents.current_consents(customer.id)
    awaiting = {
        pair: last_sent(customer.id, *pair) for pair, row in held.items() if row.status == "pending"
    }
    return render_template(
        "core/_customer_tab_consent.html",
        customer=customer,
        held=held,
        awaiting=awaiting,
        history=consents.consents_of(customer.id),
        channels=consents.CHANNELS,
        purposes=consents.PURPOSES,
        defaults=consents.DEFAULTS,
        statuses=consents.STATUSES,
        decisions=consents.DECISIONS,
        sources=consents.SOURCES,
        entered_sources=consents.ENTERED_SOURCES,
        double_opt_in=consents.needs_confirmation("email", "marketing"),
    )


@bp.route("/customers/<int:customer_id>/consents", methods=["POST"])
@login_required
def record(customer_id: int):
    """Record a decision from the tab's form, then show the tab again."""
    require("customer.write")
    customer = visible_customer(customer_id, current_user)
    values = {key: request.form.get(key, "").strip() for key in FIELDS}
    payload = {**values, "note": values["note"] or None, "source": values["source"] or "form"}
    try:
        consents.record_consent(customer, payload, current_user)
    except ValidationError as exc:
        db.session.rollback()
        flash(" ".join(m for messages in exc.errors.values() for m in messages), "error")
    else:
        flash(_("Consent recorded."), "success")
    return redirect(url_for("customers.detail", customer_id=customer.id, tab="consent"), 303)


@bp.route("/customers/<int:customer_id>/consents/confirmation", methods=["POST"])
@login_required
def send_again(customer_id: int):
    """Send the confirmation e-mail of a grant awaiting it again (audited;
    not more than once per ``RESEND_MINUTES``), then show the tab again."""
    require("customer.write")
    customer = visible_customer(customer_id, current_user)
    channel = request.form.get("channel", "email")
    purpose = request.form.get("purpose", "marketing")
    try:
        sent = consents.send_again(customer, current_user, channel, purpose)
    except ValidationError as exc:
        db.session.rollback()
        flash(" ".join(m for messages in exc.errors.values() for m in messages), "error")
    else:
        flash(_("The confirmation was sent again to %(email)s.", email=sent.email), "success")
    return redirect(url_for("customers.detail", customer_id=customer.id, tab="consent"), 303)
