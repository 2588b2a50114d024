"""What the sales plugin declares to core, as data: its permissions, the
finance role it ships and its menu entries (``__init__`` hands them over
from its hooks)."""

from __future__ import annotations

from core.api import MENU_REPORTS, MenuGroup, MenuItem, Permission, RoleTemplate, translator

_, _l = translator("sales")

PERMISSIONS = (
    Permission("sales.lead.read", _l("View leads"), default_roles=("manager", "sales")),
    Permission(
        "sales.lead.write",
        _l("Capture, convert and disqualify leads"),
        default_roles=("manager", "sales"),
    ),
    Permission("sales.deal.read", _l("View deals"), default_roles=("manager", "sales")),
    Permission("sales.deal.write", _l("Create and edit deals"), default_roles=("manager", "sales")),
    Permission("sales.deal.export", _l("Export deals (CSV, XLSX)"), default_roles=("manager",)),
    Permission("sales.report.read", _l("View sales reports"), default_roles=("manager", "sales")),
    Permission("sales.admin", _l("Administer pipelines")),
    Permission(
        "sales.target.write", _l("Set targets and commission rules"), default_roles=("manager",)
    ),
    Permission("sales.quote.read", _l("View quotes"), default_roles=("manager", "sales")),
    Permission(
        "sales.quote.write",
        _l("Create, send and decide quotes"),
        default_roles=("manager", "sales"),
    ),
    Permission("sales.contract.read", _l("View contracts"), default_roles=("manager", "sales")),
    Permission(
        "sales.contract.write",
        _l("Create, sign and amend contracts"),
        default_roles=("manager", "sales"),
    ),
    Permission(
        "sales.payment.read",
        _l("View receivable plans and payments"),
        default_roles=("manager", "sales"),
    ),
    Permission(
        "sales.payment.write",
        _l("Set receivable plans, record and reverse payments"),
        default_roles=("manager", "sales"),
    ),
    Permission("sales.invoice.read", _l("View invoices"), default_roles=("manager", "sales")),
    Permission("sales.invoice.write", _l("Request invoices"), default_roles=("manager", "sales")),
    Permission(
        "sales.invoice.issue", _l("Issue and cancel invoices"), default_roles=("manager", "finance")
    ),
)

#: 财务: sees every customer's contracts, payments and invoices, and issues the
#: invoices (``sales.invoice.issue`` names it in ``default_roles``); edits none
ROLES = (
    RoleTemplate(
        "finance",
        _l("Finance"),
        "all",
        ("customer.read", "sales.contract.read", "sales.payment.read", "sales.invoice.read"),
    ),
)

#: the sales plugin's heading in the main menu
MENU_SALES = MenuGroup("sales", _l("Sales"), order=20, icon="briefcase")


def menu_items(user) -> list[MenuItem]:
    """The Sales menu group's entries ``user`` may open, and the two reports."""
    entries = []
    if user.can("sales.lead.read"):
        entries.append((_l("Leads"), "sales.leads_index", "funnel"))
    if user.can("sales.deal.read"):
        entries += [
            (_l("Deals"), "sales.deals", "handshake"),
            (_l("Follow-ups"), "sales.followups", "calendar-clock"),
            (_l("Products"), "sales.product_list", "package"),
        ]
    if user.can("sales.quote.read"):
        entries.append((_l("Quotes"), "sales.quotes", "file-text"))
    if user.can("sales.contract.read"):
        entries.append((_l("Contracts"), "sales.contracts", "file-signature"))
    if user.can("sales.payment.read"):
        entries.append((_l("Collections"), "sales.collections", "wallet"))
    if user.can("sales.invoice.read") or user.can("sales.invoice.issue"):
        entries.append((_l("Invoices"), "sales.invoices", "receipt"))
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
        items.append(
            MenuItem(
                _l("Money reports"),
                "sales.money_report",
                order=21,
                icon="chart-column",
                group=MENU_REPORTS,
            )
        )
    return items
