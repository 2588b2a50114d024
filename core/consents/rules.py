"""The words of consent: the channels, the purposes with what holds when a
customer has said nothing, how a decision was learnt, which grants wait for
the customer's confirmation (double opt-in), and the input schema the web
form and the API share."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.i18n import _l

#: the ways a customer may be reached
CHANNELS = {"sms": _l("SMS"), "email": _l("E-mail"), "phone": _l("Phone"), "post": _l("Post")}
#: what a message is for: ``service`` — reminders about the customer's own
#: care or orders; ``marketing``; ``research``. A plugin with a new purpose
#: adds it here, with its label and its default.
PURPOSES = {
    "service": _l("Service reminders"),
    "marketing": _l("Marketing"),
    "research": _l("Research"),
}
#: what holds when nothing was recorded: a customer expects to hear about
#: their own appointments and orders, and has to opt in to the rest
DEFAULTS = {"service": True, "marketing": False, "research": False}
#: what a person records: a yes or a no
DECISIONS = {"granted": _l("Granted"), "withdrawn": _l("Withdrawn")}
#: every status a row may hold: ``pending`` is a grant written down but not
#: yet confirmed by the customer (double opt-in) — not a yes until then
STATUSES = {**DECISIONS, "pending": _l("Awaiting confirmation")}
#: how a decision may reach us from a person (the form, the API)
ENTERED_SOURCES = {
    "form": _l("Signed form"),
    "api": _l("API"),
    "import": _l("Import"),
    "verbal": _l("Verbally"),
}
#: every source a row may hold: ``email_link`` is written only by the
#: customer's click on the confirmation link
SOURCES = {**ENTERED_SOURCES, "email_link": _l("Confirmed by e-mail link")}
#: the (channel, purpose) pairs whose grant holds only once the customer
#: confirms the address (double opt-in, ``TRELLIS_DOUBLE_OPT_IN``)
NEEDS_CONFIRMATION = frozenset({("email", "marketing")})
#: days a confirmation link stays valid
CONFIRM_DAYS = 7
#: minutes before a confirmation may be sent again to the same customer
RESEND_MINUTES = 10


class ConsentInput(Schema):
    """A customer's decision on one channel and purpose. ``decided_at``
    defaults to now and may not lie in the future. A grant of a pair in
    :data:`NEEDS_CONFIRMATION` is kept as ``pending`` until confirmed."""

    channel = fields.String(required=True, validate=validate.OneOf(list(CHANNELS)))
    purpose = fields.String(required=True, validate=validate.OneOf(list(PURPOSES)))
    status = fields.String(required=True, validate=validate.OneOf(list(DECISIONS)))
    source = fields.String(load_default="api", validate=validate.OneOf(list(ENTERED_SOURCES)))
    decided_at = fields.AwareDateTime(allow_none=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))
