"""What the survey API reads and answers (schemas named ``MarketingSurvey…``:
the OpenAPI document names each after its class).

A question is checked one by one by the service (``services.surveys
.questions``), so that a refusal names ``questions.<n>.<field>``; the
schemas here say the shape."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import Flag, ListArgs, NotBlank

from ..models.survey import CHANNELS, KINDS, LANGUAGES, QUESTION_TYPES, STATUSES, TRIGGERS

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,29}$"


def _text(required: bool = True) -> fields.String:
    return fields.String(required=required, validate=[validate.Length(min=1, max=500), NotBlank()])


class MarketingSurveyChoiceInput(Schema):
    """One choice of a ``choice`` question: its stored ``value`` and its text
    in both languages."""

    value = fields.String(required=True, validate=validate.Regexp(KEY_PATTERN))
    text_en = _text()
    text_zh_CN = _text()


class MarketingSurveyQuestionInput(Schema):
    """A question: ``key`` (lower-case letters, digits, ``_``), ``type``
    (``score`` from ``min`` to ``max`` within 0–10, ``choice`` of 2–20
    ``choices``, free ``text``), its text in English and Chinese, and
    whether an answer is ``required``."""

    key = fields.String(required=True, validate=validate.Regexp(KEY_PATTERN))
    type = fields.String(required=True, validate=validate.OneOf(QUESTION_TYPES))
    text_en = _text()
    text_zh_CN = _text()
    choices = fields.List(
        fields.Nested(MarketingSurveyChoiceInput),
        load_default=list,
        validate=validate.Length(max=20),
    )
    min = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(0, 10)
    )
    max = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(0, 10)
    )
    required = Flag(load_default=True)


#: a question as the document states it (the service checks it with the schema above)
QUESTION_JSON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["key", "type", "text_en", "text_zh_CN"],
    "properties": {
        "key": {"type": "string", "pattern": KEY_PATTERN},
        "type": {"type": "string", "enum": list(QUESTION_TYPES)},
        "text_en": {"type": "string", "minLength": 1, "maxLength": 500},
        "text_zh_CN": {"type": "string", "minLength": 1, "maxLength": 500},
        "choices": {
            "type": "array",
            "maxItems": 20,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["value", "text_en", "text_zh_CN"],
                "properties": {
                    "value": {"type": "string", "pattern": KEY_PATTERN},
                    "text_en": {"type": "string", "minLength": 1, "maxLength": 500},
                    "text_zh_CN": {"type": "string", "minLength": 1, "maxLength": 500},
                },
            },
        },
        "min": {"type": ["integer", "null"], "minimum": 0, "maximum": 10},
        "max": {"type": ["integer", "null"], "minimum": 0, "maximum": 10},
        "required": {"type": "boolean"},
    },
}


class MarketingSurveyInput(Schema):
    """A survey: ``kind`` ``nps`` or ``csat`` opens with its score question
    (key ``score``, added by itself), ``custom`` asks only ``questions``;
    ``trigger`` names the event that invites a customer by itself (a won
    deal, a closed work order), ``channel`` how invitations go out."""

    name = fields.String(required=True, validate=[validate.Length(min=1, max=120), NotBlank()])
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    status = fields.String(load_default="active", validate=validate.OneOf(STATUSES))
    questions = fields.List(
        fields.Dict(metadata=QUESTION_JSON),  # checked one by one: errors name questions.<n>
        load_default=list,
        validate=validate.Length(max=20),
    )
    trigger = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(TRIGGERS))
    channel = fields.String(load_default="email", validate=validate.OneOf(CHANNELS))


class MarketingSurveyChange(Schema):
    """What a change may send (any of a survey's fields) and the version read."""

    name = fields.String(validate=[validate.Length(min=1, max=120), NotBlank()])
    kind = fields.String(validate=validate.OneOf(KINDS))
    status = fields.String(validate=validate.OneOf(STATUSES))
    questions = fields.List(fields.Dict(metadata=QUESTION_JSON), validate=validate.Length(max=20))
    trigger = fields.String(allow_none=True, validate=validate.OneOf(TRIGGERS))
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    #: the version read (null or left out: no check)
    version = fields.Integer(strict=True, allow_none=True, validate=validate.Range(0, 2**31 - 1))


class MarketingSurveyArgs(ListArgs):
    """``q``: part of the name; ``status``, ``kind``: one of theirs."""

    status = fields.String(validate=validate.OneOf(STATUSES))
    kind = fields.String(validate=validate.OneOf(KINDS))


class MarketingSurveyQuestionOut(Schema):
    key = fields.String()
    type = fields.String()
    text_en = fields.String()
    text_zh_CN = fields.String()
    choices = fields.List(fields.Dict())
    min = fields.Integer(allow_none=True)
    max = fields.Integer(allow_none=True)
    required = fields.Boolean()


class MarketingSurveyOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    status = fields.String()
    questions = fields.List(fields.Nested(MarketingSurveyQuestionOut))
    trigger = fields.String(allow_none=True)
    channel = fields.String()
    owner_id = fields.Integer(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class MarketingSurveySendInput(Schema):
    """Whom to invite: a marketing ``segment_id`` (its members as the caller
    sees them) or ``customer_ids``; ``channel`` (default: the survey's;
    ``link`` sends nothing and answers each link once), ``language`` (default:
    each customer's, else the instance's) and ``occasion`` (default: today's
    send — a customer is invited once per occasion)."""

    segment_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    customer_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, 2**31 - 1)),
        load_default=list,
        validate=validate.Length(max=500),
    )
    channel = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(CHANNELS))
    language = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LANGUAGES))
    occasion = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^[A-Za-z0-9_:.\-]{1,60}$")
    )


