"""Sales: leads, pipelines and deals (商机).

This package is also the example plugin integrators copy: the manifest and
every hook implementation live here; the rest sits in the subpackages
every built-in plugin has — ``models``, ``schemas``, ``services`` (the
business rules), ``api`` and ``views`` (the blueprints), ``demo`` — and is
imported lazily, so a disabled plugin costs nothing and adds no tables.
"""

from flask import url_for

from core.api import (
    MENU_REPORTS,
    ActivityKind,
    CustomerAction,
    CustomerColumn,
    CustomerTab,
    DashboardWidget,
    FollowUpRule,
    Manifest,
    MenuGroup,
    MenuItem,
    Permission,
    RecycleCondition,
    RuleParam,
    Searchable,
    hookimpl,
    repoint,
    translator,
)

from . import hookspecs  # noqa: F401  (the events other plugins may subscribe to)

_, _l = translator("sales")

manifest = Manifest(
    name="sales",
    version="0.1.0",
    title=_l("Sales"),
    description=_l("Leads, pipelines and deals, follow-up plans, funnel and forecast."),
    requires=(),
    min_core="0.1",
)


@hookimpl
def trellis_models():
    from . import models
    from .services import report_cells  # noqa: F401  (keeps the report cells in step)

    return [
        models.Pipeline,
        models.Stage,
        models.Deal,
        models.StageChange,
        models.LeadForm,
        models.Lead,
        models.AssignmentRule,
        models.SalesTarget,
        models.CommissionRule,
        models.Product,
        models.DealLine,
        models.ReportCell,
        models.CustomerWins,
    ]


@hookimpl
def trellis_blueprints():
    from .views import bp  # every page module's routes join it

    return [bp]


@hookimpl
def trellis_permissions():
    return [
        Permission("sales.lead.read", _l("View leads"), default_roles=("manager", "sales")),
        Permission(
            "sales.lead.write",
            _l("Capture, convert and disqualify leads"),
            default_roles=("manager", "sales"),
        ),
        Permission("sales.deal.read", _l("View deals"), default_roles=("manager", "sales")),
        Permission(
            "sales.deal.write", _l("Create and edit deals"), default_roles=("manager", "sales")
        ),
        Permission("sales.deal.export", _l("Export deals (CSV)"), default_roles=("manager",)),
        Permission(
            "sales.report.read", _l("View sales reports"), default_roles=("manager", "sales")
        ),
        Permission("sales.admin", _l("Administer pipelines")),
        Permission(
            "sales.target.write", _l("Set targets and commission rules"), default_roles=("manager",)
        ),
    ]


@hookimpl
def trellis_searchables():
    from .models import Deal, Lead

    return [
        Searchable("sales.deal", Deal, ("title",)),
        Searchable("sales.lead", Lead, ("name", "company", "phone", "email")),
    ]


@hookimpl
def trellis_approvables():
    from .services.approvals import approvable

    return [approvable()]


@hookimpl
def trellis_api_blueprints():
    from .api import bp  # every resource module's routes join it

    return [bp]


@hookimpl
def trellis_customer_tabs(customer, user):
    if not user.can("sales.deal.read"):
        return []
    return [CustomerTab("deals", _l("Deals"), "sales.customer_deals", order=10)]


@hookimpl
def trellis_customer_actions(customer, user):
    if not user.can("sales.deal.write"):
        return []
    return [
        CustomerAction(_l("New deal"), url_for("sales.new_deal", customer_id=customer.id), order=10)
    ]


@hookimpl
def trellis_customer_columns(user):
    if not user.can("sales.deal.read"):
        return []
    from .services.access import open_deal_counts

    def open_deals(ids):
        counts = open_deal_counts(user, ids)
        return {i: str(counts.get(i, 0)) for i in ids}

    return [CustomerColumn("sales_open_deals", _l("Open deals"), open_deals, order=10)]


