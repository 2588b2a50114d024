"""The timeline: log an activity, plan a task, record contact attempts,
complete a task. A customer's ``last_contacted_at`` and
``next_follow_up_at`` are kept here, in the same transaction.

Every page and API route that shows a timeline reads it through
:func:`timeline_links` (:func:`visible_timeline`): an entry about a plugin
record the viewer may not open is left out, one they may open links to it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from core.errors import NotFoundError, ValidationError, refuse
from core.events import emit, transaction
from core.extensions import db
from core.i18n import _
from core.models import Activity, Contact, Customer, User, utcnow
from core.registry import current_registry
from core.schemas import ActivityInput
from core.services.base import audit, check_version, load, snapshot

_schema = ActivityInput()
#: kinds that count as having contacted the customer
CONTACT_KINDS = frozenset({"call", "email", "meeting", "visit", "sms", "wechat"})


def get_activity(activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.deleted_at is not None:
        raise NotFoundError(_("activity %(id)s not found", id=activity_id))
    return activity


class TimelineEntry:
    """An activity as one viewer sees it on a timeline: the activity's own
    attributes, read through, plus ``link_url`` — the page of the plugin
    record it is about, when the viewer may open it (else ``None``)."""

    __slots__ = ("activity", "link_url")

    def __init__(self, activity: Activity, link_url: str | None = None) -> None:
        self.activity, self.link_url = activity, link_url

    def __getattr__(self, name: str) -> Any:
        return getattr(self.activity, name)


@dataclass
class TimelineLinks:
    """What one viewer may open among the plugin records a timeline points at:
    ``urls`` by ``(link_type, link_id)``, and the ``hidden`` ids by type."""

    urls: dict[tuple[str, int], str] = field(default_factory=dict)
    hidden: dict[str, list[int]] = field(default_factory=dict)
    #: the viewer: a task assigned to them stays on the timeline even when its
    #: record is hidden from them (they must still be able to do it)
    viewer_id: int | None = None

    def visible(self, query: Select) -> Select:
        """``query`` (of activities) without the entries about hidden records,
        so a limit or a page counts only what the viewer sees."""
        for link_type, ids in self.hidden.items():
            query = query.where(
                or_(
                    Activity.link_type.is_distinct_from(link_type),
                    Activity.link_id.is_(None),
                    Activity.link_id.not_in(ids),
                    and_(Activity.due_at.is_not(None), Activity.owner_id == self.viewer_id),
                )
            )
        return query

    def entries(self, activities: Iterable[Activity]) -> list[TimelineEntry]:
        return [
            TimelineEntry(a, self.urls.get((a.link_type, a.link_id)))
            if a.link_type is not None and a.link_id is not None
            else TimelineEntry(a)
            for a in activities
        ]


#: ``Activity.customer_id`` or ``Activity.contact_id``: whose timeline
TimelineOf = InstrumentedAttribute[int | None]


def timeline_query(column: TimelineOf, record_id: int) -> Select:
    """The live activities whose ``column`` (``Activity.customer_id`` or
    ``Activity.contact_id``) is ``record_id``, unsorted and unfiltered."""
    return select(Activity).where(column == record_id, Activity.deleted_at.is_(None))


def timeline_links(column: TimelineOf, record_id: int, user: User | None) -> TimelineLinks:
    """Ask the plugin owning each ``link_type`` on the timeline which of its
    records ``user`` may open (``trellis_timeline_links``): once per type,
    with every id of that type. A type no enabled plugin owns, or whose
    plugin does not answer, is shown as it is, without links."""
    rows = cast(
        list[tuple[str, int]],
        db.session.execute(  # linked entries only: no None
            timeline_query(column, record_id)
            .with_only_columns(Activity.link_type, Activity.link_id)
            .where(Activity.link_type.is_not(None), Activity.link_id.is_not(None))
            .distinct()
        ).all(),
    )
    by_type: dict[str, list[int]] = {}
    for link_type, link_id in rows:
        by_type.setdefault(link_type, []).append(link_id)
    registry = current_registry()
    links = TimelineLinks(viewer_id=None if user is None else user.id)
    for link_type, ids in sorted(by_type.items()):
        owner = registry.table_owners.get(link_type)
        answers = (
            []
            if owner is None
            else registry.call_on(
                owner, "trellis_timeline_links", link_type=link_type, ids=sorted(ids), user=user
            )
        )
        if not answers:
            continue
        urls = {key: url for answer in answers for key, url in answer.items()}
        links.urls.update({(link_type, i): urls[i] for i in ids if urls.get(i)})
        hidden = [i for i in ids if not urls.get(i)]
        if hidden:
            links.hidden[link_type] = hidden
    return links


def visible_timeline(
    column: TimelineOf, record_id: int, user: User | None, limit: int = 100
) -> list[TimelineEntry]:
    """The newest ``limit`` entries of a record's timeline that ``user`` may
    see, each with its ``link_url``: a customer's or a contact's page."""
    links = timeline_links(column, record_id, user)
    return links.entries(
        db.session.scalars(
            links.visible(timeline_query(column, record_id))
            .order_by(Activity.occurred_at.desc(), Activity.id.desc())
            .limit(limit)
        )
    )


def customer_timeline(customer_id: int, user: User | None, limit: int = 100) -> list[TimelineEntry]:
    """The newest ``limit`` entries of customer ``customer_id``'s timeline
    that ``user`` may see (the caller has checked the customer is visible):
    what a plugin's view of a customer's history (a journey) is made of."""
    return visible_timeline(Activity.customer_id, customer_id, user, limit)


def log_activity(payload: dict, actor: User | None) -> Activity:
    """Add an activity (or, with ``due_at``, a task) to a customer's timeline."""
    data = _clean(load(_schema, payload))
    with transaction():
        activity = Activity(**data)
        activity.occurred_at = data.get("occurred_at") or utcnow()
        if activity.owner_id is None and actor is not None:
            activity.owner_id = actor.id
        db.session.add(activity)
        db.session.flush()
        if activity.customer_id:
            refresh_customer_dates(activity.customer_id)
        audit(actor, activity, "create", None, snapshot(activity))
        emit("activity_logged", activity=activity)
    return activity


