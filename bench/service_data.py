"""The service dispatch benchmark's data: engineers, work orders over two
years with their history, and revisits, straight into the tables.

On top of ``bench.load`` (users, teams, customers): ten regions over the
customers, an ``engineer`` role (scope own) and a ``dispatcher`` role (scope
all), 200 engineers (users with the engineer role, 20 per team, two or three
of six skills, one to three of the ten regions), then the orders: created
over two years, most closed; the last two weeks hold the open ones (new,
declined, reopened for the board; assigned … on site for the engineers'
workloads). Every order gets its create event, its assign event when it was
assigned, and the event of its last step (plus close); a fifth of the closed
orders of the last year get a revisit. ``repeat_of_id`` and ``reopen_count``
are filled in as the app keeps them, and the orders are added up into the
SLA report's cells (``report_cells.rebuild``). ``bench.load.bulk_insert`` writes
them (COPY on PostgreSQL, executemany on SQLite).
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import select, update

from bench.load import bulk_insert, reset_sequences
from core.api import DataScope, Role, db
from core.models import Customer, Team
from core.services.users import create_user
from plugins.service_dispatch.models import next_deadline
from plugins.service_dispatch.services import report_cells

ENGINEERS, TEAMS = 200, 10
REGIONS = (
    "East",
    "West",
    "North",
    "South",
    "Central",
    "Northeast",
    "Northwest",
    "Southwest",
    "Southeast",
    "Coast",
)
CATEGORIES = ("repair", "installation", "maintenance", "inspection", "calibration", "training")
PRODUCTS = (
    "AC-200",
    "AC-350",
    "Chiller X1",
    "Chiller X2",
    "Boiler B5",
    "Pump P10",
    "Compressor C7",
    "Heat pump H3",
    "Fan coil F2",
    "Controller K1",
)
PRIORITIES = ("low",) * 15 + ("normal",) * 60 + ("high",) * 20 + ("urgent",) * 5
#: respond-by and resolve-by hours by priority
SLA_HOURS = {"low": (72, 168), "normal": (24, 96), "high": (8, 48), "urgent": (4, 24)}
#: the last two weeks; older orders are (nearly) all done
RECENT = (
    ("new", 15),
    ("declined", 3),
    ("reopened", 2),
    ("assigned", 12),
    ("accepted", 10),
    ("on_the_way", 3),
    ("on_site", 5),
    ("completed", 20),
    ("closed", 28),
    ("cancelled", 2),
)
OLDER = (("closed", 9200), ("completed", 380), ("cancelled", 400), ("reopened", 15), ("new", 5))
ENGINEER_PERMISSIONS = ["service.order.read", "service.engineer", "service.report.read"]
DISPATCHER_PERMISSIONS = [
    "customer.read",
    "service.order.read",
    "service.order.write",
    "service.dispatch",
    "service.report.read",
]
DISPATCHER_EMAIL, ENGINEER_EMAIL = "bench.dispatcher@example.com", "eng0@example.com"
ORDER_COLUMNS = (
    "id",
    "number",
    "title",
    "customer_id",
    "status",
    "priority",
    "category",
    "address",
    "product",
    "serial_number",
    "engineer_id",
    "team_id",
    "respond_by",
    "assigned_at",
    "accepted_at",
    "departed_at",
    "checked_in_at",
    "checked_out_at",
    "completed_at",
    "closed_at",
    "labour_minutes",
    "charges",
    "coverage",
    "resolve_by",
    "escalated_at",
    "source",
    "created_at",
    "updated_at",
    "version",
    "repeat_of_id",
    "reopen_count",
    "responded_at",
    "due_at",
)
EVENT_COLUMNS = (
    "work_order_id",
    "action",
    "from_status",
    "to_status",
    "user_id",
    "at",
    "created_at",
    "updated_at",
)
REVISIT_COLUMNS = ("work_order_id", "score", "outcome", "user_id", "at", "created_at", "updated_at")
#: the steps an order went through to reach a state: (action, from, to, its time stamp)
STEPS = (
    ("accept", "assigned", "accepted", "accepted_at"),
    ("depart", "accepted", "on_the_way", "departed_at"),
    ("check_in", "on_the_way", "on_site", "checked_in_at"),
    ("complete", "on_site", "completed", "completed_at"),
)
REACHED = {
    "assigned": 0,
    "accepted": 1,
    "on_the_way": 2,
    "on_site": 3,
    "completed": 4,
    "closed": 4,
    "reopened": 4,
    "declined": 0,
    "cancelled": 0,
    "new": 0,
}


def due_at(status, responded_at, respond_by, resolve_by):
    """The order's ``due_at`` as the models keep it (``models.next_deadline``)."""
    deadline = next_deadline(
        SimpleNamespace(
            status=status, responded_at=responded_at, respond_by=respond_by, resolve_by=resolve_by
        )
    )
    return deadline[1] if deadline else None


