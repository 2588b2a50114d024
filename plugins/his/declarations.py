"""What the hospital plugin declares to core, as data: its permissions, the
clinical roles it ships (doctor, nurse, registration clerk, cashier) and its
menu (``__init__`` hands them over from its hooks).

A doctor's and a nurse's scope is their team — a department's staff are its
core team — so they see the patients of their department, and, holding
``his.care``, the patients in their care of any department
(``services/privacy/care.py``); the registration clerk and the cashier
serve every department."""

from __future__ import annotations

from dataclasses import replace

from core.api import MenuGroup, MenuItem, Permission, RoleTemplate, translator

_, _l = translator("his")

DOCTOR, NURSE, CLERK, CASHIER = "his_doctor", "his_nurse", "his_registrar", "his_cashier"
CLINICAL = (DOCTOR, NURSE)
DESK = (CLERK, CASHIER)

PERMISSIONS = (
    Permission(
        "his.patient.read", _l("View patients"), default_roles=("manager", *CLINICAL, *DESK)
    ),
    Permission(
        "his.patient.write",
        _l("Register and edit patients"),
        default_roles=("manager", *CLINICAL, CLERK),
    ),
    Permission(
        "his.patient.pii",
        _l("Read patients' national ID numbers in full"),
        default_roles=("manager", CLERK),
    ),
    Permission(
        "his.booking.read",
        _l("View clinic sessions and bookings"),
        default_roles=("manager", *CLINICAL, *DESK),
    ),
    Permission(
        "his.booking.write",
        _l("Book, check in and cancel registrations"),
        default_roles=("manager", NURSE, CLERK),
    ),
    Permission(
        "his.schedule.write", _l("Plan and stop clinic sessions"), default_roles=("manager",)
    ),
    Permission("his.visit.read", _l("View visits"), default_roles=("manager", *CLINICAL)),
    Permission("his.visit.write", _l("Record visits"), default_roles=("manager", DOCTOR)),
    Permission(
        "his.result.write", _l("Enter examination results"), default_roles=("manager", *CLINICAL)
    ),
    Permission(
        "his.followup.read", _l("View follow-up visits"), default_roles=("manager", *CLINICAL)
    ),
    Permission(
        "his.followup.write",
        _l("Call patients and record follow-up visits"),
        default_roles=("manager", *CLINICAL),
    ),
    Permission(
        "his.care",
        _l(
            "Care for patients: also see the patients of one's own and one's department's "
            "visits and registrations, whichever department they belong to"
        ),
        default_roles=CLINICAL,
    ),
    Permission(
        "his.break_glass",
        _l("Open a patient's record outside one's care, with a reason (break the glass)"),
        default_roles=(DOCTOR,),
    ),
    Permission(
        "his.billing.read", _l("View charges and payments"), default_roles=("manager", *DESK)
    ),
    Permission(
        "his.billing.write",
        _l("Take payments, pay out refunds and close the day"),
        default_roles=("manager", CASHIER),
    ),
    Permission("his.billing.refund", _l("Ask for refunds"), default_roles=("manager", CASHIER)),
    Permission(
        "his.feedback.read",
        _l("View satisfaction surveys and complaints"),
        default_roles=("manager", CLERK, DOCTOR),
    ),
    Permission(
        "his.feedback.write", _l("Record and handle complaints"), default_roles=("manager", CLERK)
    ),
    Permission(
        "his.report.read",
        _l("View hospital reports (a doctor: their department's)"),
        default_roles=("manager", DOCTOR),
    ),
    Permission(
        "his.inpatient.read",
        _l("View wards, beds and admissions"),
        default_roles=("manager", *CLINICAL),
    ),
    Permission(
        "his.inpatient.write",
        _l("Admit, transfer and discharge patients"),
        default_roles=("manager", *CLINICAL),
    ),
    Permission("his.admin", _l("Administer the hospital module")),
)

