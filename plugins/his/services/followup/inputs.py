"""What follow-up (随访) reads: the schemas the API's bodies and the forms
share — a template with its questions, a plan from a visit, stopping a
plan, a contact attempt with its answers — and the one-question-a-line text
the template form writes questions in.

A question is ``{"key", "text", "kind", "choices", "red_flag"}``: ``kind``
``yes_no`` (answers ``yes``/``no``), ``scale`` (0 to 10), ``text`` or
``choice`` (one of ``choices``). ``red_flag`` is the answer that alarms:
``{"equals": "yes"}`` (a yes/no or a choice), ``{"at_least": 8}`` or
``{"at_most": 2}`` (a scale); a text answer has none."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from core.api import Flag, NotBlank, translator

from ...models.followup import ATTEMPT_OUTCOMES, FOLLOWUP_CHANNELS, QUESTION_KINDS

_, _l = translator("his")

_ID = validate.Range(1, 2**31 - 1)
SCALE = (0, 10)
YES_NO = ("yes", "no")
_NAME = [validate.Length(min=1, max=120), NotBlank()]
_KEY = [validate.Length(min=1, max=40), validate.Regexp(r"^[a-z][a-z0-9_]*$")]


class Whole(fields.Integer):
    def __init__(self, **kwargs) -> None:
        super().__init__(strict=True, **kwargs)


class FollowupQuestionInput(Schema):
    """One question of a template."""

    key = fields.String(
        required=True, validate=_KEY, metadata={"description": "a-z, 0-9 and _; unique"}
    )
    text = fields.String(required=True, validate=[validate.Length(min=1, max=200)])
    kind = fields.String(required=True, validate=validate.OneOf(QUESTION_KINDS))
    choices = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        load_default=list,
        validate=validate.Length(max=10),
        metadata={"description": "a choice question's answers (2 to 10)"},
    )
    red_flag = fields.Dict(
        load_default=None,
        allow_none=True,
        metadata={"description": '{"equals": "yes"}, {"at_least": 8} or {"at_most": 2}'},
    )


class FollowupTemplateChange(Schema):
    """What editing a follow-up template may change."""

    name = fields.String(validate=_NAME)
    department_id = Whole(allow_none=True, validate=_ID, metadata={"description": "none: all"})
    diagnosis_prefix = fields.String(
        allow_none=True,
        validate=validate.Length(max=10),
        metadata={"description": "an ICD-10 code or its beginning, e.g. E11; none: any"},
    )
    chronic = Flag()
    offsets = fields.List(
        Whole(validate=validate.Range(1, 3650)),
        validate=validate.Length(max=12),
        metadata={"description": "days after the visit, ascending (not chronic)"},
    )
    repeat_months = Whole(
        allow_none=True,
        validate=validate.Range(1, 60),
        metadata={"description": "a chronic disease: every this many months"},
    )
    channel = fields.String(validate=validate.OneOf(FOLLOWUP_CHANNELS))
    questions = fields.List(fields.Nested(FollowupQuestionInput), validate=validate.Length(max=30))
    attempts_before_lost = Whole(validate=validate.Range(1, 10))
    active = Flag()

    @post_load
    def tidy(self, data: dict, **kwargs) -> dict:
        if isinstance(data.get("name"), str):
            data["name"] = data["name"].strip()
        prefix = data.get("diagnosis_prefix")
        if isinstance(prefix, str):
            data["diagnosis_prefix"] = prefix.strip().upper().replace(".", "") or None
        return data


class FollowupTemplateInput(FollowupTemplateChange):
    """A new follow-up template."""

    name = fields.String(required=True, validate=_NAME)
    chronic = Flag(load_default=False)
    offsets = fields.List(
        Whole(validate=validate.Range(1, 3650)), load_default=list, validate=validate.Length(max=12)
    )
    channel = fields.String(load_default="phone", validate=validate.OneOf(FOLLOWUP_CHANNELS))
    questions = fields.List(
        fields.Nested(FollowupQuestionInput), load_default=list, validate=validate.Length(max=30)
    )
    attempts_before_lost = Whole(load_default=3, validate=validate.Range(1, 10))
    active = Flag(load_default=True)


class FollowupPlanInput(Schema):
    """A follow-up plan from a visit by hand (the visit's closing makes them
    from the matching templates on its own)."""

    visit_id = Whole(required=True, validate=_ID)
    template_id = Whole(required=True, validate=_ID)


class FollowupStopInput(Schema):
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=200), *_NAME[1:]])


class FollowupAttemptInput(Schema):
    """One contact attempt on a plan's due step."""

    step_id = Whole(
        load_default=None,
        allow_none=True,
        validate=_ID,
        metadata={"description": "default: the plan's next due step"},
    )
    outcome = fields.String(required=True, validate=validate.OneOf(ATTEMPT_OUTCOMES))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    answers = fields.Dict(
        keys=fields.String(),
        load_default=dict,
        metadata={"description": "question key → answer, only on a reached attempt"},
    )


def parse_questions(text: str) -> list[dict[str, Any]]:
    """The template form's questions, one a line: ``key | kind | text | red
    flag`` — kind ``yes_no``, ``scale``, ``text`` or ``choice:a,b,c``; the
    red flag ``yes``/``no``, ``>=8``/``<=2`` or one of the choices (may be
    left out). Raises ``ValueError`` naming the line."""
    questions = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) not in (3, 4):
            raise ValueError(_("line %(n)d: key | kind | question | red flag", n=number))
        key, kind, question = parts[:3]
        choices: list[str] = []
        if kind.startswith("choice:"):
            kind, choices = "choice", [c.strip() for c in kind[7:].split(",") if c.strip()]
        flag = parts[3] if len(parts) == 4 and parts[3] else None
        questions.append(
            {
                "key": key,
                "kind": kind,
                "text": question,
                "choices": choices,
                "red_flag": _flag(flag, kind),
            }
        )
    return questions


def _flag(flag: str | None, kind: str) -> dict | None:
    if flag is None:
        return None
    for sign, name in ((">=", "at_least"), ("<=", "at_most")):
        if flag.startswith(sign) and kind == "scale":
            value = flag[2:].strip()
            return {name: int(value)} if value.isdigit() else {name: value}
    return {"equals": flag}


def questions_text(questions: list[dict[str, Any]]) -> str:
    """The questions back as the form's lines."""
    lines = []
    for q in questions:
        kind = f"choice:{','.join(q['choices'])}" if q["kind"] == "choice" else q["kind"]
        flag = q.get("red_flag") or {}
        shown = (
            f">={flag['at_least']}"
            if "at_least" in flag
            else f"<={flag['at_most']}"
            if "at_most" in flag
            else flag.get("equals", "")
        )
        lines.append(" | ".join(part for part in (q["key"], kind, q["text"], str(shown)) if part))
    return "\n".join(lines)
