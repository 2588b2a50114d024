"""Double opt-in: a grant of marketing by e-mail holds only once the
customer confirms the address.

:func:`record_consent <core.consents.records.record_consent>` keeps such a
grant as ``pending`` and calls :func:`send_confirmation`, which queues an
e-mail (core's outbox, purpose ``consent``) to the customer's first e-mail —
or their primary contact's — in the customer's language, with a link to the
public page ``/consent/confirm/<token>``. The token is random and given out
once, in that e-mail; only its sha256 is kept (:mod:`core.tracking`).

The page asks for one click — a POST, because mail scanners follow every
GET link — and :func:`confirm` then records a ``granted`` row with source
``email_link``, the address and the visitor's IP in its note. A link works
once, for :data:`~core.consents.rules.CONFIRM_DAYS` days, and only while
the grant it asks about is still the latest decision: a withdrawal (or a
confirmation through another link) makes it void. Staff may send the
e-mail again (:func:`send_again`), not more than once per
:data:`~core.consents.rules.RESEND_MINUTES` minutes.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from sqlalchemy import select, update

from core.company import company_profile
from core.consents.rules import CONFIRM_DAYS, NEEDS_CONFIRMATION, RESEND_MINUTES
from core.errors import NotFoundError, StateError, ValidationError
from core.events import transaction
from core.extensions import db
from core.i18n import _
from core.messaging.outbox import normalised_recipient, send_message
from core.models import ConsentConfirmation, Contact, Customer, CustomerConsent, User, utcnow
from core.services.base import audit, snapshot
from core.tracking import new_tracking_token, tracking_match

#: the languages a confirmation e-mail and its page are written in
LANGUAGES = ("en", "zh_CN")


def needs_confirmation(channel: str, purpose: str) -> bool:
    """Whether a grant of (``channel``, ``purpose``) waits for the customer's
    confirmation: one of :data:`NEEDS_CONFIRMATION`, with
    ``TRELLIS_DOUBLE_OPT_IN`` on."""
    return bool(current_app.config.get("TRELLIS_DOUBLE_OPT_IN", True)) and (
        (channel, purpose) in NEEDS_CONFIRMATION
    )


def confirmation_address(customer: Customer) -> str | None:
    """The address a confirmation goes to: the customer's first usable
    e-mail, else their primary contact's (else the first contact's)."""
    found = list(customer.emails or [])
    contacts = db.session.scalars(
        select(Contact)
        .where(Contact.customer_id == customer.id, Contact.deleted_at.is_(None))
        .order_by(Contact.is_primary.desc(), Contact.name, Contact.id)
    )
    for contact in contacts:
        found += list(contact.emails or [])
    for address in found:
        try:
            return normalised_recipient("email", address)
        except ValidationError:
            continue
    return None


def customer_language(customer: Customer) -> str:
    """The customer's language when known (the custom field ``language``,
    ``en`` or ``zh_CN``), else the site's."""
    kept = (customer.custom_fields or {}).get("language")
    if kept in LANGUAGES:
        return kept
    return "zh_CN" if str(current_app.config["TRELLIS_LOCALE"]).startswith("zh") else "en"


def confirm_link(token: str, lang: str) -> str:
    """The public page of ``token``, as a full address when a request tells
    the host; the path otherwise (a job, the command line)."""
    try:
        return url_for("consent_public.confirm", token=token, lang=lang, _external=True)
    except RuntimeError:
        return f"/consent/confirm/{token}?lang={lang}"


def last_sent(customer_id: int, channel: str, purpose: str) -> ConsentConfirmation | None:
    """The latest confirmation e-mail of ``customer_id``'s (channel, purpose)."""
    return db.session.scalar(
        select(ConsentConfirmation)
        .join(CustomerConsent, CustomerConsent.id == ConsentConfirmation.consent_id)
        .where(
            CustomerConsent.customer_id == customer_id,
            CustomerConsent.channel == channel,
            CustomerConsent.purpose == purpose,
        )
        .order_by(ConsentConfirmation.sent_at.desc(), ConsentConfirmation.id.desc())
        .limit(1)
    )


def sent_recently(customer_id: int, channel: str, purpose: str) -> ConsentConfirmation | None:
    """The confirmation sent less than :data:`RESEND_MINUTES` ago, if any."""
    last = last_sent(customer_id, channel, purpose)
    if last and last.sent_at > utcnow() - timedelta(minutes=RESEND_MINUTES):
        return last
    return None


