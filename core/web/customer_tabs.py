"""The tabs of a customer's page: core's (overview, timeline, follow-ups),
then the plugins' (``trellis_customer_tabs``), and the HTML of one tab's
panel.

The page renders only the chosen tab's panel (``?tab=timeline``, so a
reload, a shared link and the back button show the same tab, with or
without JavaScript); the others load on demand from
``/customers/<id>/tab/<key>``. Both go through :func:`panel_html`, after the
same checks: the customer is one the user may see, and the tab is one
listed for them — a plugin lists a tab only for users who may open it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import render_template
from sqlalchemy import exists, select

from core.custom_fields import definitions_for
from core.declarations import CustomerTab
from core.extensions import db
from core.i18n import _l
from core.models import Activity, Customer, User
from core.registry import sorted_items
from core.services.activities import timeline_links, timeline_query, visible_timeline
from core.web.consents import consent_panel

#: the tab a page without ``?tab=`` (or with an unknown one) shows
DEFAULT_TAB = "overview"
#: the open follow-ups a tab lists at most, soonest due first
FOLLOW_UPS_SHOWN = 100


@dataclass(frozen=True)
class Tab:
    """One tab of the page: ``endpoint`` is the plugin's view that renders
    its panel (called with ``customer_id``), ``None`` for core's tabs."""

    key: str
    label: Any
    endpoint: str | None = None


CORE_TABS = (
    Tab("overview", _l("Overview")),
    Tab("timeline", _l("Timeline")),
    Tab("follow-ups", _l("Follow-ups")),
    Tab("consent", _l("Consent")),
)


def customer_tabs(customer: Customer, user: User) -> dict[str, Tab]:
    """The tabs ``user`` sees on ``customer``'s page, by key, in order: core's,
    then the plugins' sorted by ``order`` (a plugin's tab cannot take a key
    of core's)."""
    tabs = {tab.key: tab for tab in CORE_TABS}
    offered = sorted_items("trellis_customer_tabs", customer=customer, user=user)
    for tab in _with_records(offered):
        tabs.setdefault(tab.key, Tab(tab.key, tab.label, tab.endpoint))
    return tabs


def _with_records(offered: list[CustomerTab]) -> list[CustomerTab]:
    """The tabs to list: those without ``records``, and those whose
    ``records`` find a row — asked of the database in one statement."""
    asked = [tab for tab in offered if tab.records is not None]
    if not asked:
        return offered
    found = db.session.execute(select(*(exists(tab.records) for tab in asked))).one()
    empty = {id(tab) for tab, has in zip(asked, found, strict=True) if not has}
    return [tab for tab in offered if id(tab) not in empty]


def panel_html(customer: Customer, tab: Tab, user: User) -> str:
    """The HTML of ``tab``'s panel for ``customer`` as ``user`` sees it."""
    if tab.endpoint is not None:
        return render_template("core/_customer_tab_plugin.html", customer=customer, tab=tab)
    return CORE_PANELS[tab.key](customer, user)


def _overview(customer: Customer, user: User) -> str:
    return render_template(
        "core/_customer_tab_overview.html",
        customer=customer,
        definitions=list(definitions_for("customer").values()),
        contacts=[c for c in customer.contacts if c.deleted_at is None],
    )


def _timeline(customer: Customer, user: User) -> str:
    timeline = visible_timeline(Activity.customer_id, customer.id, user)
    return render_template("core/_customer_tab_timeline.html", timeline=timeline)


def _follow_ups(customer: Customer, user: User) -> str:
    """The customer's open follow-ups, soonest due first: the tasks of its
    timeline the user sees there."""
    links = timeline_links(Activity.customer_id, customer.id, user)
    query = timeline_query(Activity.customer_id, customer.id).where(
        Activity.due_at.is_not(None), Activity.done_at.is_(None)
    )
    tasks = db.session.scalars(
        links.visible(query).order_by(Activity.due_at, Activity.id).limit(FOLLOW_UPS_SHOWN)
    )
    return render_template(
        "core/_customer_tab_follow_ups.html", customer=customer, tasks=links.entries(tasks)
    )


def _consent(customer: Customer, user: User) -> str:
    """What the customer agreed to per channel and purpose, and the history."""
    return consent_panel(customer)


CORE_PANELS: dict[str, Callable[[Customer, User], str]] = {
    "overview": _overview,
    "timeline": _timeline,
    "follow-ups": _follow_ups,
    "consent": _consent,
}
