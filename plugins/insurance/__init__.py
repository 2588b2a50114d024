"""Insurance: a book of business for agencies, brokers and small insurers —
carriers and products, policies by term with their transactions (保单,
批改, 续保), premiums and lapses, claims (理赔), agents and commission.

Anatomy: ``models/`` (the tables, by concern), ``services/`` (the rules;
``states.py`` the policy's and the claim's state tables), ``declarations``
(permissions, roles, menu), ``hookspecs`` (the events other plugins hear),
``views`` and ``templates/`` (pages), ``renewals`` (the renewal follow-up
rule), ``importers`` (a policy book from another system), ``demo``,
``migrations/``, ``tests/``."""

from core.api import (
    ActivityKind,
    CustomerAction,
    CustomerTab,
    FollowUpRule,
    Job,
    Manifest,
    RuleParam,
    Searchable,
    hookimpl,
    translator,
)

from . import (
    declarations,
    hookspecs,  # noqa: F401  (the events other plugins may subscribe to)
)

_, _l = translator("insurance")

manifest = Manifest(
    name="insurance",
    version="0.1.0",
    title=_l("Insurance"),
    description=_l("Policies, policyholders and renewals for insurance agencies."),
)


@hookimpl
def trellis_models():
    from .models import MODELS
    from .services import report_cells  # noqa: F401  (keeps the report cells in step)

    return MODELS


@hookimpl
def trellis_cli_commands():
    from .services.report_cells.command import insurance  # trellis insurance rebuild-cells

    return [insurance]


@hookimpl
def trellis_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def trellis_api_blueprints():
    from .api import bp  # every resource module's routes join it

    return [bp]


@hookimpl
def trellis_permissions():
    return list(declarations.PERMISSIONS)


@hookimpl
def trellis_roles():
    return list(declarations.ROLES)


@hookimpl
def trellis_importers():
    from .importers import IMPORTERS  # a policy book from another system

    return IMPORTERS


@hookimpl
def trellis_searchables():
    from .models import Person, Policy

    return [
        Searchable("insurance.policy", Policy, ("number", "quote_number")),
        # scoped by the list that asks (visible_persons + search_match)
        Searchable("insurance.person", Person, ("name",)),
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
def trellis_activity_kinds():
    return [
        ActivityKind("policy", _l("Policy"), icon="shield"),
        ActivityKind("insurance_claim", _l("Claim"), icon="file-text"),
        ActivityKind("insurance_payment", _l("Premium payment"), icon="banknote"),
    ]


@hookimpl
def trellis_merge_records(survivor_id, merged_id):
    from .services.records import merge_records

    return merge_records(survivor_id, merged_id)


@hookimpl
def trellis_purge_records(customer_id):
    from .services.records import purge_records

    return purge_records(customer_id)


@hookimpl
def trellis_customer_veto(customer, action, survivor):
    from .services.records import veto

    return veto(customer, action)


@hookimpl
def trellis_transfer_records(from_user_id, to_user_id):
    from .services.records import transfer_records

    return transfer_records(from_user_id, to_user_id)


@hookimpl
def trellis_menu_items(user):
    return declarations.menu_items(user)


@hookimpl
def trellis_customer_tabs(customer, user):
    """A Policies tab on the page of a customer who holds a policy the user
    may see; a Claims tab when they hold a claim or a policy to claim on."""
    tabs = []
    if user.can("insurance.policy.read"):
        from .views import customer_policies_query

        policies = customer_policies_query(user, customer.id)  # listed if it finds one
        tabs.append(
            CustomerTab(
                "policies",
                _l("Policies"),
                "insurance.customer_policies",
                order=30,
                records=policies,
            )
        )
    if user.can("insurance.claim.read"):
        from .views.claims import claims_tab

        tabs.append(claims_tab(customer, user))
    return tabs


@hookimpl
def trellis_customer_actions(customer, user):
    """ "New quote" in the customer page's header for who may quote (the
    Policies tab shows only for a customer who holds a policy)."""
    if not user.can("insurance.policy.write"):
        return []
    from flask import url_for

    return [
        CustomerAction(
            _l("New quote"), url_for("insurance.new_quote", customer_id=customer.id), order=40
        )
    ]


@hookimpl
def trellis_followup_rules():
    from .renewals import renewal_due, renewal_params
    from .services.policies.callbacks import callback_due, callback_params

    return [
        FollowUpRule(
            "insurance_renewal",
            _l("Renewal before a policy ends"),
            renewal_due,
            renewal_params,
            params=(RuleParam("days_before", _l("Days before the policy ends"), default=30),),
        ),
        FollowUpRule(
            "insurance_callback",
            _l("Callback after a policy is issued"),
            callback_due,
            callback_params,
            params=(
                RuleParam("days_after_issue", _l("Days after the policy is issued"), default=3),
            ),
        ),
    ]


@hookimpl
def trellis_jobs():
    """The plugin's daily work (one list: add yours here)."""
    from .services.commission.agent_statements import run_agent_statements_job
    from .services.persistency import mark_persistency
    from .services.policies.successors import run_continue_terms
    from .services.premiums.arrears import run_arrears_job

    return [
        Job(
            "insurance.continue_terms",
            _l("Issue the next policy year of auto-renewing life policies"),
            run_continue_terms,
            1440,
        ),
        Job(
            "insurance.arrears",
            _l("Move overdue policies into grace, lapse them, expire ended terms and quotes"),
            run_arrears_job,
            1440,
        ),
        Job(
            "insurance.persistency",
            _l("Mark policies kept or not at 13 and 25 months (persistency)"),
            lambda: mark_persistency(),
            1440,
        ),
        Job(
            "insurance.agent_statements",
            _l("Draft last month's agent commission statements (on the 1st)"),
            run_agent_statements_job,
            1440,
        ),
    ]


@hookimpl
def trellis_dashboard_widgets(user):
    from .views.widgets import dashboard_widgets

    return dashboard_widgets(user)


@hookimpl
def trellis_timeline_links(link_type, ids, user):
    from .services.timeline import timeline_links

    return timeline_links(link_type, ids, user)


@hookimpl
def trellis_demo_data(locale, customers, users):
    from .demo import load_demo

    load_demo(locale, customers, users)


@hookimpl(optionalhook=True)
def trellis_his_coverage(customer_id, on, charges):
    """A hospital plugin's cashier asks what a health policy covers (the
    hospital plugin is optional: see ``services/coverage``)."""
    from .services.coverage import outpatient_coverage

    return outpatient_coverage(customer_id, on, charges)


@hookimpl(optionalhook=True)
def trellis_his_payment_taken(payment):
    """A hospital payment with this plugin's insurance share becomes an
    outpatient claim, in the payment's transaction."""
    from .services.coverage import record_outpatient_claim

    record_outpatient_claim(payment)


@hookimpl(optionalhook=True)
def trellis_his_refund_paid(refund, charges):
    """A hospital refund takes its covered charges off the outpatient claim."""
    from .services.coverage import give_back

    give_back(refund, charges)