class MarketingSurveyInvitationOut(Schema):
    id = fields.Integer()
    survey_id = fields.Integer()
    customer_id = fields.Integer()
    occasion = fields.String()
    owner_id = fields.Integer(allow_none=True)
    language = fields.String()
    channel = fields.String()
    sent_to = fields.String(allow_none=True)
    sent_at = fields.DateTime()
    answered_at = fields.DateTime(allow_none=True)
    #: the public link, only in the answer of the request that made it
    link = fields.String(allow_none=True)


class MarketingSurveySendOut(Schema):
    """What a send did: the invitations made (each with its link, shown this
    once) and the customers left out, counted by reason."""

    created = fields.List(fields.Nested(MarketingSurveyInvitationOut))
    skipped = fields.Dict(keys=fields.String(), values=fields.Integer())


class MarketingSurveyInvitationArgs(ListArgs):
    """``customer_id``: one customer's; ``answered``: answered or not."""

    customer_id = fields.Integer(strict=False, validate=validate.Range(1, 2**31 - 1))
    answered = fields.Boolean()


class MarketingSurveyResponseArgs(ListArgs):
    """``survey_id``, ``customer_id``: one survey's or customer's answers."""

    survey_id = fields.Integer(strict=False, validate=validate.Range(1, 2**31 - 1))
    customer_id = fields.Integer(strict=False, validate=validate.Range(1, 2**31 - 1))


class MarketingSurveyResponseOut(Schema):
    id = fields.Integer()
    invitation_id = fields.Integer()
    survey_id = fields.Integer()
    customer_id = fields.Integer()
    owner_id = fields.Integer(allow_none=True)
    score = fields.Integer(allow_none=True)
    answers = fields.Dict()
    language = fields.String()
    answered_at = fields.DateTime()
    task_id = fields.Integer(allow_none=True)


class MarketingSurveyResultsOut(Schema):
    """A survey's figures over the answers the caller may see: ``nps`` (%
    promoters − % detractors, one place) and its three counts, ``csat`` (the
    average score, two places), the ``distribution`` of the score, each
    choice question's counts and the latest free-text answers."""

    invitations = fields.Integer()
    responses = fields.Integer()
    nps = fields.Float(allow_none=True)
    promoters = fields.Integer(allow_none=True)
    passives = fields.Integer(allow_none=True)
    detractors = fields.Integer(allow_none=True)
    csat = fields.Float(allow_none=True)
    distribution = fields.Dict(keys=fields.String(), values=fields.Integer())
    choices = fields.Dict()
    texts = fields.List(fields.Dict())
