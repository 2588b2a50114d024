"""Sales: leads, pipelines and deals (商机).

This package is also the example plugin integrators copy: the manifest and
every hook implementation live here (what it declares as data — permissions,
roles, menu entries — in :mod:`.declarations`); the rest sits in the subpackages
every built-in plugin has — ``models``, ``schemas``, ``services`` (the
business rules), ``api`` and ``views`` (the blueprints), ``demo`` — and is
imported lazily, so a disabled plugin costs nothing and adds no tables.
"""

from flask import url_for

from core.api import (
    ActivityKind,
    CustomerAction,
    CustomerColumn,
    CustomerTab,
    DashboardWidget,
    FollowUpRule,
    Job,
    Manifest,
    RecycleCondition,
    RuleParam,
    Searchable,
    hookimpl,
    repoint,
    translator,
)

from . import (
    declarations,
    hookspecs,  # noqa: F401  (the events other plugins may subscribe to)
)

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
        models.Quote,
        models.QuoteLine,
        models.Contract,
        models.ContractAmendment,
        models.Instalment,
        models.Payment,
        models.BillingProfile,
        models.Invoice,
    ]


@hookimpl
def trellis_settings_schema():
    from .schemas.settings import SalesSettings  # quote and contract number patterns

    return SalesSettings


@hookimpl
def trellis_blueprints():
    from .views import bp  # every page module's routes join it

    return [bp]


@hookimpl
def trellis_permissions():
    return list(declarations.PERMISSIONS)


@hookimpl
def trellis_roles():
    return list(declarations.ROLES)


@hookimpl
def trellis_importers():
    from .importers import IMPORTERS  # leads and products from a spreadsheet

    return IMPORTERS


@hookimpl
def trellis_searchables():
    from .models import Deal, Lead

    return [
        Searchable("sales.deal", Deal, ("title",)),
        Searchable("sales.lead", Lead, ("name", "company", "phone", "email")),
    ]


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
def trellis_approvables():
    from .services.approvals import approvable
    from .services.contracts.approvals import approvable as contract_approvable
    from .services.quotes.approval import approvable as quote_approvable
    from .services.receivables.approval import approvable as payment_approvable

    return [approvable(), quote_approvable(), contract_approvable(), payment_approvable()]


@hookimpl
def trellis_jobs():
    """The plugin's daily work (one list: add yours here)."""
    from .services.contracts.lifecycle import activate_started
    from .services.quotes.lifecycle import expire_quotes
    from .services.receivables.collections import run_overdue_job

    return [
        Job("sales.expire_quotes", _l("Expire quotes past their validity"), expire_quotes, 1440),
        Job(
            "sales.start_contracts",
            _l("Start signed contracts on their start date"),
            lambda: activate_started(),
            60,
        ),
        Job(
            "sales.overdue_collections",
            _l("Create a follow-up task for each overdue instalment"),
            run_overdue_job,
            1440,
        ),
    ]


@hookimpl
def trellis_approval_submitted(request):
    if request.record_type == "sales.contract":  # submitted through core's approvals API
        from .services.contracts.approvals import mark_waiting

        mark_waiting(request)


@hookimpl
def trellis_api_blueprints():
    from .api import bp  # every resource module's routes join it

    return [bp]


@hookimpl
def trellis_customer_tabs(customer, user):
    tabs = []
    if user.can("sales.deal.read"):
        tabs.append(CustomerTab("deals", _l("Deals"), "sales.customer_deals", order=10))
    if user.can("sales.contract.read"):  # listed when the user may see one of its contracts
        from .services.contracts.queries import customer_contracts

        tabs.append(
            CustomerTab(
                "contracts",
                _l("Contracts"),
                "sales.customer_contracts_tab",
                order=30,
                records=customer_contracts(user, customer.id),
            )
        )
    if user.can("customer.read"):  # whoever sees the customer sees how it is invoiced
        tabs.append(
            CustomerTab("billing", _l("Billing details"), "sales.customer_billing", order=60)
        )
    return tabs


@hookimpl
def trellis_customer_actions(customer, user):
    actions = []
    if user.can("sales.deal.write"):
        actions.append(
            CustomerAction(
                _l("New deal"), url_for("sales.new_deal", customer_id=customer.id), order=10
            )
        )
    if user.can("sales.contract.write"):
        actions.append(
            CustomerAction(
                _l("New contract"), url_for("sales.new_contract", customer_id=customer.id), order=30
            )
        )
    return actions


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
    """Deal, quote, contract, payment and invoice entries link to their page
    for whoever may open it, and are left out for the others; a converted
    lead's history stays as it is: it is the customer's now."""
    from .services.timeline import timeline_urls

    return timeline_urls(link_type, ids, user)


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
    if user.can("sales.payment.read"):
        widgets.append(
            DashboardWidget(
                "sales_overdue_collections",
                _l("Overdue collections"),
                "sales.widget_collections",
                40,
            )
        )
    return widgets


@hookimpl
def trellis_followup_rules():
    from .services.contracts import expiry
    from .services.followups import DEFAULT_DAYS, RULE, grade_due, grade_params

    return [
        FollowUpRule(
            expiry.RULE,
            _l("Contract expiring: N days before its end"),
            expiry.expiring_due,
            expiry.expiring_params,
            params=(
                RuleParam("days", _l("Days before the end date"), default=expiry.DEFAULT_DAYS),
            ),
        ),
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
        ),
    ]


@hookimpl
def trellis_activity_kinds():
    return [
        ActivityKind("deal_stage", _l("Deal stage change"), icon="flag"),
        ActivityKind("contract", _l("Contract"), icon="file-signature"),
        ActivityKind("sales_payment", _l("Payment"), icon="banknote"),
    ]


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
    from .services.contracts.records import merge_money_records
    from .services.report_cells import recounted

    with recounted(Deal.customer_id == merged_id):
        deals = repoint(Deal, "customer_id", merged_id, survivor_id)
    money = merge_money_records(survivor_id, merged_id)  # quotes, contracts, payments…
    return deals + money + repoint(Lead, "customer_id", merged_id, survivor_id)


@hookimpl
def trellis_purge_records(customer_id):
    from .services.recycle import purge_customer

    return purge_customer(customer_id)


@hookimpl
def trellis_transfer_records(from_user_id, to_user_id):
    from sqlalchemy import select

    from .models import Contract, Deal, Lead, Payment
    from .services.contracts.records import transfer_money_records
    from .services.report_cells import recounted, recounted_money

    with recounted(Deal.owner_id == from_user_id):
        deals = repoint(Deal, "owner_id", from_user_id, to_user_id)
    theirs = Contract.owner_id == from_user_id  # the open ones move; the cells follow them
    with recounted_money(
        payments=Payment.contract_id.in_(select(Contract.id).where(theirs)), contracts=theirs
    ):
        money = transfer_money_records(from_user_id, to_user_id)  # open quotes and contracts
    return deals + money + repoint(Lead, "owner_id", from_user_id, to_user_id)


@hookimpl
def trellis_search(query, user, limit):
    from .views.search import section

    return section(query, user, limit)


@hookimpl
def trellis_menu_items(user):
    return declarations.menu_items(user)


@hookimpl
def trellis_demo_data(locale, customers, users):
    from .demo import load_demo

    load_demo(locale, customers, users)
