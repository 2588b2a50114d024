"""Service dispatch: after-sales work orders (工单) from request to revisit (回访).

An order is opened from a customer's page, dispatched (派工) to a field
engineer (工程师) suggested by skill, region and workload, and moved through
its lifecycle by the one state machine in ``services.lifecycle``; the engineer works
from a phone-width "My jobs today" page. Revisits are a rule of core's
follow-up engine.

The folders are every built-in plugin's: ``models/`` (the tables),
``services/`` (the rules), ``schemas/`` (the API's schemas), ``api/`` and
``views/`` (the blueprints), ``demo/``, ``templates/``, ``translations/``,
``migrations/``; this module is the manifest and the hook implementations.
"""

from flask import url_for

from core.api import (
    MENU_REPORTS,
    ActivityKind,
    CustomerAction,
    CustomerTab,
    DashboardWidget,
    FollowUpRule,
    Manifest,
    MenuGroup,
    MenuItem,
    Permission,
    RoleTemplate,
    RuleParam,
    Searchable,
    hookimpl,
    repoint,
    translator,
)

from . import hookspecs  # noqa: F401  (the events other plugins may subscribe to)

_, _l = translator("service_dispatch")

manifest = Manifest(
    name="service_dispatch",
    version="0.1.0",
    title=_l("Service dispatch"),
    description=_l("After-sales work orders dispatched to field engineers, with revisits."),
)


@hookimpl
def trellis_models():
    from . import models

    return [
        models.WorkOrder,
        models.WorkOrderEvent,
        models.Engineer,
        models.RequestLink,
        models.Attachment,
        models.Revisit,
        models.Contract,
        models.SlaPolicy,
        models.BusinessCalendar,
        models.CalendarDay,
        models.Part,
        models.StockLocation,
        models.Stock,
        models.StockMove,
    ]


@hookimpl
def trellis_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def trellis_api_blueprints():
    from .api import bp

    return [bp]


@hookimpl
def trellis_permissions():
    return [
        Permission(
            "service.order.read", _l("View work orders"), default_roles=("manager", "engineer")
        ),
        Permission(
            "service.order.write",
            _l("Create, close, reopen and cancel work orders"),
            default_roles=("manager",),
        ),
        Permission("service.dispatch", _l("Dispatch work orders"), default_roles=("manager",)),
        Permission("service.engineer", _l("Work as a field engineer"), default_roles=("engineer",)),
        Permission("service.report.read", _l("View service reports"), default_roles=("manager",)),
        Permission(
            "service.order.export", _l("Export work orders (CSV, XLSX)"), default_roles=("manager",)
        ),
        Permission("service.admin", _l("Administer service dispatch")),
    ]


@hookimpl
def trellis_importers():
    from .importers import IMPORTERS  # work orders from a spreadsheet

    return IMPORTERS


@hookimpl
def trellis_searchables():
    from .models import WorkOrder

    return [Searchable("service.order", WorkOrder, ("number", "title"))]


@hookimpl
def trellis_customer_facts():
    from .services.facts import customer_facts

    return customer_facts()


@hookimpl
def trellis_money_events():
    from .services.facts import money_events

    return money_events()


@hookimpl
def trellis_journey_steps():
    from .services.facts import journey_steps

    return journey_steps()


@hookimpl
def trellis_roles():
    # sees the work orders assigned to them (scope own) and works them on the road
    return [RoleTemplate("engineer", _l("Field engineer"), "own")]


@hookimpl
def trellis_activity_kinds():
    return [ActivityKind("work_order", _l("Work order"), icon="wrench")]


@hookimpl
def trellis_merge_records(survivor_id, merged_id):
    from .models import Contract, WorkOrder

    return repoint(WorkOrder, "customer_id", merged_id, survivor_id) + repoint(
        Contract, "customer_id", merged_id, survivor_id
    )


@hookimpl
def trellis_purge_records(customer_id):
    from sqlalchemy import delete, select, update

    from core.api import db

    from .models import Revisit, WorkOrder, WorkOrderEvent

    orders = select(WorkOrder.id).where(WorkOrder.customer_id == customer_id)
    db.session.execute(delete(WorkOrderEvent).where(WorkOrderEvent.work_order_id.in_(orders)))
    db.session.execute(delete(Revisit).where(Revisit.work_order_id.in_(orders)))
    # another customer's order of the same serial number may repeat one of these
    others = WorkOrder.customer_id != customer_id
    db.session.execute(
        update(WorkOrder)
        .where(others, WorkOrder.repeat_of_id.in_(orders))
        .values(repeat_of_id=None)
        .execution_options(synchronize_session=False)
    )
    from .services.attachments import purge

    purge(orders)
    from .services.parts import forget_orders

    forget_orders(orders)
    from .services.entitlement import purge_contracts

    purge_contracts(customer_id)
    return db.session.execute(
        delete(WorkOrder).where(WorkOrder.customer_id == customer_id)
    ).rowcount


