"""Core's actions on the event's record: create a task (跟进任务) on its
customer, assign an owner (a user, round robin within a team, by workload
or by territory — :mod:`.territory`), update a field, add a tag.

They write through the services where there is one — a customer's edit is
:func:`~core.services.customers.update_customer`, a task is
:func:`~core.services.activities.log_activity` — so the audit log and the
events follow as if a person had made the change. A plugin's record has no
core service: its owner or field is set on the row and audited. The system
acts (``actor`` None in the audit log), whoever made the rule.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from core.automation import territory
from core.automation.base import ActionParam, AutomationAction, RunContext
from core.automation.records import Entity
from core.errors import ValidationError
from core.extensions import db
from core.i18n import _, _l
from core.models import Activity, AutomationRule, Customer, Team, User, utcnow
from core.schemas import CustomerInput
from core.services.activities import log_activity
from core.services.base import audit, load, snapshot
from core.services.customers import change_owner, update_customer

#: fields no rule may set: the row's identity and bookkeeping
FIXED = frozenset({"id", "created_at", "updated_at", "deleted_at", "version"})
#: how ``assign_owner`` picks within a team
METHODS = ("round_robin", "workload", "territory")


def _has_customer(entity: Entity | None) -> bool:
    return entity is not None and (entity.type == "customer" or "customer_id" in entity.columns())


def customer_of(record: Any) -> Customer | None:
    """The record if it is a customer, else the customer it belongs to."""
    if isinstance(record, Customer):
        return record
    customer_id = getattr(record, "customer_id", None)
    return db.session.get(Customer, customer_id) if customer_id else None


def _number(params: dict[str, Any], name: str, errors: dict[str, list[str]]) -> None:
    value = params.get(name)
    if value in (None, ""):
        return
    try:
        if not 0 <= float(value) <= 3650:
            raise ValueError
    except (TypeError, ValueError):
        errors[name] = [_("expected a number from 0 to 3650")]


class CreateTask(AutomationAction):
    """A task (a follow-up) on the record — on its customer's timeline when
    it has one, linked to a plugin's record (a lead, a deal) — due some days
    or hours later, for ``owner_id``, else the record's or customer's owner."""

    code = "create_task"
    label = _l("Create a follow-up task")
    params = (
        ActionParam("title", _l("Title")),
        ActionParam("due_in_days", _l("Due in days"), required=False, kind="number"),
        ActionParam("due_in_hours", _l("Due in hours"), required=False, kind="number"),
        ActionParam("owner_id", _l("For user (else the owner)"), required=False, kind="user"),
    )

    def check(self, params, entity, actor):
        errors: dict[str, list[str]] = {}
        if entity is None:
            errors[""] = [_("this event is about no record")]
        if len(str(params.get("title", ""))) > 200:
            errors["title"] = [_("at most %(n)d characters", n=200)]
        for name in ("due_in_days", "due_in_hours"):
            _number(params, name, errors)
        _user(params, "owner_id", errors)
        return errors

    def _due(self, params: dict[str, Any]):
        if params.get("due_in_hours") not in (None, ""):
            return utcnow() + timedelta(hours=float(params["due_in_hours"]))
        return utcnow() + timedelta(days=float(params.get("due_in_days") or 1))

    def _owner(self, params: dict[str, Any], record: Any, customer: Customer | None) -> int | None:
        """``owner_id``, else the record's owner (a lead's, a deal's), else its customer's."""
        if params.get("owner_id"):
            return int(params["owner_id"])
        return getattr(record, "owner_id", None) or (customer.owner_id if customer else None)

    def preview(self, params, record, rule):
        named = getattr(record, "name", None) or f"{record.__tablename__} #{record.id}"
        return _(
            "create the task %(title)s on %(customer)s, due %(due)s",
            title=params["title"],
            customer=named,
            due=self._due(params).strftime("%Y-%m-%d %H:%M UTC"),
        )

    def run(self, params, record, context):
        customer = customer_of(record)
        payload: dict[str, Any] = {
            "kind": "task",
            "subject": params["title"],
            "customer_id": customer.id if customer else None,
            "owner_id": self._owner(params, record, customer) or context.rule.created_by_id,
            "due_at": self._due(params).isoformat(),
        }
        if not isinstance(record, Customer):
            payload.update(link_type=record.__tablename__, link_id=record.id)
        task = log_activity(payload, context.actor)
        return _("task %(id)s created", id=task.id)


def _user(params: dict[str, Any], name: str, errors: dict[str, list[str]]) -> None:
    value = params.get(name)
    if value in (None, ""):
        return
    user = db.session.get(User, int(value)) if str(value).isdigit() else None
    if user is None or not user.is_active:
        errors[name] = [_("no active user with this id")]


class AssignOwner(AutomationAction):
    """Give the record to ``user_id``, or to an active user of ``team_id``:
    ``method`` ``round_robin`` (by id, after the one the rule gave the last
    record to) or ``workload`` (the one with the fewest open follow-up tasks
    — tasks not done and not deleted — ties to the lowest id); or
    ``territory``: the team of the first of ``territories`` that the
    record's ``territory_field`` matches, in turn within it, else
    ``user_id`` or ``team_id`` (:mod:`.territory`)."""

    code = "assign_owner"
    label = _l("Assign an owner")
    params = (
        ActionParam("user_id", _l("User"), required=False, kind="user"),
        ActionParam("team_id", _l("Round robin within team"), required=False, kind="team"),
        ActionParam(
            "method",
            _l("How the team member is chosen"),
            required=False,
            choices=(
                ("round_robin", _l("In turn (round robin)")),
                ("workload", _l("Fewest open tasks")),
                ("territory", _l("By territory (the lines below), in turn within the team")),
            ),
        ),
        ActionParam(
            "territory_field",
            _l("Territory field"),
            required=False,
            choices=territory.TERRITORY_FIELDS,
        ),
        ActionParam(
            "territories",
            _l("Territories, one a line: value → team (none matches: the user or team above)"),
            required=False,
            kind="longtext",
        ),
    )

    def check(self, params, entity, actor):
        errors: dict[str, list[str]] = {}
        if entity is None or "owner_id" not in entity.columns():
            errors[""] = [_("this action needs a record with an owner")]
        if not params.get("user_id") and not params.get("team_id"):
            errors["user_id"] = [_("name a user or a team")]
        _user(params, "user_id", errors)
        team = params.get("team_id")
        if team not in (None, "") and (
            not str(team).isdigit() or db.session.get(Team, int(team)) is None
        ):
            errors["team_id"] = [_("no team with this id")]
        if params.get("method") not in (None, "", *METHODS):
            errors["method"] = [_("must be one of: %(options)s", options=", ".join(METHODS))]
        elif params.get("method") == "territory" and entity is not None:
            errors.update(territory.check(params, entity.columns(), _has_customer(entity)))
        elif params.get("territories") or params.get("territory_field"):
            errors["method"] = [_("territory lines need the method By territory")]
        return errors

    def next_user(self, params: dict[str, Any], rule: AutomationRule) -> User | None:
        if params.get("user_id"):
            return db.session.get(User, int(params["user_id"]))
        members = team_members(int(params["team_id"]))
        if not members:
            return None
        if params.get("method") == "workload":
            load = open_tasks(members)
            return min(members, key=lambda u: (load.get(u.id, 0), u.id))
        return round_robin(members, rule.last_assigned_id)

    def by_territory(
        self, params: dict[str, Any], record: Any, rule: AutomationRule
    ) -> tuple[User | None, Team | None, str]:
        """The user, the team they were chosen in turn from (None: the
        fallback user) and why, in words."""
        field = params.get("territory_field") or territory.DEFAULT_FIELD
        value = territory.value_of(record, field, customer_of(record))
        line = territory.match(territory.parse(params.get("territories") or "")[0], value)
        if line is None:
            why = _("no territory matches %(value)s", value=value or "-")
            if params.get("user_id"):
                return db.session.get(User, int(params["user_id"])), None, why
            team = db.session.get(Team, int(params["team_id"]))
        else:
            team = territory.team_named(line.team)
            if team is None:
                return None, None, _("no such team: %(team)s", team=line.team)
            why = f"{value} → {team.name}"
        members = team_members(team.id) if team is not None else []
        if team is None or not members:
            return None, team, why
        return round_robin(members, territory.last_given(rule, team)), team, why

    def _pick(self, params, record, rule) -> tuple[User | None, Team | None, str]:
        if params.get("method") == "territory":
            return self.by_territory(params, record, rule)
        return self.next_user(params, rule), None, ""

    def preview(self, params, record, rule):
        user, _team, why = self._pick(params, record, rule)
        done = _("assign to %(name)s", name=user.name if user else "-")
        return f"{done} ({why})" if why else done

    def run(self, params, record, context):
        user, team, why = self._pick(params, record, context.rule)
        if user is None or not user.is_active:
            problem = _("no active user to assign to")
            raise ValueError(f"{problem} ({why})" if why else problem)
        if team is not None:
            territory.remember(context.rule, team, user.id)
        elif params.get("team_id") and not params.get("user_id"):  # workload: kept, not used
            context.rule.last_assigned_id = user.id
        if isinstance(record, Customer):
            change_owner(record, user.id, context.actor)
        else:  # a plugin's record: its team follows the owner, as a customer's does
            before = snapshot(record)
            record.owner_id = user.id
            if hasattr(record, "team_id"):
                record.team_id = user.team_id
            db.session.flush()
            audit(context.actor, record, "update", before, snapshot(record))
        done = _("assigned to %(name)s", name=user.name)
        return f"{done} ({why})" if why else done


def team_members(team_id: int) -> list[User]:
    """The active users of a team, by id."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.team_id == team_id, User.active.is_(True), User.deleted_at.is_(None))
            .order_by(User.id)
        )
    )


