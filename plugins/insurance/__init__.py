"""Insurance: policies (保单), and renewals (续保) as a rule of core's
follow-up engine. Claims, beneficiaries and commissions come with its issue."""

from core.api import (
    ActivityKind,
    CustomerTab,
    FollowUpRule,
    Manifest,
    MenuGroup,
    MenuItem,
    Permission,
    RuleParam,
    Searchable,
    delete_rows,
    hookimpl,
    repoint,
    translator,
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
    from . import models

    return [models.Policy]


@hookimpl
def trellis_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def trellis_permissions():
    return [
        Permission("insurance.policy.read", _l("View policies"), default_roles=("manager",)),
        Permission(
            "insurance.policy.write", _l("Create and edit policies"), default_roles=("manager",)
        ),
        Permission("insurance.admin", _l("Administer insurance")),
    ]


@hookimpl
def trellis_searchables():
    from .models import Policy

    return [Searchable("insurance.policy", Policy, ("number",))]


@hookimpl
def trellis_activity_kinds():
    return [ActivityKind("policy", _l("Policy"), icon="shield")]


@hookimpl
def trellis_merge_records(survivor_id, merged_id):
    from .models import Policy

    return repoint(Policy, "customer_id", merged_id, survivor_id)


@hookimpl
def trellis_purge_records(customer_id):
    from .models import Policy

    return delete_rows(Policy, "customer_id", customer_id)


@hookimpl
def trellis_transfer_records(from_user_id, to_user_id):
    from .models import Policy

    return repoint(Policy, "agent_id", from_user_id, to_user_id)


#: the plugin's heading in the main menu
MENU_INSURANCE = MenuGroup("insurance", _l("Insurance"), order=40, icon="shield")


@hookimpl
def trellis_menu_items(user):
    if not user.can("insurance.policy.read"):
        return []
    return [
        MenuItem(
            _l("Policies"), "insurance.policies", order=1, icon="file-text", group=MENU_INSURANCE
        )
    ]


@hookimpl
def trellis_customer_tabs(customer, user):
    """A Policies tab on the page of a customer who holds a policy the user may see."""
    if not user.can("insurance.policy.read"):
        return []
    from .views import customer_policies_query

    policies = customer_policies_query(user, customer.id)  # listed if it finds one
    return [
        CustomerTab(
            "policies", _l("Policies"), "insurance.customer_policies", order=30, records=policies
        )
    ]


@hookimpl
def trellis_followup_rules():
    from .renewals import renewal_due, renewal_params

    return [
        FollowUpRule(
            "insurance_renewal",
            _l("Renewal before a policy ends"),
            renewal_due,
            renewal_params,
            params=(RuleParam("days_before", _l("Days before the policy ends"), default=30),),
        )
    ]


@hookimpl
def trellis_demo_data(locale, customers, users):
    from .demo import load_demo

    load_demo(locale, customers, users)
