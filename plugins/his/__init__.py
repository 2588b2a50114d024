"""Hospital (HIS): patient visits (就诊) and recalls (随访) for clinics.

Patients are core customers of kind "person"; registration, orders,
prescriptions and billing come with its issue.
"""

from core.api import (
    ActivityKind,
    CustomerTab,
    FollowUpRule,
    Manifest,
    MenuGroup,
    MenuItem,
    Permission,
    RuleParam,
    delete_rows,
    hookimpl,
    repoint,
    translator,
)

_, _l = translator("his")

manifest = Manifest(
    name="his",
    version="0.1.0",
    title=_l("Hospital"),
    description=_l("Patient visits and follow-up visits for clinics and hospitals."),
)


@hookimpl
def trellis_models():
    from . import models

    return [models.Visit]


@hookimpl
def trellis_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def trellis_permissions():
    return [
        Permission("his.visit.read", _l("View visits"), default_roles=("manager",)),
        Permission("his.visit.write", _l("Record visits"), default_roles=("manager",)),
        Permission("his.admin", _l("Administer the hospital module")),
    ]


@hookimpl
def trellis_activity_kinds():
    return [ActivityKind("visit_record", _l("Visit record"), icon="stethoscope")]


@hookimpl
def trellis_merge_records(survivor_id, merged_id):
    from .models import Visit

    return repoint(Visit, "customer_id", merged_id, survivor_id)


@hookimpl
def trellis_purge_records(customer_id):
    from .models import Visit

    return delete_rows(Visit, "customer_id", customer_id)


#: the plugin's heading in the main menu
MENU_HOSPITAL = MenuGroup("hospital", _l("Hospital"), order=50, icon="hospital")


@hookimpl
def trellis_menu_items(user):
    if not user.can("his.visit.read"):
        return []
    return [MenuItem(_l("Visits"), "his.visits", order=1, icon="stethoscope", group=MENU_HOSPITAL)]


@hookimpl
def trellis_customer_tabs(customer, user):
    """A Visits tab on the page of a patient with a visit the user may see."""
    if not user.can("his.visit.read"):
        return []
    from .views import patient_visits_query

    visits = patient_visits_query(user, customer.id)  # listed if it finds one
    return [CustomerTab("visits", _l("Visits"), "his.customer_visits", order=40, records=visits)]


@hookimpl
def trellis_followup_rules():
    from .recalls import recall_due, recall_params

    return [
        FollowUpRule(
            "his_recall",
            _l("Follow-up visit after a visit"),
            recall_due,
            recall_params,
            params=(RuleParam("days_before", _l("Days before the follow-up date"), default=0),),
        )
    ]


@hookimpl
def trellis_demo_data(locale, customers, users):
    from .demo import load_demo

    load_demo(locale, customers, users)