def round_robin(members: list[User], last_id: int | None) -> User:
    """The member after ``last_id`` by id (the first after the last one)."""
    after = [u for u in members if last_id and u.id > last_id]
    return (after or members)[0]


def open_tasks(users: list[User]) -> dict[int, int]:
    """Open follow-up tasks (not done, not deleted) by owner, of ``users``."""
    rows = db.session.execute(
        select(Activity.owner_id, func.count())
        .where(
            Activity.owner_id.in_([u.id for u in users]),
            Activity.kind == "task",
            Activity.done_at.is_(None),
            Activity.deleted_at.is_(None),
        )
        .group_by(Activity.owner_id)
    ).all()
    return {owner: count for owner, count in rows if owner is not None}


class UpdateField(AutomationAction):
    """Set a field of a customer to ``value`` (a column, or
    ``custom_fields.<key>``), checked as its form checks it and written
    through the customer service (audit, events). Only customers: a plugin's
    record has rules of its own (states, approvals) that only its services
    know, so a plugin offers its own actions for them
    (``trellis_automation_actions``)."""

    code = "update_field"
    label = _l("Update a field")
    params = (
        ActionParam("field", _l("Field"), kind="field"),
        ActionParam("value", _l("Value"), required=False),
    )

    def check(self, params, entity, actor):
        field = params["field"]
        if entity is None:
            return {"": [_("this event is about no record")]}
        if entity.type != "customer":
            return {"": [_("this action changes customers only")]}
        settable = [f for f in entity.fields() if f not in FIXED]
        if field not in settable:
            return {
                "field": [
                    _("no such field of %(record)s: %(field)s", record=entity.type, field=field)
                ]
            }
        if entity.type == "customer":
            try:
                load(CustomerInput(), self._payload(params), partial=True)
            except ValidationError as exc:
                return {"value": [m for ms in exc.errors.values() for m in ms]}
        return {}

    def _payload(self, params: dict[str, Any]) -> dict[str, Any]:
        field, value = params["field"], params.get("value")
        if field.startswith("custom_fields."):
            return {"custom_fields": {field.split(".", 1)[1]: value}}
        return {field: value}

    def preview(self, params, record, rule):
        return _("set %(field)s to %(value)s", field=params["field"], value=params.get("value"))

    def run(self, params, record, context):
        if not isinstance(record, Customer):
            raise ValueError(_("this action changes customers only"))
        update_customer(record, self._payload(params), context.actor)
        return _("%(field)s set", field=params["field"])


