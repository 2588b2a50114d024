"""Consent per channel and purpose (同意): may we send this customer an SMS
reminder, a marketing e-mail, a research questionnaire?

Each decision is a row of ``customer_consent`` — granted or withdrawn, when,
how we learnt it (a signed form, the API, an import, said on the phone) and
who wrote it down. Rows are never changed: the latest per (customer,
channel, purpose) holds and the earlier ones are its history.

A grant of marketing by e-mail is double opt-in (:mod:`.confirmation`): it
is kept ``pending`` — not a yes — until the customer clicks the link of the
confirmation e-mail it sends.

With nothing recorded, :data:`DEFAULTS` holds: **service** messages (about
the customer's own care or orders) yes, **marketing** no, **research** no.

Every sender asks :func:`may_contact` before sending — a campaign, a
reminder, a survey invitation. It also leaves out the customers nobody may
reach at all (``not_to_contact``: a deceased patient); the follow-up engine's
``not_to_contact`` has no channel, so it cannot answer for consent.
"""

from core.consents.confirmation import needs_confirmation, send_again
from core.consents.records import consents_of, current_consents, may_contact, record_consent
from core.consents.rules import (
    CHANNELS,
    DECISIONS,
    DEFAULTS,
    ENTERED_SOURCES,
    NEEDS_CONFIRMATION,
    PURPOSES,
    SOURCES,
    STATUSES,
    ConsentInput,
)

__all__ = [
    "CHANNELS",
    "DECISIONS",
    "DEFAULTS",
    "ENTERED_SOURCES",
    "NEEDS_CONFIRMATION",
    "PURPOSES",
    "SOURCES",
    "STATUSES",
    "ConsentInput",
    "consents_of",
    "current_consents",
    "may_contact",
    "needs_confirmation",
    "record_consent",
    "send_again",
]