ROLES = (
    RoleTemplate(DOCTOR, _l("Doctor"), "team", ("customer.read",)),
    RoleTemplate(NURSE, _l("Nurse"), "team", ("customer.read",)),
    RoleTemplate(CLERK, _l("Registration clerk"), "all", ("customer.read", "customer.write")),
    RoleTemplate(CASHIER, _l("Cashier"), "all", ("customer.read",)),
)

#: the plugin's heading in the main menu
MENU_HOSPITAL = MenuGroup("hospital", _l("Hospital"), order=50, icon="hospital")


def billing_menu_items(user) -> list[MenuItem]:
    """The cashier's entries: the desk, refunds, my settlement; the price list."""
    entries = []
    if user.can("his.billing.write"):
        entries.append(MenuItem(_l("Cashier desk"), "his.cashier", order=10, icon="banknote"))
        entries.append(MenuItem(_l("My settlement"), "his.my_settlement", order=11, icon="wallet"))
    if user.can("his.billing.read"):
        entries.append(MenuItem(_l("Refunds"), "his.refunds", order=11, icon="receipt"))
    if user.can("his.admin"):
        entries.append(MenuItem(_l("Price list"), "his.price_items", order=13, icon="tags"))
    return entries


def menu_items(user) -> list[MenuItem]:
    """The Hospital menu entries ``user`` may open."""
    entries = []
    if user.can("his.patient.read"):
        entries.append(MenuItem(_l("Patients"), "his.patients", order=1, icon="users"))
    if user.can("his.visit.read"):
        entries.append(MenuItem(_l("Visits"), "his.visits", order=5, icon="stethoscope"))
    if user.can("his.booking.read"):
        entries.append(MenuItem(_l("Schedule"), "his.schedule", order=3, icon="calendar-days"))
        entries.append(MenuItem(_l("Departments"), "his.departments", order=8, icon="building-2"))
    if user.can("his.booking.write"):
        entries.append(
            MenuItem(_l("Registration"), "his.registration", order=2, icon="clipboard-list")
        )
    if user.can("his.booking.read"):
        entries.append(
            MenuItem(_l("Day of registrations"), "his.bookings", order=4, icon="list-todo")
        )
    if user.can("his.visit.write"):
        entries.append(MenuItem(_l("My queue"), "his.my_queue", order=6, icon="timer"))
        entries.append(MenuItem(_l("Workbench"), "his.workbench", order=6, icon="heart-pulse"))
    if user.can("his.inpatient.read"):
        entries.append(MenuItem(_l("Wards"), "his.wards", order=7, icon="bed-double"))
    if user.can("his.followup.read"):
        entries.append(MenuItem(_l("My follow-ups"), "his.my_followups", order=7, icon="phone"))
    if user.can("his.admin"):
        entries.append(
            MenuItem(
                _l("Follow-up templates"),
                "his.followup_templates",
                order=9,
                icon="sliders-horizontal",
            )
        )
    if user.can("his.admin"):
        entries.append(
            MenuItem(_l("Break-the-glass review"), "his.glass_review", order=12, icon="shield")
        )
    if user.can("his.admin"):
        entries.append(MenuItem(_l("Formulary"), "his.drugs", order=12, icon="pill"))
    if user.can("his.result.write"):
        entries.append(
            MenuItem(_l("Import results"), "his.import_results", order=12, icon="upload")
        )
    if user.can("his.feedback.read"):
        entries.append(MenuItem(_l("Satisfaction"), "his.surveys", order=13, icon="chart-pie"))
        entries.append(
            MenuItem(_l("Complaints"), "his.complaints", order=14, icon="message-square")
        )
    if user.can("his.report.read"):
        entries.append(
            MenuItem(_l("Hospital reports"), "his.reports", order=15, icon="chart-column")
        )
    entries.extend(billing_menu_items(user))
    return [replace(item, group=MENU_HOSPITAL) for item in sorted(entries, key=lambda i: i.order)]