class AddTag(AutomationAction):
    """Add tag ``tag`` to the record's customer (made if it does not exist)."""

    code = "add_tag"
    label = _l("Add a tag")
    params = (ActionParam("tag", _l("Tag")),)

    def check(self, params, entity, actor):
        errors: dict[str, list[str]] = {}
        if not _has_customer(entity):
            errors[""] = [_("this action needs a record of a customer")]
        if not 1 <= len(str(params["tag"]).strip()) <= 60:
            errors["tag"] = [_("from 1 to 60 characters")]
        return errors

    def preview(self, params, record, rule):
        customer = customer_of(record)
        return _(
            "tag %(customer)s with %(tag)s",
            customer=customer.name if customer else "-",
            tag=params["tag"],
        )

    def run(self, params, record, context):
        customer = customer_of(record)
        if customer is None:
            raise ValueError(_("the record belongs to no customer"))
        names = [t.name for t in customer.tags]
        tag = str(params["tag"]).strip()
        if tag in names:
            return _("already tagged %(tag)s", tag=tag)
        update_customer(customer, {"tags": [*names, tag]}, context.actor)
        return _("tagged %(tag)s", tag=tag)


RECORD_ACTIONS: list[AutomationAction] = [CreateTask(), AssignOwner(), UpdateField(), AddTag()]
__all__ = ["RECORD_ACTIONS", "RunContext", "customer_of"]
