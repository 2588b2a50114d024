"""What the insurance plugin declares to core, as data: its permissions,
the two roles it ships (the agent who sells and keeps a book, the claims
assessor) and its menu (``__init__`` hands them over from its hooks)."""

from __future__ import annotations

from dataclasses import replace

from core.api import MenuGroup, MenuItem, Permission, RoleTemplate, translator

_, _l = translator("insurance")

AGENT, ASSESSOR = "insurance_agent", "claims_assessor"

PERMISSIONS = (
    Permission("insurance.policy.read", _l("View policies"), default_roles=("manager", AGENT)),
    Permission(
        "insurance.policy.write",
        _l("Quote, bind, endorse, renew and cancel policies"),
        default_roles=("manager", AGENT),
    ),
    Permission(
        "insurance.policy.issue", _l("Issue and reinstate policies"), default_roles=("manager",)
    ),
    Permission(
        "insurance.policy.pay", _l("Record premium payments"), default_roles=("manager", AGENT)
    ),
    Permission("insurance.policy.export", _l("Export policies (CSV)"), default_roles=("manager",)),
    Permission(
        "insurance.claim.read", _l("View claims"), default_roles=("manager", AGENT, ASSESSOR)
    ),
    Permission(
        "insurance.claim.write",
        _l("Report claims and add their documents"),
        default_roles=("manager", AGENT, ASSESSOR),
    ),
    Permission(
        "insurance.claim.assess",
        _l("Assess, decide and pay claims"),
        default_roles=("manager", ASSESSOR),
    ),
    Permission(
        "insurance.claim.exception",
        _l("Accept a claim the policy did not cover, as a recorded exception"),
        default_roles=("manager",),
    ),
    Permission(
        "insurance.commission.read", _l("View commission"), default_roles=("manager", AGENT)
    ),
    Permission(
        "insurance.commission.write",
        _l("Set commission rules and import carrier statements"),
        default_roles=("manager",),
    ),
    Permission(
        "insurance.report.read", _l("View insurance reports"), default_roles=("manager", AGENT)
    ),
    Permission(
        "insurance.pii.read",
        _l("Read national ID numbers in full"),
        default_roles=("manager", ASSESSOR),
    ),
    Permission("insurance.admin", _l("Administer carriers, products and agents")),
)

ROLES = (
    RoleTemplate(AGENT, _l("Insurance agent"), "own", ("customer.read", "customer.write")),
    RoleTemplate(ASSESSOR, _l("Claims assessor"), "all", ("customer.read",)),
)

#: the plugin's heading in the main menu
MENU_INSURANCE = MenuGroup("insurance", _l("Insurance"), order=40, icon="shield")


def menu_items(user) -> list[MenuItem]:
    """The Insurance menu entries ``user`` may open."""
    entries = []
    if user.can("insurance.policy.read"):
        entries += [
            MenuItem(_l("Policies"), "insurance.policies", order=1, icon="file-text"),
            MenuItem(_l("Products"), "insurance.products", order=5, icon="package"),
            MenuItem(_l("Carriers"), "insurance.carriers", order=6, icon="building-2"),
            MenuItem(_l("Agents"), "insurance.agents_list", order=7, icon="user-check"),
            MenuItem(_l("Households"), "insurance.households", order=9, icon="users"),
            MenuItem(_l("Cross-sell"), "insurance.cross_sell", order=10, icon="target"),
            MenuItem(_l("Overdue premiums"), "insurance.overdue", order=3, icon="wallet"),
            MenuItem(_l("Renewals"), "insurance.renewals", order=4, icon="calendar-clock"),
        ]
    if user.can("insurance.claim.read"):
        entries.append(MenuItem(_l("Claims"), "insurance.claims", order=2, icon="shield-check"))
    if user.can("insurance.commission.read"):
        entries += [
            MenuItem(_l("Agent commission"), "insurance.commission", order=11, icon="banknote"),
            MenuItem(_l("Leaderboard"), "insurance.leaderboard", order=12, icon="gauge"),
        ]
    if user.can("insurance.commission.write"):
        entries += [
            MenuItem(
                _l("Carrier statements"), "insurance.carrier_statements", order=13, icon="receipt"
            ),
            MenuItem(
                _l("Commission rates"), "insurance.commission_rules", order=14, icon="percent"
            ),
        ]
    if user.can("insurance.report.read"):
        entries.append(
            MenuItem(_l("Insurance reports"), "insurance.reports", order=8, icon="chart-column")
        )
    return [replace(item, group=MENU_INSURANCE) for item in sorted(entries, key=lambda i: i.order)]
