"""Hospital (HIS): patient visits (就诊) and recalls (随访) for clinics.

Patients are core customers of kind "person"; registration, orders,
prescriptions and billing come with its issue.
"""

from core.api import (
    ActivityKind,
    CustomerAction,
    CustomerTab,
    FollowUpRule,
    Manifest,
    RuleParam,
    hookimpl,
    translator,
)

from . import (
    declarations,
    hookspecs,  # noqa: F401  (the events other plugins may subscribe to)
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

    return models.MODELS


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
    from .importers import IMPORTERS  # patients from a spreadsheet

    return IMPORTERS


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
        ActivityKind("visit_record", _l("Visit record"), icon="stethoscope"),
        ActivityKind("patient_record", _l("Medical record"), icon="clipboard-list"),
        ActivityKind("his_complaint", _l("Complaint"), icon="message-square"),
    ]


@hookimpl
def trellis_merge_records(survivor_id, merged_id):
    from .services.patients.records import merge_records

    return merge_records(survivor_id, merged_id)


@hookimpl
def trellis_purge_records(customer_id):
    from .services.patients.records import purge_records

    return purge_records(customer_id)


@hookimpl
def trellis_customers_in_care(user):
    from .services.privacy import customers_in_care

    return customers_in_care(user)


@hookimpl
def trellis_customer_veto(customer, action, survivor):
    from .services.patients.records import veto

    return veto(customer, action, survivor)


@hookimpl
def trellis_customers_not_to_contact(customer_ids):
    from .services.patients.records import deceased_among

    return deceased_among(customer_ids)


@hookimpl
def trellis_approvables():
    from .services.billing import approvable  # refunds (退费) are approved

    return [approvable()]


@hookimpl
def trellis_menu_items(user):
    return declarations.menu_items(user)


@hookimpl
def trellis_customer_tabs(customer, user):
    """A Medical record tab on the page of a patient (for who may read
    patients), a Visits tab when they have a visit the user may see."""
    tabs = []
    if user.can("his.patient.read"):
        from .views.patients import medical_record_query

        record = medical_record_query(customer.id)  # listed if the customer is a patient
        tabs.append(
            CustomerTab(
                "medical-record",
                _l("Medical record"),
                "his.customer_patient",
                order=35,
                records=record,
            )
        )
    if user.can("his.visit.read"):
        from .views import patient_visits_query

        visits = patient_visits_query(user, customer.id)  # listed if it finds one
        tabs.append(
            CustomerTab("visits", _l("Visits"), "his.customer_visits", order=40, records=visits)
        )
    return tabs


@hookimpl
def trellis_customer_actions(customer, user):
    """ "Register as patient" in the header of a person who is not yet one."""
    if not user.can("his.patient.write") or customer.kind.value != "person":
        return []
    from flask import url_for

    from .services.patients import patient_of

    if patient_of(customer.id) is not None:
        return []
    url = url_for("his.register_patient", customer_id=customer.id)
    return [CustomerAction(_l("Register as patient"), url, order=45)]


@hookimpl(specname="trellis_customer_actions")
def admit_action(customer, user):
    """ "Admit" in the header of a patient not in hospital (住院)."""
    if not user.can("his.inpatient.write"):
        return []
    from flask import url_for

    from .services.inpatient import open_admission
    from .services.patients import patient_of

    if patient_of(customer.id) is None or open_admission(customer.id) is not None:
        return []
    url = url_for("his.admit", customer_id=customer.id)
    return [CustomerAction(_l("Admit"), url, order=46)]


@hookimpl
def trellis_followup_rules():
    from .recalls import recall_due, recall_params
    from .services import followup

    return [
        FollowUpRule(
            "his_recall",
            _l("Follow-up visit after a visit"),
            recall_due,
            recall_params,
            params=(RuleParam("days_before", _l("Days before the follow-up date"), default=0),),
        ),
        FollowUpRule(
            "his_followup",
            _l("Follow-up visits of a follow-up template"),
            followup.rule_due,
            followup.rule_params,
            params=(RuleParam("template_id", _l("Follow-up template (id)")),),
        ),
    ]


@hookimpl
def trellis_his_visit_closed(visit):
    """A closed visit starts the follow-up plans (随访) of the templates it matches."""
    from .services.followup import plan_after_visit

    plan_after_visit(visit, None)


@hookimpl
def trellis_jobs():
    """The plugin's daily work (one list: add yours here)."""
    from core.api import Job

    from .services.bookings import run_no_show_job
    from .services.followup import run_deceased_job

    return [
        Job(
            "his.no_shows",
            _l("Mark yesterday's bookings not checked in as no-shows; suspend online booking"),
            run_no_show_job,
            1440,
        ),
        Job(
            "his.followup_deceased",
            _l("Stop the follow-up plans of deceased patients"),
            run_deceased_job,
            1440,
        ),
    ]


@hookimpl(specname="trellis_his_visit_closed")
def survey_after_closed_visit(visit):
    """A satisfaction survey for the patient of a visit just closed."""
    from .services.feedback import survey_after_visit

    survey_after_visit(visit)


@hookimpl
def trellis_dashboard_widgets(user):
    """Today's registrations and waiting patients; today's revenue."""
    from .views.reports import dashboard_widgets

    return dashboard_widgets(user)


@hookimpl
def trellis_demo_data(locale, customers, users):
    from .demo import load_demo

    load_demo(locale, customers, users)


@hookimpl(specname="trellis_timeline_links")
def billing_timeline_links(link_type, ids, user):
    """A payment's and a refund's timeline entries lead to the receipt."""
    from .services.billing.links import receipt_links

    return receipt_links(link_type, ids, user)