@hookimpl
def trellis_timeline_links(link_type, ids, user):
    """Deal entries link to the deal for whoever may open it, and are left
    out for the others; a converted lead's history stays as it is: it is the
    customer's now."""
    if link_type != "sales_deal":
        return None
    from .services.access import visible_deal_ids

    seen = visible_deal_ids(user, ids)
    return {i: url_for("sales.deal", deal_id=i) if i in seen else None for i in ids}


@hookimpl
def trellis_dashboard_widgets(user):
    if not user.can("sales.deal.read"):
        return []
    widgets = [DashboardWidget("sales_pipeline", _l("My pipeline"), "sales.widget_pipeline", 10)]
    if user.can("sales.report.read"):
        widgets.append(
            DashboardWidget(
                "sales_forecast", _l("This month's forecast"), "sales.widget_forecast", 20
            )
        )
    widgets.append(
        DashboardWidget(
            "sales_overdue_followups", _l("Overdue follow-ups"), "sales.widget_followups", 30
        )
    )
    return widgets


@hookimpl
def trellis_followup_rules():
    from .services.followups import DEFAULT_DAYS, RULE, grade_due, grade_params

    return [
        FollowUpRule(
            RULE,
            _l("Revisit by customer grade (A/B/C/D days)"),
            grade_due,
            grade_params,
            params=tuple(
                RuleParam(
                    grade, _l("Grade %(grade)s: every how many days", grade=grade), default=days
                )
                for grade, days in DEFAULT_DAYS.items()
            ),
        )
    ]


@hookimpl
def trellis_activity_kinds():
    return [ActivityKind("deal_stage", _l("Deal stage change"), icon="flag")]


@hookimpl
def trellis_recycle_conditions():
    from .services.recycle import no_won_deal_customer_ids, no_won_deal_params

    return [
        RecycleCondition(
            "sales_no_won_deal",
            _l("No won deal for M days"),
            no_won_deal_customer_ids,
            no_won_deal_params,
            params=(RuleParam("days", _l("Days without a won deal"), default=180),),
        )
    ]


@hookimpl
def trellis_merge_records(survivor_id, merged_id):
    from .models import Deal, Lead
    from .services.report_cells import recounted

    with recounted(Deal.customer_id == merged_id):
        deals = repoint(Deal, "customer_id", merged_id, survivor_id)
    return deals + repoint(Lead, "customer_id", merged_id, survivor_id)


@hookimpl
def trellis_purge_records(customer_id):
    from .services.recycle import purge_customer

    return purge_customer(customer_id)


@hookimpl
def trellis_transfer_records(from_user_id, to_user_id):
    from .models import Deal, Lead
    from .services.report_cells import recounted

    with recounted(Deal.owner_id == from_user_id):
        deals = repoint(Deal, "owner_id", from_user_id, to_user_id)
    return deals + repoint(Lead, "owner_id", from_user_id, to_user_id)


@hookimpl
def trellis_search(query, user, limit):
    from .views.search import section

    return section(query, user, limit)


#: the sales plugin's heading in the main menu
MENU_SALES = MenuGroup("sales", _l("Sales"), order=20, icon="briefcase")


@hookimpl
def trellis_menu_items(user):
    entries = []
    if user.can("sales.lead.read"):
        entries.append((_l("Leads"), "sales.leads_index", "funnel"))
    if user.can("sales.deal.read"):
        entries += [
            (_l("Deals"), "sales.deals", "handshake"),
            (_l("Follow-ups"), "sales.followups", "calendar-clock"),
            (_l("Products"), "sales.product_list", "package"),
        ]
    if user.can("sales.report.read"):
        entries += [
            (_l("Targets"), "sales.targets", "target"),
            (_l("Commission"), "sales.commission", "percent"),
        ]
    items = [
        MenuItem(label, endpoint, order=n, icon=glyph, group=MENU_SALES)
        for n, (label, endpoint, glyph) in enumerate(entries)
    ]
    if user.can("sales.report.read"):
        items.append(
            MenuItem(
                _l("Sales reports"), "sales.report", order=20, icon="chart-line", group=MENU_REPORTS
            )
        )
    return items


@hookimpl
def trellis_demo_data(locale, customers, users):
    from .demo import load_demo

    load_demo(locale, customers, users)
