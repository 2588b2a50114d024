"""Sales: leads, pipelines and deals (商机).

This package is also the example plugin integrators copy: the manifest and
every hook implementation live here; models, views and the rest sit in
their own modules and are imported lazily, so a disabled plugin costs
nothing and adds no tables.
"""

from core.api import (
    ActivityKind, CustomerTab, DashboardWidget, FollowUpRule, Manifest, MenuItem, Permission,
    RecycleCondition, hookimpl, repoint, translator,
)

from . import hookspecs  # noqa: F401  (the events other plugins may subscribe to)

_, _l = translator("sales")

manifest = Manifest(
    name="sales",
    version="0.1.0",
    title="Sales",
    description="Leads, pipelines and deals, follow-up plans, funnel and forecast.",
    requires=(),
    min_core="0.1",
)


@hookimpl
def trellis_models():
    from . import models, report_cells  # noqa: F401  (report_cells: keeps the cells in step)

    return [models.Pipeline, models.Stage, models.Deal, models.StageChange, models.LeadForm,
            models.Lead, models.AssignmentRule, models.SalesTarget, models.CommissionRule,
            models.Product, models.DealLine, models.ReportCell, models.CustomerWins]


@hookimpl
def trellis_blueprints():
    # each module's routes join the sales blueprint
    from . import views_followups, views_leads, views_products  # noqa: F401
    from . import views_pipelines, views_reports, views_targets  # noqa: F401
    from .views import bp

    return [bp]


@hookimpl
def trellis_permissions():
    return [
        Permission("sales.lead.read", _l("View leads"), default_roles=("manager", "sales")),
        Permission("sales.lead.write", _l("Capture, convert and disqualify leads"),
                   default_roles=("manager", "sales")),
        Permission("sales.deal.read", _l("View deals"), default_roles=("manager", "sales")),
        Permission("sales.deal.write", _l("Create and edit deals"),
                   default_roles=("manager", "sales")),
        Permission("sales.deal.export", _l("Export deals (CSV)"), default_roles=("manager",)),
        Permission("sales.report.read", _l("View sales reports"),
                   default_roles=("manager", "sales")),
        Permission("sales.admin", _l("Administer pipelines")),
        Permission("sales.target.write", _l("Set targets and commission rules"),
                   default_roles=("manager",)),
    ]


@hookimpl
def trellis_api_blueprints():
    from . import rest_leads, rest_reports  # noqa: F401  (their routes join the API blueprint)
    from . import rest_targets  # noqa: F401  (its routes join the sales API blueprint)
    from . import rest_products  # noqa: F401  (its routes join the sales API blueprint)
    from .rest import bp

    return [bp]


@hookimpl
def trellis_customer_tabs(customer, user):
    if not user.can("sales.deal.read"):
        return []
    return [CustomerTab("deals", _l("Deals"), "sales.customer_deals", order=10)]


@hookimpl
def trellis_dashboard_widgets(user):
    if not user.can("sales.deal.read"):
        return []
    widgets = [DashboardWidget("sales_pipeline", _l("My pipeline"), "sales.widget_pipeline", 10)]
    if user.can("sales.report.read"):
        widgets.append(DashboardWidget("sales_forecast", _l("This month's forecast"),
                                       "sales.widget_forecast", 20))
    widgets.append(DashboardWidget("sales_overdue_followups", _l("Overdue follow-ups"),
                                   "sales.widget_followups", 30))
    return widgets


@hookimpl
def trellis_followup_rules():
    from .followups import RULE, grade_due, grade_params

    return [FollowUpRule(RULE, _l("Revisit by customer grade (A/B/C/D days)"), grade_due,
                         grade_params)]


@hookimpl
def trellis_activity_kinds():
    return [ActivityKind("deal_stage", _l("Deal stage change"), icon="flag")]


@hookimpl
def trellis_recycle_conditions():
    from .recycle import no_won_deal_customer_ids, no_won_deal_params

    return [RecycleCondition("sales_no_won_deal", _l("No won deal for M days"),
                             no_won_deal_customer_ids, no_won_deal_params)]


@hookimpl
def trellis_merge_records(survivor_id, merged_id):
    from .models import Deal, Lead
    from .report_cells import recounted

    with recounted(Deal.customer_id == merged_id):
        deals = repoint(Deal, "customer_id", merged_id, survivor_id)
    return deals + repoint(Lead, "customer_id", merged_id, survivor_id)


@hookimpl
def trellis_purge_records(customer_id):
    from .recycle import purge_customer

    return purge_customer(customer_id)


@hookimpl
def trellis_transfer_records(from_user_id, to_user_id):
    from .models import Deal, Lead
    from .report_cells import recounted

    with recounted(Deal.owner_id == from_user_id):
        deals = repoint(Deal, "owner_id", from_user_id, to_user_id)
    return deals + repoint(Lead, "owner_id", from_user_id, to_user_id)


@hookimpl
def trellis_menu_items(user):
    items = []
    if user.can("sales.lead.read"):
        items.append(MenuItem(_l("Leads"), "sales.leads_index", order=15))
    if user.can("sales.deal.read"):
        items.append(MenuItem(_l("Deals"), "sales.deals", order=20))
        items.append(MenuItem(_l("Follow-ups"), "sales.followups", order=22))
        items.append(MenuItem(_l("Products"), "sales.product_list", order=23))
    if user.can("sales.report.read"):
        items.append(MenuItem(_l("Targets"), "sales.targets", order=25))
        items.append(MenuItem(_l("Commission"), "sales.commission", order=26))
    return items


@hookimpl
def trellis_demo_data(locale, customers, users):
    from .demo import load_demo

    load_demo(locale, customers, users)