def send_confirmation(
    customer: Customer, consent: CustomerConsent, to: str, actor: User | None
) -> ConsentConfirmation:
    """Queue the e-mail asking ``customer`` to confirm the ``pending``
    ``consent`` at ``to``, and keep its link's hash — in the caller's
    transaction (a rollback sends nothing)."""
    token, token_hash = new_tracking_token()
    lang = customer_language(customer)
    link = confirm_link(token, lang)
    now = utcnow()
    with force_locale(lang):
        company = company_profile().name
        subject = _("Please confirm: e-mail from %(company)s", company=company)
        body = _(
            "Hello %(name)s,\n\nPlease confirm that you would like to receive marketing "
            "e-mail from %(company)s at %(email)s — open this link and press the button:\n"
            "%(link)s\n\nThe link is valid for %(days)d days. If you did not ask for "
            "this, ignore this e-mail: you will receive no marketing e-mail from us.",
            name=customer.name,
            company=company,
            email=to,
            link=link,
            days=CONFIRM_DAYS,
        )
    send_message("email", to, body, purpose="consent", subject=subject, customer_id=customer.id)
    confirmation = ConsentConfirmation(
        consent_id=consent.id,
        token_hash=token_hash,
        email=to,
        sent_at=now,
        expires_at=now + timedelta(days=CONFIRM_DAYS),
        sent_by_id=actor.id if actor else None,
    )
    db.session.add(confirmation)
    db.session.flush()
    return confirmation


def latest_decision(customer_id: int, channel: str, purpose: str) -> CustomerConsent | None:
    """The decision that holds for ``customer_id``'s (channel, purpose)."""
    return db.session.scalar(
        select(CustomerConsent)
        .where(
            CustomerConsent.customer_id == customer_id,
            CustomerConsent.channel == channel,
            CustomerConsent.purpose == purpose,
        )
        .order_by(CustomerConsent.decided_at.desc(), CustomerConsent.id.desc())
        .limit(1)
    )


def send_again(
    customer: Customer, actor: User | None, channel: str = "email", purpose: str = "marketing"
) -> ConsentConfirmation:
    """Send the confirmation of ``customer``'s pending grant again (a new
    link; the earlier ones keep working until they expire), audited. Nothing
    pending, or one sent less than :data:`RESEND_MINUTES` ago: a 409."""
    held = latest_decision(customer.id, channel, purpose)
    if held is None or held.status != "pending":
        raise StateError({"channel": [_("Nothing is awaiting confirmation.")]})
    if sent_recently(customer.id, channel, purpose):
        message = _(
            "A confirmation went out less than %(minutes)d minutes ago; "
            "please wait before sending it again.",
            minutes=RESEND_MINUTES,
        )
        raise StateError({"channel": [message]})
    to = confirmation_address(customer)
    if to is None:
        raise ValidationError({"channel": [_("The customer has no e-mail address.")]})
    with transaction():
        confirmation = send_confirmation(customer, held, to, actor)
        after = {"channel": channel, "purpose": purpose, "email": to}
        audit(actor, customer, "consent_confirmation", None, after, entity="customer")
    return confirmation


def link_state(confirmation: ConsentConfirmation) -> str:
    """What the link of ``confirmation`` may still do: ``open`` (confirm),
    ``used``, ``expired``, or ``void`` (another decision was recorded since)."""
    if confirmation.used_at is not None:
        return "used"
    if confirmation.expires_at <= utcnow():
        return "expired"
    consent = confirmation.consent
    held = latest_decision(consent.customer_id, consent.channel, consent.purpose)
    return "open" if held is not None and held.status == "pending" else "void"


def confirmation_by_token(token: str | None) -> ConsentConfirmation:
    """The confirmation of ``token``; a forged one (or a deleted customer's)
    is a :class:`NotFoundError`."""
    confirmation = db.session.scalar(
        select(ConsentConfirmation)
        .join(CustomerConsent, CustomerConsent.id == ConsentConfirmation.consent_id)
        .join(Customer, Customer.id == CustomerConsent.customer_id)
        .where(tracking_match(ConsentConfirmation.token_hash, token), Customer.deleted_at.is_(None))
    )
    if confirmation is None:
        raise NotFoundError(_("This confirmation link is not valid."))
    return confirmation


def confirm(confirmation: ConsentConfirmation, ip: str | None) -> CustomerConsent | None:
    """The customer's click: the link used (once — a conditional UPDATE, so
    two clicks at once confirm once) and a ``granted`` decision recorded,
    with the address and ``ip`` as its proof. None, and nothing changed,
    when the link is no longer ``open``."""
    if link_state(confirmation) != "open":
        return None
    consent = confirmation.consent
    customer = db.session.get(Customer, consent.customer_id)
    now = utcnow()
    with transaction():
        claimed = db.session.execute(
            update(ConsentConfirmation)
            .where(ConsentConfirmation.id == confirmation.id, ConsentConfirmation.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult
            return None
        row = CustomerConsent(
            customer_id=consent.customer_id,
            channel=consent.channel,
            purpose=consent.purpose,
            status="granted",
            source="email_link",
            decided_at=now,
            note=f"{confirmation.email} · IP {ip or '?'}"[:2000],
            recorded_by_id=None,
        )
        db.session.add(row)
        db.session.flush()
        audit(None, customer, "consent", None, snapshot(row), entity="customer")
    db.session.refresh(confirmation)
    return row