def complete_task(
    task: Activity,
    actor: User | None,
    outcome: str | None = None,
    expected_version: int | None = None,
) -> Activity:
    """Mark a task done (idempotent: completing a done task changes nothing)."""
    if task.due_at is None:
        raise ValidationError({"id": [_("this activity is not a task")]})
    check_version(task, expected_version)
    if task.done_at is not None:
        return task
    with transaction():
        before = snapshot(task)
        task.done_at = utcnow()
        task.outcome = outcome or task.outcome
        if task.customer_id:
            refresh_customer_dates(task.customer_id)
        audit(actor, task, "complete", before, snapshot(task))
    return task


def record_attempt(
    task: Activity, payload: dict, actor: User | None, done: bool = False
) -> Activity:
    """Log one contact attempt on a task (a call that reached nobody, say);
    with ``done`` the task is completed in the same transaction."""
    if task.due_at is None:
        raise ValidationError({"task_id": [_("this activity is not a task")]})
    with transaction():
        attempt = log_activity(
            {
                **payload,
                "task_id": task.id,
                "customer_id": task.customer_id,
                "contact_id": payload.get("contact_id", task.contact_id),
            },
            actor,
        )
        if done:
            complete_task(task, actor, outcome=attempt.outcome)
    return attempt


def refresh_customer_dates(customer_id: int) -> None:
    """Recompute ``last_contacted_at`` and ``next_follow_up_at`` from the timeline."""
    db.session.flush()
    last = db.session.scalar(
        select(func.max(Activity.occurred_at)).where(
            Activity.customer_id == customer_id,
            Activity.kind.in_(CONTACT_KINDS),
            Activity.due_at.is_(None) | Activity.task_id.is_not(None),
            Activity.deleted_at.is_(None),
        )
    )
    nxt = db.session.scalar(
        select(func.min(Activity.due_at)).where(
            Activity.customer_id == customer_id,
            Activity.due_at.is_not(None),
            Activity.done_at.is_(None),
            Activity.deleted_at.is_(None),
        )
    )
    customer = cast(Customer, db.session.get(Customer, customer_id))  # the activity's customer
    if customer.last_contacted_at != last or customer.next_follow_up_at != nxt:
        customer.last_contacted_at, customer.next_follow_up_at = last, nxt


def _clean(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    if data["kind"] not in current_registry().activity_kinds:
        errors["kind"] = [_("unknown activity kind %(kind)r", kind=data["kind"])]
    if data.get("customer_id") is not None:
        customer = db.session.get(Customer, data["customer_id"])
        if customer is None or customer.deleted_at is not None:
            missing["customer_id"] = [_("no customer with this id")]
    if data.get("contact_id") is not None:
        contact = db.session.get(Contact, data["contact_id"])
        if contact is None or contact.deleted_at is not None:
            missing["contact_id"] = [_("no contact with this id")]
        elif data.get("customer_id") not in (None, contact.customer_id):
            errors["contact_id"] = [_("this contact belongs to another customer")]
        else:
            data["customer_id"] = contact.customer_id
    if data.get("owner_id") is not None:
        owner = db.session.get(User, data["owner_id"])
        if owner is None or not owner.is_active:
            missing["owner_id"] = [_("no active user with this id")]
    if (data.get("link_type") is None) != (data.get("link_id") is None):
        errors["link_id"] = [_("link_type and link_id go together")]
    refuse(errors, missing=missing)
    return data