def people(customers: int) -> dict:
    """Regions on the customers, the two roles, the engineers and a dispatcher."""
    for k, region in enumerate(REGIONS):
        db.session.execute(
            update(Customer).where(Customer.id % len(REGIONS) == k).values(region=region)
        )
    # the service plugin ships an engineer role (created with the others):
    # give it the benchmark's permissions rather than a second one
    engineer = db.session.scalar(select(Role).where(Role.name == "engineer"))
    if engineer is None:
        db.session.add(Role(name="engineer", permissions=ENGINEER_PERMISSIONS, scope=DataScope.own))
    else:
        engineer.permissions, engineer.scope = ENGINEER_PERMISSIONS, DataScope.own
    db.session.add(Role(name="dispatcher", permissions=DISPATCHER_PERMISSIONS, scope=DataScope.all))
    db.session.commit()
    teams = list(db.session.scalars(select(Team.id).order_by(Team.id)))
    dispatcher = create_user(
        {"email": DISPATCHER_EMAIL, "name": "Bench dispatcher", "password": "bench password 1"},
        None,
        role="dispatcher",
    )
    from plugins.service_dispatch.models import Engineer

    rng = random.Random(5)
    engineers = []
    for n in range(ENGINEERS):
        user = create_user(
            {
                "email": f"eng{n}@example.com",
                "name": f"Engineer {n:03d}",
                "team_id": teams[n % len(teams)],
            },
            None,
            role="engineer",
        )
        db.session.flush()
        skills = rng.sample(CATEGORIES, rng.choice((2, 2, 3)))
        regions = rng.sample(REGIONS, rng.choice((1, 2, 2, 3)))
        db.session.add(Engineer(user_id=user.id, skills=skills, regions=regions))
        engineers.append((user.id, user.team_id, set(skills), set(regions)))
    db.session.commit()
    region_of = {
        cid: region for cid, region in db.session.execute(select(Customer.id, Customer.region))
    }
    team_of = dict(db.session.execute(select(Customer.id, Customer.team_id)).all())
    return {
        "dispatcher_id": dispatcher.id,
        "engineers": engineers,
        "region_of": region_of,
        "team_of": team_of,
        "customers": customers,
    }


def _pick(rng: random.Random, table) -> str:
    total = sum(w for _s, w in table)
    roll = rng.randrange(total)
    for state, weight in table:
        roll -= weight
        if roll < 0:
            return state
    raise AssertionError("unreachable")


