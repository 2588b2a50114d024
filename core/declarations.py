"""The small value types plugins return from hooks.

They are plain frozen dataclasses so that a plugin's answer is data core can
check, sort and show, not behaviour core has to trust.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.i18n import _l


@dataclass(frozen=True)
class Manifest:
    """What a plugin says about itself (cf. Odoo's ``__manifest__``).

    ``title`` and ``description`` are what admins read: a lazy translation
    from the plugin's catalogue (``_l("Sales")``), or plain text;
    ``requires`` lists plugin names that must be loaded first;
    ``min_core`` is the oldest core version (``"0.1"``) the plugin works with.
    """

    name: str
    version: str
    title: Any
    description: Any = ""
    requires: tuple[str, ...] = ()
    min_core: str = "0.1"


@dataclass(frozen=True)
class Permission:
    """A permission string. ``default_roles`` names the starting roles
    (``manager``, ``sales``; ``admin`` has everything) that get it when an
    instance is initialised; admins can change roles afterwards."""

    name: str
    title: str
    default_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleTemplate:
    """A starting role (``trellis_roles``): a plugin ships one for the people
    who work in it (a field engineer, a nurse). ``name`` is stored on the
    role, ``title`` is what users read; ``scope`` is ``own``, ``team`` or
    ``all``; the role gets ``permissions`` (core's, e.g. ``customer.read``)
    plus every permission declared with its name in ``default_roles``.
    Created once, when missing; admins change or delete it afterwards."""

    name: str
    title: Any
    scope: str = "own"
    permissions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActivityKind:
    """A kind of timeline entry a plugin adds (``trellis_activity_kinds``):
    ``code`` is stored in ``Activity.kind`` and must be unique across core and
    plugins; ``label`` is what users read; ``icon`` is a hint for themes."""

    code: str
    label: str
    icon: str = "dot"


@dataclass(frozen=True)
class FieldType:
    """A type of custom field a plugin adds (``trellis_custom_field_types``):
    ``validate(value, definition)`` returns the cleaned value or raises
    ``ValueError`` with a message the user can act on."""

    code: str
    label: str
    #: returns the cleaned value or raises ValueError with a readable message
    validate: Callable[[Any, Any], Any]


@dataclass(frozen=True)
class DueTask:
    """One task a follow-up rule wants to exist.

    ``key`` identifies it within its plan (e.g. ``"customer:42:2026-11-24"``),
    so running the due job twice creates it once.
    """

    key: str
    customer_id: int | None
    owner_id: int | None
    due_at: datetime
    subject: str
    link_type: str | None = None
    link_id: int | None = None


@dataclass(frozen=True)
class RuleParam:
    """One setting of a follow-up rule or a recycle condition, as the admin
    page asks for it:
    ``key`` in the plan's params, ``label`` what admins read (a lazy
    translation), ``choices`` ``(value, label)`` pairs for a pick-one, else a
    whole number; ``default`` pre-fills the field; ``optional`` may stay empty."""

    key: str
    label: Any
    choices: tuple[tuple[str, Any], ...] = ()
    default: Any = None
    optional: bool = False


@dataclass(frozen=True)
class FollowUpRule:
    """A way of turning a follow-up plan into due tasks.

    ``due(plan, now)`` yields :class:`DueTask`; ``validate_params(params)``
    returns cleaned params or raises ``ValueError`` naming the parameter.
    ``params`` declares the settings (:class:`RuleParam`) so the admin page
    asks for each by its label; a rule without them takes ``key = value``
    lines.
    """

    code: str
    title: str
    due: Callable[[Any, datetime], Iterable[DueTask]]
    validate_params: Callable[[dict[str, Any]], dict[str, Any]] = field(
        default=lambda params: params
    )
    params: tuple[RuleParam, ...] = ()


@dataclass(frozen=True)
class RecycleCondition:
    """A reason for a customer to go back to the pool, beyond "no contact for
    N days" (the sales plugin adds "no won deal for M days").

    ``customer_ids(params, now)`` returns a SQL select of the ids of owned
    customers that meet the condition; ``validate_params`` cleans the
    params a pool rule gives it or raises ``ValueError`` naming the param;
    ``params`` declares them (:class:`RuleParam`) so the pool rules page asks
    for each by its label.
    """

    code: str
    title: str
    customer_ids: Callable[[dict[str, Any], datetime], Any]
    validate_params: Callable[[dict[str, Any]], dict[str, Any]] = field(
        default=lambda params: params
    )
    params: tuple[RuleParam, ...] = ()


@dataclass(frozen=True)
class Job:
    """Background work that goes through core's job queue.

    ``run(**kwargs)`` is called in the worker inside an application context
    and must be idempotent: running it twice changes nothing more than
    running it once. With ``every_minutes`` the job is also periodic: the
    scheduler (in ``trellis worker``) runs it at every minute of the day
    divisible by it, never once per web worker; each run first claims its
    time slot in the database, so several workers (or several servers' cron
    ``run-due``) run it once per slot. Enqueue it yourself with
    ``core.api.enqueue(code, **kwargs)`` (JSON-serialisable kwargs).
    """

    code: str
    title: str
    run: Callable[..., Any]
    every_minutes: int | None = None


@dataclass(frozen=True)
class MessageSender:
    """Delivers the messages of one ``channel`` (``sms``, ``email``) —
    ``trellis_message_senders``. ``send(message)`` gets the ``message`` row
    and returns once it is handed over, or raises (the error is kept and
    the message tried again). For a channel the sender with the lowest
    ``order`` is used: core's SMTP sender has 100, its log sender 1000."""

    channel: str
    name: str
    send: Callable[[Any], None]
    order: int = 100


@dataclass(frozen=True)
class Searchable:
    """A record type the search index holds (``trellis_searchables``).

    ``kind`` names it in the index (unique, at most 40 characters: ``sales.deal``);
    ``model`` is its mapped class, with an integer ``id``; ``fields`` are one
    to four of its attributes, each a text or a list of texts (phones,
    e-mails), the first its name or number (exact and prefix matches of it
    rank first). ``entity`` is what :func:`core.api.hidden_fields` calls it:
    a field the user's role hides is not searched for that user.

    Core keeps the index in step whenever the ORM writes such a record (in the
    same transaction); rows written around the ORM are indexed by ``trellis
    search rebuild``. Lists filter with ``core.api.search_match(model, q, user)``.
    """

    kind: str
    model: type
    fields: tuple[str, ...]
    entity: str = ""


@dataclass(frozen=True)
class MenuGroup:
    """A heading of the main menu that groups entries by work (Customers,
    Sales, Service, …, Reports, Administration); users fold it away.

    ``name`` identifies it: entries of several plugins that name the same
    group share one heading (core offers :data:`MENU_CUSTOMERS`,
    :data:`MENU_REPORTS` and :data:`MENU_ADMIN`). Groups are sorted by
    ``order``; ``icon`` is a name from ``core.icons.NAMES``."""

    name: str
    label: Any
    order: int = 100
    icon: str = ""


#: the menu groups core offers every plugin (a plugin declares its own for its work)
MENU_CUSTOMERS = MenuGroup("customers", _l("Customers"), order=10, icon="users")
MENU_REPORTS = MenuGroup("reports", _l("Reports"), order=80, icon="chart-column")
MENU_ADMIN = MenuGroup("admin", _l("Administration"), order=90, icon="settings")


@dataclass(frozen=True)
class MenuItem:
    """An entry of the main menu (``trellis_menu_items``): ``endpoint`` is the
    Flask endpoint it links to; entries are sorted by ``order`` within their
    ``group`` (a :class:`MenuGroup`; without one the entry stands at the top
    of the menu). ``icon`` is a name from ``core.icons.NAMES``."""

    label: Any
    endpoint: str
    order: int = 100
    icon: str = ""
    group: MenuGroup | None = None


@dataclass(frozen=True)
class SearchHit:
    """One record found by the search box: ``label`` (its name or number),
    ``url`` of its page, ``detail`` a short line (its customer, its state)."""

    label: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class SearchSection:
    """What a plugin found for the search box (``trellis_search``): a titled
    list of :class:`SearchHit`, only records the user may open; ``order``
    places the section after core's customers and contacts."""

    title: Any
    hits: tuple[SearchHit, ...]
    order: int = 100


@dataclass(frozen=True)
class CustomerTab:
    """A tab on the customer's page (``trellis_customer_tabs``): ``endpoint``
    is a view called with ``customer_id`` that returns the tab's HTML; tabs
    are sorted by ``order``.

    ``records``, when given, is a select of the plugin's records of this
    customer that the user may see (its scoped query): the tab is listed
    only if it finds one. Core asks every tab's ``records`` in one statement,
    where each plugin asking its own would cost the page one round trip a
    plugin. Without it the tab is always listed."""

    key: str
    label: str
    endpoint: str
    order: int = 100
    records: Any = None


@dataclass(frozen=True)
class DashboardWidget:
    """A card on the dashboard (``trellis_dashboard_widgets``): ``endpoint``
    is a view, called without arguments, that returns the card's HTML;
    ``key`` names the card in the page; cards are sorted by ``order``."""

    key: str
    title: str
    endpoint: str
    order: int = 100


@dataclass(frozen=True)
class CustomerAction:
    """A button in the customer page's header (``trellis_customer_actions``):
    ``url`` is where it leads; ``method`` ``"get"`` makes it a link,
    ``"post"`` a small form that carries the CSRF token, asking ``confirm``
    (a question, when given) before it is sent. Buttons are sorted by ``order``."""

    label: str
    url: str
    order: int = 100
    method: str = "get"
    confirm: str | None = None

    def __post_init__(self) -> None:
        if self.method not in ("get", "post"):
            raise ValueError(f"CustomerAction method must be 'get' or 'post', not {self.method!r}")


@dataclass(frozen=True)
class CustomerColumn:
    """A column of the customers list (``trellis_customer_columns``):
    ``values(ids)`` is called once per page with the ids of the customers on
    it and returns ``{id: text}`` (an id left out shows as "—"), so a column
    costs one query a page, never one a row. ``key`` names the column in the
    page; columns are sorted by ``order``."""

    key: str
    label: str
    values: Callable[[list[int]], dict[int, str]]
    order: int = 100


@dataclass(frozen=True)
class CustomerFilter:
    """A filter a plugin adds to the customers list and its export
    (``trellis_customer_filters``): a marketing segment, a static list.

    The list takes it as ``filter=<key>:<value>`` (the API may repeat it:
    all must hold). ``options(user)`` lists the values ``user`` may pick,
    as ``(value, label)`` pairs, for the list page's filter; ``condition(value,
    user)`` returns a SQL condition on ``Customer`` — core puts it under its
    scoped query — or raises ``core.api.ValidationError`` / ``NotFoundError``
    for a value ``user`` may not use (a 422 naming ``filter``)."""

    key: str
    label: Any
    options: Callable[[Any], list[tuple[str, str]]]
    condition: Callable[[str, Any], Any]
    order: int = 100


@dataclass(frozen=True)
class Approvable:
    """A record type that can require approval (``trellis_approvables``).

    ``record_type`` names it in flows and requests (unique, dotted:
    ``sales.quote``); ``model`` is its mapped class; ``label`` is what admins
    read when they pick the type of a flow. ``fields`` are the values a
    flow's condition may test, each ``"number"``, ``"percent"``,
    ``"choice"`` or ``"text"``, read as attributes of the record.

    ``customer_id(record)`` names the customer whose timeline shows the
    decisions (or ``None``), ``title(record)`` and ``url(record)`` are what
    approvers read and open. The timeline entries link to the record by its
    table (``link_type`` is ``model.__tablename__``): answer
    ``trellis_timeline_links`` for it, so that only who may see the record
    sees them. ``on_decided(record, outcome)`` is called in the
    transaction of the last decision, ``outcome`` one of ``"approved"``,
    ``"rejected"`` or ``"withdrawn"``: move the record's own state there (a
    failure undoes the decision). ``load(record_id, user)`` returns the
    record if ``user`` may see it — the plugin's scoped query — else
    ``None``, and the record itself when ``user`` is ``None`` (core's own
    work: deciding, reminding); without it any record of ``model`` may be
    submitted. A record's ``owner_id``, when it has one, names whose team
    manager approves a "team manager" step (else the submitter's).
    """

    record_type: str
    model: type
    label: Any
    fields: dict[str, str]
    customer_id: Callable[[Any], int | None]
    title: Callable[[Any], str]
    url: Callable[[Any], str]
    on_decided: Callable[[Any, str], None]
    load: Callable[[int, Any], Any] | None = None
    #: what admins read for each of ``fields`` (a lazy translation); the name otherwise
    field_labels: dict[str, Any] = field(default_factory=dict)
