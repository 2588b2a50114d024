"""Service dispatch: after-sales work orders (工单) from request to revisit (回访).

This first slice holds the work order, its list page and the revisit rule of
core's follow-up engine; dispatch, field work and SLAs come with its issue.
"""

from core.api import (
    ActivityKind, FollowUpRule, Manifest, MenuItem, Permission, delete_rows, hookimpl, repoint,
    translator,
)

_, _l = translator("service_dispatch")

manifest = Manifest(
    name="service_dispatch",
    version="0.1.0",
    title="Service dispatch",
    description="After-sales work orders dispatched to field engineers, with revisits.",
)


@hookimpl
def trellis_models():
    from . import models

    return [models.WorkOrder]


@hookimpl
def trellis_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def trellis_permissions():
    return [
        Permission("service.order.read", _l("View work orders"), default_roles=("manager",)),
        Permission("service.order.write", _l("Create and edit work orders"),
                   default_roles=("manager",)),
        Permission("service.dispatch", _l("Dispatch work orders")),
        Permission("service.engineer", _l("Work as a field engineer")),
        Permission("service.admin", _l("Administer service dispatch")),
    ]


@hookimpl
def trellis_activity_kinds():
    return [ActivityKind("work_order", _l("Work order"), icon="wrench")]


@hookimpl
def trellis_merge_records(survivor_id, merged_id):
    from .models import WorkOrder

    return repoint(WorkOrder, "customer_id", merged_id, survivor_id)


@hookimpl
def trellis_purge_records(customer_id):
    from .models import WorkOrder

    return delete_rows(WorkOrder, "customer_id", customer_id)


@hookimpl
def trellis_menu_items(user):
    if not user.can("service.order.read"):
        return []
    return [MenuItem(_l("Work orders"), "service_dispatch.work_orders", order=30)]


@hookimpl
def trellis_followup_rules():
    from .revisits import revisit_due, revisit_params

    return [FollowUpRule("service_revisit", _l("Revisit after a completed work order"),
                         revisit_due, revisit_params)]


@hookimpl
def trellis_demo_data(locale, customers, users):
    from .demo import load_demo

    load_demo(locale, customers, users)
