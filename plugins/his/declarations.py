"""What the hospital plugin declares to core, as data: its permissions, the
clinical roles it ships (doctor, nurse, registration clerk, cashier) and its
menu (``__init__`` hands them over from its hooks).

A doctor's and a nurse's scope is their team — a department's staff are its
core team — so they see the patients of their department; the registration
clerk and the cashier serve every department."""

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
    return [replace(item, group=MENU_HOSPITAL) for item in sorted(entries, key=lambda i: i.order)]
