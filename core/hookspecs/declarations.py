"""What a plugin declares into core's registries: permissions, starting
roles, activity kinds, custom field types, follow-up rules, recycle conditions, jobs,
message senders, the facts it knows of customers, the money they bring and the
steps of their journey."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.hookspecs.markers import hookspec

if TYPE_CHECKING:  # annotations only: the models import much of core
    from core.automation.base import AutomationAction
    from core.declarations import (
        ActivityKind,
        FieldType,
        FollowUpRule,
        Job,
        MessageSender,
        Permission,
        RecycleCondition,
        RoleTemplate,
        Searchable,
    )
    from core.facts import CustomerFact, JourneyStep, MoneyEvent
    from core.imports.declaration import Importer


# -------------------------------------------------------------- declarations


@hookspec
def trellis_permissions() -> list[Permission]:
    """Return a list of ``core.api.Permission`` the plugin declares.

    Called when the application is built. Names are dotted and start with the
    plugin's area (``sales.deal.read``). Roles grant permissions by name; a
    name declared twice stops start-up.
    """


@hookspec
def trellis_roles() -> list[RoleTemplate]:
    """Return a list of ``core.api.RoleTemplate``: the starting roles the
    plugin ships for the people who work in it (``engineer``, ``nurse``).

    Called when the application is built. ``trellis init``, ``db upgrade``
    and ``plugins sync`` create a role that does not exist yet (with its
    permissions and those declared for it in ``default_roles``); an admin's
    later changes stay. Core ships ``admin``, ``manager`` and ``sales``; a
    name declared twice stops start-up.
    """


@hookspec
def trellis_activity_kinds() -> list[ActivityKind]:
    """Return a list of ``core.api.ActivityKind`` the plugin adds to the timeline.

    Called when the application is built. Codes must be unique across core and
    plugins (core has call, email, meeting, visit, sms, wechat, note, task).
    Logging an activity of an unknown kind is a validation error.
    """


@hookspec
def trellis_custom_field_types() -> list[FieldType]:
    """Return a list of ``core.api.FieldType`` the plugin adds for custom fields.

    Called when the application is built. A field type has a ``code``, a
    ``label`` and a ``validate(value, definition)`` function that returns the
    cleaned value or raises ``ValueError`` with a readable message.
    """


@hookspec
def trellis_followup_rules() -> list[FollowUpRule]:
    """Return a list of ``core.api.FollowUpRule`` the plugin registers.

    Called when the application is built. A rule turns a follow-up plan into
    due tasks: ``trellis jobs run-due`` calls ``rule.due(plan, now)`` for each
    active plan of that rule, which yields ``core.api.DueTask`` items; core
    creates each as a task unless one with the same ``(plan, key)`` exists.
    Sales revisits, service revisits (回访), insurance renewals and hospital
    recalls are rules, not schedulers of their own.
    """


@hookspec
def trellis_recycle_conditions() -> list[RecycleCondition]:
    """Return a list of ``core.api.RecycleCondition`` the plugin adds to the pool's recycle rules.

    Called when the application is built. A pool rule (回收规则) names the
    conditions it uses in its ``conditions`` with their params; the recycle
    job returns to the pool every owned customer that meets any of them.
    """


@hookspec
def trellis_jobs() -> list[Job]:
    """Return a list of ``core.api.Job`` the plugin runs in the background.

    Called when the application is built. A job's ``run(**kwargs)`` runs in
    the worker inside an application context and must be idempotent; one
    with ``every_minutes`` is periodic and runs from the single scheduler.
    Queue a job with ``core.api.enqueue(code, **kwargs)``.
    """


@hookspec
def trellis_searchables() -> list[Searchable]:
    """Return a list of ``core.api.Searchable``: the plugin's record types
    that search finds — by the list's search box and the top bar's.

    Called when the application is built. Core indexes each declared field
    of every such record as the ORM writes it (a two-character Chinese
    fragment, a word's prefix, any four or more digits of a phone number
    find it) and ``core.api.search_match(model, query, user)`` filters the
    plugin's own scoped query by the index. A kind declared twice stops
    start-up.
    """


@hookspec
def trellis_message_senders() -> list[MessageSender]:
    """Return a list of ``core.api.MessageSender``: who delivers the
    messages of a channel (``sms``, ``email``) — an SMS gateway, a mail API.

    Called when a message is delivered (in the job, after the write that
    sent it committed). ``send(message)`` gets the ``message`` row (``to``,
    ``subject``, ``body``, ``purpose``) and returns once the message is
    handed over, or raises: the error is recorded on the message and it is
    tried again, three times in all. For each channel the sender with the
    lowest ``order`` is used; core's SMTP sender (``TRELLIS_SMTP_URL``) has
    100, its log sender, which every channel has, 1000. Example::

        @hookimpl
        def trellis_message_senders():
            return [MessageSender("sms", "acme-sms", acme.send_sms, order=50)]
    """


@hookspec
def trellis_customer_facts() -> list[CustomerFact]:
    """Return a list of ``core.api.CustomerFact``: what the plugin knows
    about each customer that a condition may ask — "won amount at least
    10,000", "an open work order", "last visit within 90 days".

    Called when the application is built; ``core.api.customer_facts(user)``
    lists them for whoever may ask (the fact's ``permission``). A fact's
    ``values()`` is a select of ``(customer_id, value)``, one row per
    customer at most, over every customer — the asker puts it under core's
    scoped customer query. A key declared twice stops start-up. Example::

        @hookimpl
        def trellis_customer_facts():
            open_orders = (
                select(WorkOrder.customer_id, func.count())
                .where(WorkOrder.status != "closed")
                .group_by(WorkOrder.customer_id)
            )
            return [CustomerFact("acme.open_orders", _l("Open orders"), "number",
                                 lambda: open_orders, missing=0,
                                 permission="acme.order.read")]
    """


@hookspec
def trellis_money_events() -> list[MoneyEvent]:
    """Return a list of ``core.api.MoneyEvent``: the money customers bring
    through the plugin (a won deal, a paid work order, a premium, a paid
    visit), which RFM scores and customer value add up.

    Called when the application is built; ``core.api.money_rows(since,
    until)`` unions every plugin's rows. A key declared twice stops
    start-up.
    """


@hookspec
def trellis_journey_steps() -> list[JourneyStep]:
    """Return a list of ``core.api.JourneyStep``: the steps of the customer
    journey (客户旅程) the plugin knows — the first lead, the first deal won,
    the first work order, the first claim, the first visit.

    Called when the application is built; ``core.api.journey_steps(user)``
    lists them in their ``order`` for whoever may see them (the step's
    ``permission``), and the journey (a customer's steps on a time axis, the
    funnel across customers) shows them among the steps every industry
    shares: known 0, contacted 10, bought 50, bought again 90. A step's
    ``reached()`` is a select of ``(customer_id, first_at)``, one row per
    customer at most, over every customer. A key declared twice, or one not
    starting with the plugin's name, stops start-up. Example::

        @hookimpl
        def trellis_journey_steps():
            first_order = (
                select(WorkOrder.customer_id, func.min(WorkOrder.created_at))
                .where(WorkOrder.deleted_at.is_(None))
                .group_by(WorkOrder.customer_id)
            )
            return [JourneyStep("acme.order", _l("First order"), lambda: first_order,
                                order=60, permission="acme.order.read")]
    """


@hookspec
def trellis_automation_actions() -> list[AutomationAction]:
    """Return a list of ``core.api.AutomationAction`` instances: what an
    automation rule may do besides core's actions (create a task, assign an
    owner, update a field, add a tag, call a webhook).

    Called when a rule is saved (its actions are checked) and when a run
    runs. Subclass ``AutomationAction``: a ``code`` unique across core and
    the plugins (start it with the plugin's name), a ``label``, ``params``
    (``core.api.ActionParam``), ``check(params, entity, actor)`` returning
    errors by parameter, ``preview(params, record, rule)`` (the dry run:
    words, no writes) and ``run(params, record, context)``, which writes in
    the run's transaction and returns a short text for the run log; raising
    fails the run, which is retried. Example::

        class OpenWorkOrder(AutomationAction):
            code = "acme.open_order"
            label = _l("Open a work order")
            params = (ActionParam("title", _l("Title")),)

            def run(self, params, record, context):
                order = open_order(record, params["title"])
                return f"work order {order.id}"

        @hookimpl
        def trellis_automation_actions():
            return [OpenWorkOrder()]
    """


@hookspec
def trellis_importers() -> list[Importer]:
    """Return a list of ``core.api.Importer``: the plugin's records that
    users may import from a CSV, XLSX or vCard file (leads, products, work
    orders, policies, patients) with mapping, preview, dedupe and undo.

    Called when the application is built. An importer's ``name`` is the
    target an import names (unique; start it with the plugin's name,
    ``sales.lead``); ``validate(payload, actor)`` loads a row's mapped text
    through the plugin's schema and rules (a ``ValidationError`` naming the
    fields), ``find(values, actor)`` returns the existing record the row
    duplicates, ``keys(values)`` its dedupe keys (``"phone:+86…"``),
    ``create``/``update``/``delete`` write through the plugin's services in
    the import's transaction, ``visible(record, actor)`` says whether the
    importing user may change a record. Core's customers and contacts are
    importers too; a name declared twice stops start-up. Example::

        @hookimpl
        def trellis_importers():
            return [Importer("acme.product", _l("Products"), ProductInput, Product, ...)]
    """
