"""The UI slots — the only places a plugin appears in the UI — and demo data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.hookspecs.markers import hookspec

if TYPE_CHECKING:  # annotations only: the models import much of core
    from core.declarations import (
        CustomerAction,
        CustomerColumn,
        CustomerFilter,
        CustomerTab,
        DashboardWidget,
        MenuItem,
        SearchSection,
    )
    from core.models import Customer, User


# ----------------------------------------------------------------------- UI slots


@hookspec
def trellis_menu_items(user: User) -> list[MenuItem]:
    """Return a list of ``core.api.MenuItem`` to show in the main menu for ``user``.

    Called on each page render. ``user`` is the signed-in user (never
    anonymous). Return only the items the user may use. Items are sorted by
    ``order``.
    """


@hookspec
def trellis_search(query: str, user: User, limit: int) -> SearchSection | None:
    """Return a ``core.api.SearchSection``: the plugin's records matching
    ``query`` for the search box in the top bar, or ``None``.

    Called when ``user`` searches (``query`` is stripped, 2 to 100
    characters). Return at most ``limit`` hits, each a record ``user`` may
    open — through the plugin's scoped queries, as its lists do. Sections
    show after core's customers and contacts, sorted by ``order``.
    """


@hookspec
def trellis_customer_tabs(customer: Customer, user: User) -> list[CustomerTab]:
    """Return a list of ``core.api.CustomerTab`` for the customer's page.

    Called when ``user`` opens ``customer``'s page and when a tab's panel
    loads (``/customers/<id>/tab/<key>``, on demand). Each tab names an
    endpoint that renders its content; tabs are sorted by ``order``, after
    core's Overview, Timeline and Follow-ups. A tab that should show only
    when the customer has records of the plugin's gives their scoped select
    as ``records`` (core asks every tab's in one statement) instead of
    querying here::

        @hookimpl
        def trellis_customer_tabs(customer, user):
            if not user.can("insurance.policy.read"):
                return []
            policies = customer_policies_query(user, customer.id)
            return [CustomerTab("policies", _l("Policies"), "insurance.customer_policies",
                                records=policies)]
    """


@hookspec
def trellis_dashboard_widgets(user: User) -> list[DashboardWidget]:
    """Return a list of ``core.api.DashboardWidget`` for ``user``'s dashboard.

    Called when the dashboard renders. Each widget names an endpoint that
    renders its content; widgets are sorted by ``order``.
    """


@hookspec
def trellis_customer_actions(customer: Customer, user: User) -> list[CustomerAction]:
    """Return a list of ``core.api.CustomerAction``: buttons for the header of ``customer``'s page.

    Called when ``user`` opens ``customer``'s page (both are records, never
    ``None``). Return only the actions the user may take. An action with
    ``method="get"`` is a link to ``url``; with ``method="post"`` it is a
    small form carrying the CSRF token, which asks ``confirm`` first when
    given. Core shows them after its own buttons, sorted by ``order``.

    Example::

        @hookimpl
        def trellis_customer_actions(customer, user):
            if not user.can("sales.deal.write"):
                return []
            return [CustomerAction(_l("New deal"),
                                   url_for("sales.new_deal", customer_id=customer.id))]
    """


@hookspec
def trellis_customer_columns(user: User) -> list[CustomerColumn]:
    """Return a list of ``core.api.CustomerColumn`` to add to the customers list for ``user``.

    Called when the customers list (or its search-as-you-type results)
    renders. Core then calls each column's ``values(ids)`` once, with the ids
    of the customers on the page, and shows the texts it returns (``—`` for
    an id left out): answer with one query for the whole page, never one per
    row, and count only what ``user`` may see. Columns are sorted by
    ``order`` and come after core's own.

    Example::

        @hookimpl
        def trellis_customer_columns(user):
            if not user.can("sales.deal.read"):
                return []

            def open_deals(ids):
                return {i: str(n) for i, n in open_deal_counts(user, ids).items()}

            return [CustomerColumn("open_deals", _l("Open deals"), open_deals)]
    """


@hookspec
def trellis_customer_filters() -> list[CustomerFilter]:
    """Return a list of ``core.api.CustomerFilter``: ways to narrow the
    customers list and its CSV export beyond core's own filters — "members
    of segment 12", "on list 3".

    Called when the application is built. The list page offers each
    filter's ``options(user)`` in one "Segment or list" choice; the API takes
    ``filter=<key>:<value>`` (repeatable) on ``GET /api/v1/customers`` and
    its ``/export``. Core asks ``condition(value, user)`` for a SQL condition
    on ``Customer`` and applies it under the caller's scope, so a filter
    never widens what the caller sees. A key declared twice, or one with a
    ``:`` in it, stops start-up. Example::

        @hookimpl
        def trellis_customer_filters():
            return [CustomerFilter("vip_list", _l("VIP list"),
                                   lambda user: [("1", "Gold")],
                                   lambda value, user: Customer.id.in_(vip_ids(value)))]
    """


@hookspec
def trellis_timeline_links(
    link_type: str, ids: list[int], user: User
) -> dict[int, str | None] | None:
    """Say which of the plugin's records on a timeline ``user`` may open, and where they are.

    An activity points at a plugin record with ``link_type`` (one of the
    plugin's table names) and ``link_id``. Whenever a timeline is shown — a
    customer's or a contact's page, the timeline fragment, the API's
    ``/customers/<id>/activities`` — core calls this hook once per
    ``link_type`` found on it, on the plugin that owns that table alone,
    with ``ids`` every ``link_id`` of that type on the timeline.

    Return ``{id: url or None}``: with a url, the entry's subject links to
    the record's page (the API's ``link_url``); with ``None`` — or with the
    id left out — ``user`` may not open the record, and its entries are left
    out of the timeline. Return ``None`` to leave that type's entries as
    they are: shown, without a link (so are the entries of a plugin that
    does not implement the hook).

    Example::

        @hookimpl
        def trellis_timeline_links(link_type, ids, user):
            if link_type != "sales_deal":
                return None
            seen = db.session.scalars(
                visible_deals(user, select(Deal.id)).where(Deal.id.in_(ids)))
            return {i: url_for("sales.deal", deal_id=i) for i in seen}
    """


# -------------------------------------------------------------------- demo data


@hookspec
def trellis_demo_data(locale: str, customers: list[Customer], users: list[User]) -> None:
    """Add the plugin's demo records, written in ``locale`` (``en`` or ``zh_CN``).

    Called by ``trellis init --demo`` after core's demo data is committed,
    once per plugin in load order. ``customers`` and ``users`` are core's demo
    records, so a plugin can link to them. Add rows to ``db.session``; core
    commits. Returns nothing.
    """