@hookimpl
def trellis_service_dispatch_attachments_purged(stored_names):
    from .services.attachments import remove_files

    remove_files(stored_names)


@hookimpl
def trellis_search(query, user, limit):
    from .views.search import section

    return section(query, user, limit)


#: the service plugin's heading in the main menu
MENU_SERVICE = MenuGroup("service", _l("Service"), order=30, icon="wrench")


@hookimpl
def trellis_menu_items(user):
    entries = []
    if user.can("service.engineer"):
        entries.append((_l("My jobs today"), "service_dispatch.my_jobs", "user-check"))
    if user.can("service.order.read"):
        entries.append((_l("Work orders"), "service_dispatch.work_orders", "clipboard-list"))
    if user.can("service.dispatch"):
        entries += [
            (_l("Dispatch board"), "service_dispatch.board", "truck"),
            (_l("Requests to review"), "service_dispatch.requests_page", "inbox"),
        ]
    elif user.can("service.admin"):
        entries.append((_l("Engineers"), "service_dispatch.engineers", "users"))
    if user.can("service.engineer") or user.can("service.dispatch"):
        entries.append((_l("Schedule"), "service_dispatch.schedule_page", "calendar-days"))
    if user.can("service.admin") or user.can("service.dispatch"):
        entries.append((_l("Spare parts"), "service_dispatch.parts_page", "boxes"))
    if user.can("service.admin"):
        entries.append((_l("SLA & calendar"), "service_dispatch.sla_settings", "timer"))
    items = [
        MenuItem(label, endpoint, order=n, icon=glyph, group=MENU_SERVICE)
        for n, (label, endpoint, glyph) in enumerate(entries)
    ]
    if user.can("service.report.read"):
        items.append(
            MenuItem(
                _l("Service reports"),
                "service_dispatch.reports_page",
                order=30,
                icon="gauge",
                group=MENU_REPORTS,
            )
        )
    return items


@hookimpl
def trellis_customer_tabs(customer, user):
    if not user.can("service.order.read"):
        return []
    return [
        CustomerTab("work_orders", _l("Work orders"), "service_dispatch.customer_orders", order=20)
    ]


@hookimpl
def trellis_customer_actions(customer, user):
    if not user.can("service.order.write"):
        return []
    return [
        CustomerAction(
            _l("New work order"),
            url_for("service_dispatch.new_order", customer_id=customer.id),
            order=20,
        )
    ]


@hookimpl
def trellis_timeline_links(link_type, ids, user):
    """Work order entries (its history, its revisit tasks) link to the order
    for whoever may open it, and are left out for the others."""
    from .models import WorkOrder

    if link_type != WorkOrder.__tablename__:
        return None
    from .services.access import visible_order_ids

    seen = visible_order_ids(user, ids)
    return {
        i: url_for("service_dispatch.order_page", order_id=i) if i in seen else None for i in ids
    }


@hookimpl
def trellis_dashboard_widgets(user):
    widgets = []
    if user.can("service.order.read"):
        widgets.append(
            DashboardWidget(
                "service_open_orders", _l("Open work orders"), "service_dispatch.widget_open", 40
            )
        )
    if user.can("service.engineer"):
        widgets.append(
            DashboardWidget(
                "service_my_jobs", _l("My jobs today"), "service_dispatch.widget_my_jobs", 41
            )
        )
    if user.can("service.order.read"):
        widgets.append(
            DashboardWidget(
                "service_sla_risk", _l("SLA at risk"), "service_dispatch.widget_sla_risk", 42
            )
        )
    return widgets


@hookimpl
def trellis_followup_rules():
    from .services.revisits import DEFAULTS, revisit_due, revisit_params

    return [
        FollowUpRule(
            "service_revisit",
            _l("Revisit after a completed work order"),
            revisit_due,
            revisit_params,
            params=(
                RuleParam("after_days", _l("Days after the job is done"), default=1),
                RuleParam(
                    "low_score",
                    _l("A score at or below this is low (1–4)"),
                    default=DEFAULTS["low_score"],
                ),
                RuleParam(
                    "on_low_score",
                    _l("On a low score"),
                    choices=(("reopen", _l("Reopen the work order")), ("escalate", _l("Escalate"))),
                    default=DEFAULTS["on_low_score"],
                ),
            ),
        )
    ]


@hookimpl
def trellis_demo_data(locale, customers, users):
    from .demo import load_demo

    load_demo(locale, customers, users)
