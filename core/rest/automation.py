"""Automation under ``/api/v1/automation`` (``admin.automation``): the
events and actions a rule may name, rules, trying a rule on a record (a dry
run), and the run log with retrying a failed run."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core import automation as service
from core.automation.triggers import date_field_choices
from core.errors import NotFoundError
from core.extensions import db
from core.i18n import _
from core.models import AutomationRule, AutomationRun
from core.models.automation import RUN_STATES
from core.rest.auth import require
from core.rest.customers import body
from core.rest.lists import ListArgs, page_schema, paginate, sorted_by
from core.rest.openapi import field_rules
from core.schemas import Id

bp = Blueprint("api_automation", __name__, description="Automation: rules and their runs")
MANAGE = service.MANAGE


class RecordOut(Schema):
    type = fields.String()
    field_names = fields.Function(lambda e: e.fields(), data_key="fields")
    date_fields = fields.Function(
        lambda e: [name for name, _label in date_field_choices(e)],
        metadata={
            "description": "the date columns and date custom fields (custom_fields.<key>) "
            "a date trigger may name"
        },
    )


class AutomationEventOut(Schema):
    name = fields.String()
    arguments = fields.List(fields.String())
    description = fields.String()
    declared_by = fields.String()
    record = fields.Function(
        lambda e: RecordOut().dump(e.entity) if e.entity is not None else None,
        metadata={"description": "the record type the event is about and its fields"},
    )
    has_changes = fields.Boolean(
        metadata={"description": "whether a field_changed trigger may name it"}
    )


class ParamOut(Schema):
    name = fields.String()
    label = fields.Function(lambda p: str(p.label))
    required = fields.Boolean()
    kind = fields.String()


class AutomationActionOut(Schema):
    type = fields.String(attribute="code")
    label = fields.Function(lambda a: str(a.label))
    params = fields.List(fields.Nested(ParamOut))


class AutomationRuleOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String()
    active = fields.Boolean()
    trigger = fields.Dict()
    conditions = fields.List(fields.Dict())
    actions = fields.List(fields.Dict())
    last_assigned_id = fields.Integer(allow_none=True)
    next_run_at = fields.DateTime(
        allow_none=True, metadata={"description": "a schedule or date rule's next slot (UTC)"}
    )
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    version = fields.Integer()


class RunOut(Schema):
    id = fields.Integer(required=True)
    rule_id = fields.Integer()
    event = fields.String()
    record_type = fields.String(allow_none=True)
    record_id = fields.Integer(allow_none=True)
    slot = fields.String(
        allow_none=True, metadata={"description": "a schedule run's slot, a date run's date"}
    )
    status = fields.String()
    matched = fields.Boolean(allow_none=True)
    depth = fields.Integer()
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime()
    results = fields.List(fields.Dict())
    error = fields.String(allow_none=True)
    duration_ms = fields.Integer(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class TryIn(Schema):
    record_id = Id(required=True)


class TryOut(Schema):
    record_type = fields.String()
    record_id = fields.Integer()
    matched = fields.Boolean()
    conditions = fields.List(fields.Dict())
    actions = fields.List(fields.Dict())


class RunArgs(ListArgs):
    rule_id = Id(strict=False)
    status = fields.String(validate=validate.OneOf(RUN_STATES))


RULES = field_rules(
    (
        ("trigger", "trigger.*"),
        "a declared event (GET /api/v1/automation/events); field: one of its fields; "
        "schedule: cron (5 fields, instance time zone); date: record_type, field (a date "
        "field), offset_days (-365..365), hour (0..23), yearly",
    ),
    (
        ("conditions", "conditions.*"),
        "fields of the event's record; op one of eq ne in contains empty …",
    ),
    (
        ("actions", "actions.*"),
        "declared actions (GET /api/v1/automation/actions) with their params",
    ),
)
RULE_BODY = {"content": {"application/json": {"schema": service.AutomationRuleInput}}}
RULE_SORT = {"name": AutomationRule.name, "created_at": AutomationRule.created_at}
RUN_SORT = {"created_at": AutomationRun.created_at, "status": AutomationRun.status}


def rule_of(rule_id: int) -> AutomationRule:
    rule = db.session.get(AutomationRule, rule_id)
    if rule is None or rule.deleted_at is not None:
        raise NotFoundError(_("automation rule %(id)s not found", id=rule_id))
    return rule


def run_of(run_id: int) -> AutomationRun:
    run = db.session.get(AutomationRun, run_id)
    if run is None or run.rule.deleted_at is not None:
        raise NotFoundError(_("automation run %(id)s not found", id=run_id))
    return run


@bp.route("/events", methods=["GET"])
@bp.response(200, AutomationEventOut(many=True))
def events():
    """The declared events (core's and the enabled plugins') a rule may be
    triggered by, with the record each is about, that record's fields and
    its date fields (what a ``date`` trigger may watch)."""
    require(MANAGE)
    return service.events()


@bp.route("/actions", methods=["GET"])
@bp.response(200, AutomationActionOut(many=True))
def actions():
    """The actions a rule may run (core's and the plugins') with their parameters."""
    require(MANAGE)
    return list(service.all_actions().values())


@bp.route("/rules", methods=["GET"])
@bp.arguments(sorted_by(ListArgs, RULE_SORT), location="query", as_kwargs=False)
@bp.response(200, page_schema(AutomationRuleOut, "AutomationRulePage"))
def list_rules(args):
    require(MANAGE)
    query = select(AutomationRule).where(AutomationRule.deleted_at.is_(None))
    if args.get("q"):
        query = query.where(AutomationRule.name.contains(args["q"], autoescape=True))
    return paginate(query, args, RULE_SORT, "name")


@bp.route("/rules", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": service.AutomationRuleInput}}}, **RULES
)
@bp.response(201, AutomationRuleOut)
def create_rule():
    """Define a rule. Refused with a 422 naming the field: an unknown event
    (``trigger.event``) or field (``trigger.field``, ``conditions.0.field``),
    an unknown action (``actions.0.type``) or a missing parameter
    (``actions.0.params.title``), a bad cron expression (``trigger.cron``)."""
    require(MANAGE)
    return service.save_rule(body(), None, current_user)


@bp.route("/rules/<int:automation_rule_id>", methods=["GET"])
@bp.response(200, AutomationRuleOut)
def get_rule(automation_rule_id: int):
    require(MANAGE)
    return rule_of(automation_rule_id)


@bp.route("/rules/<int:automation_rule_id>", methods=["PATCH"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": service.AutomationRuleInput}}}, **RULES
)
@bp.response(200, AutomationRuleOut)
def update_rule(automation_rule_id: int):
    """Change some parts (send ``version``: a stale one is a 409); the whole rule is checked."""
    require(MANAGE)
    return service.save_rule(body(), rule_of(automation_rule_id), current_user)


@bp.route("/rules/<int:automation_rule_id>", methods=["DELETE"])
@bp.response(204)
def delete_rule(automation_rule_id: int):
    """Delete a rule: it runs no more; its run log stays readable until purged."""
    require(MANAGE)
    service.delete_rule(rule_of(automation_rule_id), current_user)


@bp.route("/rules/<int:automation_rule_id>/try", methods=["POST"])
@bp.arguments(TryIn, as_kwargs=False)
@bp.response(200, TryOut)
def try_rule(args, automation_rule_id: int):
    """A dry run on one record of the rule's event: whether each condition
    holds (with the record's value) and what each action would do. Writes nothing."""
    require(MANAGE)
    return service.try_rule(rule_of(automation_rule_id), args["record_id"], current_user)


@bp.route("/runs", methods=["GET"])
@bp.arguments(sorted_by(RunArgs, RUN_SORT), location="query", as_kwargs=False)
@bp.response(200, page_schema(RunOut, "AutomationRunPage"))
def list_runs(args):
    """The run log, newest first; filter by ``rule_id`` and ``status`` (``failed``…)."""
    require(MANAGE)
    query = select(AutomationRun).join(AutomationRule).where(AutomationRule.deleted_at.is_(None))
    for key in ("rule_id", "status"):
        if args.get(key):
            query = query.where(getattr(AutomationRun, key) == args[key])
    return paginate(query, args, RUN_SORT, "-created_at")


@bp.route("/runs/<int:run_id>", methods=["GET"])
@bp.response(200, RunOut)
def get_run(run_id: int):
    require(MANAGE)
    return run_of(run_id)


@bp.route("/runs/<int:run_id>/retry", methods=["POST"])
@bp.response(202, RunOut)
def retry_run(run_id: int):
    """Run a failed run again now (409 unless it is failed)."""
    require(MANAGE)
    return service.retry_run(run_of(run_id))
