"""The collection list (催收): instalments still open and due before a day,
oldest first, and the daily job that gives each overdue instalment one
follow-up task for its owner.

An open instalment is one not settled (``settled_on`` NULL); both indexes
on ``sales_instalment`` start the way this list reads (open, by due date,
for all or for one owner), so a page is a range of an index, not a sort
of every open instalment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import joinedload

from core.api import Activity, User, db, instance_timezone, log_activity, translator

from ...models import Contract, Instalment
from ..access import binned_customers, visible_records
from .payments import today

_, _l = translator("sales")
LINK = "sales_instalment"  # the follow-up tasks point at their instalment


@dataclass(frozen=True)
class Overdue:
    """One row of the collection list."""

    instalment: Instalment
    contract_number: str
    days_overdue: int
    open_amount: Decimal


def collection_query(
    user: User | None, as_of: date | None = None, owner_id: int | None = None
) -> Select:
    """The open instalments due before ``as_of`` (default today) that
    ``user`` may see — or only ``owner_id``'s — oldest due first."""
    as_of = as_of or today()
    query = visible_records(Instalment, user).where(
        Instalment.settled_on.is_(None), Instalment.due_date < as_of
    )
    if owner_id is not None:
        query = query.where(Instalment.owner_id == owner_id)
    return query.order_by(Instalment.due_date, Instalment.id)


def collection_page(
    user: User | None,
    as_of: date | None = None,
    owner_id: int | None = None,
    *,
    limit: int = 50,
    after: tuple[date, int] | None = None,
    offset: int = 0,
) -> list[Overdue]:
    """A page of the collection list: after the row ``after`` (its due date
    and id: a keyset, as fast on the last page as on the first) or from
    ``offset``; with customer and contract loaded."""
    as_of = as_of or today()
    query = collection_query(user, as_of, owner_id)
    if after is not None:
        due, last_id = after
        query = query.where(
            or_(
                Instalment.due_date > due, and_(Instalment.due_date == due, Instalment.id > last_id)
            )
        )
    rows = db.session.scalars(
        query.options(
            joinedload(Instalment.customer),
            joinedload(Instalment.contract),
            joinedload(Instalment.owner),
        )
        .offset(offset)
        .limit(limit)
    ).all()
    return [overdue_row(i, as_of) for i in rows]


def overdue_row(instalment: Instalment, as_of: date) -> Overdue:
    return Overdue(
        instalment,
        instalment.contract.number,
        (as_of - instalment.due_date).days,
        instalment.amount - instalment.collected,
    )


def collection_totals(
    user: User | None, as_of: date | None = None, owner_id: int | None = None
) -> list[tuple[str, int, Decimal]]:
    """How many instalments are overdue and what is open on them, per currency."""
    query = collection_query(user, as_of, owner_id).order_by(None).subquery()
    rows = db.session.execute(
        select(query.c.currency, func.count(), func.sum(query.c.amount - query.c.collected))
        .group_by(query.c.currency)
        .order_by(query.c.currency)
    ).all()
    return [(currency, count, Decimal(total or 0)) for currency, count, total in rows]


def create_overdue_tasks(as_of: date | None = None, batch: int = 500) -> int:
    """Give every overdue open instalment with an owner one follow-up task
    for that owner — not again while its task is open (done, a next one
    comes the next day if the money is still missing). Subjects are in the
    instance's language. Returns how many tasks were made."""
    as_of = as_of or today()
    has_open_task = (
        select(Activity.id)
        .where(
            Activity.link_type == LINK,
            Activity.link_id == Instalment.id,
            Activity.done_at.is_(None),
            Activity.deleted_at.is_(None),
        )
        .exists()
    )
    made = 0
    last: tuple[date, int] | None = None
    zone = ZoneInfo(instance_timezone())
    with force_locale(current_app.config["TRELLIS_LOCALE"]):
        while True:
            query = (
                select(Instalment.id, Instalment.due_date)
                .where(
                    Instalment.settled_on.is_(None),
                    Instalment.due_date < as_of,
                    # tasks go to active owners, on customers not in the recycle bin
                    Instalment.owner_id.in_(
                        select(User.id).where(User.active.is_(True), User.deleted_at.is_(None))
                    ),
                    Instalment.customer_id.not_in(binned_customers()),
                    ~has_open_task,
                )
                .order_by(Instalment.due_date, Instalment.id)
                .limit(batch)
            )
            if last is not None:
                query = query.where(
                    or_(
                        Instalment.due_date > last[0],
                        and_(Instalment.due_date == last[0], Instalment.id > last[1]),
                    )
                )
            found = db.session.execute(query).all()
            if not found:
                return made
            for instalment_id, _due in found:
                _task(db.session.get(Instalment, instalment_id), as_of, zone)
                made += 1
            last = found[-1][1], found[-1][0]


def _task(instalment: Instalment, as_of: date, zone: ZoneInfo) -> None:
    contract: Contract = instalment.contract
    log_activity(
        {
            "kind": "task",
            "subject": _(
                "Collect %(amount)s %(currency)s: %(number)s instalment %(n)d, due %(day)s",
                amount=instalment.amount - instalment.collected,
                currency=instalment.currency,
                number=contract.number,
                n=instalment.number,
                day=instalment.due_date.isoformat(),
            )[:200],
            "due_at": datetime.combine(as_of, time(9), zone).isoformat(),
            "customer_id": instalment.customer_id,
            "owner_id": instalment.owner_id,
            "link_type": LINK,
            "link_id": instalment.id,
        },
        None,
    )


def run_overdue_job() -> str:
    """The daily job (``sales.overdue_collections``)."""
    return f"{create_overdue_tasks()} collection tasks created"
