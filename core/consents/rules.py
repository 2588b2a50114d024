"""The words of consent: the channels, the purposes with what holds when a
customer has said nothing, how a decision was learnt, and the input schema
the web form and the API share."""

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
STATUSES = {"granted": _l("Granted"), "withdrawn": _l("Withdrawn")}
#: how the decision reached us
SOURCES = {
    "form": _l("Signed form"),
    "api": _l("API"),
    "import": _l("Import"),
    "verbal": _l("Verbally"),
}


class ConsentInput(Schema):
    """A customer's decision on one channel and purpose. ``decided_at``
    defaults to now and may not lie in the future."""

    channel = fields.String(required=True, validate=validate.OneOf(list(CHANNELS)))
    purpose = fields.String(required=True, validate=validate.OneOf(list(PURPOSES)))
    status = fields.String(required=True, validate=validate.OneOf(list(STATUSES)))
    source = fields.String(load_default="api", validate=validate.OneOf(list(SOURCES)))
    decided_at = fields.AwareDateTime(allow_none=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))