def load_orders(orders: int, who: dict, seed: int = 13) -> dict:
    """``orders`` work orders over two years, their events and revisits."""
    from plugins.service_dispatch.models import REPEAT_DAYS

    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    engineers = who["engineers"]
    fit: dict[tuple[str, str], list[int]] = {}
    for index, (_uid, _team, skills, regions) in enumerate(engineers):
        for category in skills:
            for region in regions:
                fit.setdefault((category, region), []).append(index)
    dispatcher_id, region_of, team_of = who["dispatcher_id"], who["region_of"], who["team_of"]
    ages = sorted((rng.randrange(0, 730 * 1440) for _ in range(orders)), reverse=True)
    events: list[tuple] = []
    revisits: list[tuple] = []
    per_day: dict[str, int] = {}
    statuses: dict[str, int] = {}
    #: per serial number, its orders' (completion, id): for ``repeat_of_id``
    visits: dict[str, list[tuple[datetime, int]]] = {}

    def repeat_of(serial: str, created: datetime) -> int | None:
        """As ``services.repeat_of`` when the order is opened."""
        window = [
            (done, n)
            for done, n in visits.get(serial, ())
            if created - timedelta(days=REPEAT_DAYS) <= done < created
        ]
        return max(window)[1] if window else None

    def order_rows():
        for n, age in enumerate(ages, start=1):
            created = now - timedelta(minutes=age)
            status = _pick(rng, RECENT if age < 14 * 1440 else OLDER)
            statuses[status] = statuses.get(status, 0) + 1
            priority = rng.choice(PRIORITIES)
            category = rng.choice(CATEGORIES)
            customer_id = rng.randrange(1, who["customers"] + 1)
            region = region_of[customer_id]
            respond_hours, resolve_hours = SLA_HOURS[priority]
            day = f"{created:%Y%m%d}"
            per_day[day] = per_day.get(day, 0) + 1
            stamps = dict.fromkeys(
                (
                    "assigned_at",
                    "accepted_at",
                    "departed_at",
                    "checked_in_at",
                    "checked_out_at",
                    "completed_at",
                    "closed_at",
                )
            )
            engineer_id = labour = charges = None
            history = [("create", None, "new", dispatcher_id, created)]
            at = created
            if status not in ("new",) and not (status == "cancelled" and rng.random() < 0.5):
                candidates = fit.get((category, region))
                index = (
                    rng.choice(candidates)
                    if candidates and rng.random() < 0.9
                    else rng.randrange(len(engineers))
                )
                engineer_id = engineers[index][0]
                at = at + timedelta(minutes=rng.randrange(5, 6 * 60))
                stamps["assigned_at"] = at
                history.append(("assign", "new", "assigned", dispatcher_id, at))
            for action, before, after, stamp in STEPS[: REACHED[status]]:
                at = at + timedelta(minutes=rng.randrange(10, 8 * 60))
                stamps[stamp] = at
                if stamp == "completed_at":
                    stamps["checked_out_at"] = at
                    labour = rng.randrange(20, 480)
                    charges = Decimal(rng.randrange(0, 300_000)) / 100
                if REACHED[status] < 4 and action == STEPS[REACHED[status] - 1][0]:
                    history.append((action, before, after, engineer_id, at))
            if REACHED[status] == 4:
                history.append(("complete", "on_site", "completed", engineer_id, at))
            if status in ("closed", "reopened"):
                at = at + timedelta(minutes=rng.randrange(60, 72 * 60))
                stamps["closed_at"] = at
                history.append(("close", "completed", "closed", dispatcher_id, at))
            tail = {
                "declined": ("decline", "assigned"),
                "reopened": ("reopen", "closed"),
                "cancelled": ("cancel", history[-1][2]),
            }.get(status)
            if tail:
                at = at + timedelta(minutes=rng.randrange(10, 24 * 60))
                history.append(
                    (
                        tail[0],
                        tail[1],
                        status,
                        engineer_id if status == "declined" else dispatcher_id,
                        at,
                    )
                )
            if status == "declined":
                engineer_id = None  # a declined order goes back to the board
            for action, before, after, user_id, when in history:
                events.append(
                    (
                        n,
                        action,
                        before,
                        after,
                        user_id,
                        min(when, now),
                        min(when, now),
                        min(when, now),
                    )
                )
            if status == "closed" and age < 365 * 1440 and rng.random() < 0.2:
                score = rng.choice((5,) * 10 + (4,) * 6 + (3, 3, 2, 1))
                when = min(now, stamps["closed_at"] + timedelta(days=rng.randrange(1, 4)))
                revisits.append(
                    (
                        n,
                        score,
                        "escalated" if score == 1 else "none",
                        dispatcher_id,
                        when,
                        when,
                        when,
                    )
                )
            respond_by = created + timedelta(hours=respond_hours)
            resolve_by = created + timedelta(hours=resolve_hours)
            late = stamps["completed_at"] or now
            escalated = resolve_by + timedelta(hours=1) if late > resolve_by else None
            stamps = {k: (min(v, now) if v else None) for k, v in stamps.items()}
            product = PRODUCTS[customer_id % len(PRODUCTS)]
            serial = f"SN{customer_id:05d}-{rng.randrange(3)}"
            repeat = repeat_of(serial, created)
            if stamps["completed_at"]:
                visits.setdefault(serial, []).append((stamps["completed_at"], n))
            yield (
                n,
                f"WO-{day}-{per_day[day]:04d}",
                f"{category.capitalize()}: {product}",
                customer_id,
                status,
                priority,
                category,
                None,
                product,
                serial,
                engineer_id,
                team_of[customer_id],
                respond_by,
                stamps["assigned_at"],
                stamps["accepted_at"],
                stamps["departed_at"],
                stamps["checked_in_at"],
                stamps["checked_out_at"],
                stamps["completed_at"],
                stamps["closed_at"],
                labour,
                charges,
                "covered" if customer_id % 5 < 2 else "chargeable",
                resolve_by,
                escalated if escalated and escalated < now else None,
                "public" if n % 20 == 0 else "agent",
                created,
                min(at, now),
                1,
                repeat,
                1 if status == "reopened" else 0,
                stamps["accepted_at"],
                due_at(status, stamps["accepted_at"], respond_by, resolve_by),
            )

    rows = bulk_insert("service_dispatch_work_order", ORDER_COLUMNS, order_rows())
    rows += bulk_insert("service_dispatch_work_order_event", EVENT_COLUMNS, iter(events))
    rows += bulk_insert("service_dispatch_revisit", REVISIT_COLUMNS, iter(revisits))
    reset_sequences(
        (
            "service_dispatch_work_order",
            "service_dispatch_work_order_event",
            "service_dispatch_revisit",
        )
    )
    # the orders came in with plain SQL, past the flush hooks: add them up
    # into the SLA report's cells (plugins/service_dispatch/services/report_cells)
    rows += report_cells.rebuild()
    db.session.commit()
    return {
        "rows": rows,
        "seconds": time.perf_counter() - started,
        "orders": orders,
        "events": len(events),
        "revisits": len(revisits),
        "statuses": statuses,
    }
