"""Generate the benchmark data set straight into the tables, in batches.

100 users in 10 teams; customers spread over the owners (each customer in
its owner's team); three contacts per customer; activities ten per
customer, except one customer of the benchmark user who gets 1,000 (the
timeline case). Rows go in with SQLAlchemy Core executemany, 5,000 a batch.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select

from core.extensions import db
from core.models import Activity, Contact, ContactPoint, Customer, User
from core.services.users import create_team, create_user, ensure_default_roles

BATCH = 5_000
TEAMS, USERS_PER_TEAM = 10, 10
SYLLABLES = (
    "hua",
    "xin",
    "tai",
    "feng",
    "long",
    "sheng",
    "da",
    "mei",
    "kang",
    "yuan",
    "tech",
    "north",
    "blue",
    "star",
    "bright",
    "harbor",
    "river",
    "stone",
)
CITIES = ("上海", "北京", "深圳", "杭州", "成都", "Wuhan", "Xi'an", "Nanjing", "Suzhou", "Tianjin")
STAGES = ("lead", "prospect", "customer", "customer", "customer", "churned")
KINDS = ("call", "email", "meeting", "visit", "note", "wechat")
BENCH_EMAIL = "bench.manager@example.com"
PASSWORD = "bench password 1"


def name(rng: random.Random, n: int) -> str:
    words = [rng.choice(SYLLABLES).capitalize() for _ in range(2)]
    return f"{''.join(words)} {rng.choice(CITIES)} {n}"


def _insert(model, rows: list[dict]) -> int:
    if rows:  # Core executemany (insertmanyvalues), not the ORM's bulk path
        db.session.connection().execute(insert(model.__table__), rows)
    return len(rows)


def bulk_insert(table: str, columns: tuple[str, ...], rows) -> int:
    """Insert an iterable of tuples the fastest plain way each database has:
    ``COPY ... FROM STDIN`` on PostgreSQL, DB-API executemany in batches on
    SQLite (datetimes and dates written as SQLAlchemy stores them there).
    For the large tables (millions of rows), where Core's per-value type
    processing would dominate the load time. Commits."""
    db.session.commit()
    raw = db.engine.raw_connection()
    count = 0
    try:
        cursor = raw.cursor()
        names = ", ".join(columns)
        if db.engine.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
            batch = []
            for row in rows:
                batch.append(tuple(_sqlite_value(v) for v in row))
                if len(batch) == BATCH * 4:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            cursor.executemany(sql, batch)
            count += len(batch)
        raw.commit()
    finally:
        raw.close()
    return count


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value


def load(
    customers: int,
    contacts_each: int = 3,
    activities_each: int = 10,
    timeline: int = 1_000,
    seed: int = 7,
) -> dict:
    """Fill an empty, migrated database; return counts and the load rate."""
    if db.session.scalar(select(func.count()).select_from(Customer)):
        raise SystemExit("the benchmark database already holds customers; use a fresh one")
    rng = random.Random(seed)
    ensure_default_roles()
    teams = [create_team(f"Team {t + 1}", None) for t in range(TEAMS)]
    users = []
    for t, team in enumerate(teams):
        for u in range(USERS_PER_TEAM):
            first = t == 0 and u == 0
            users.append(
                create_user(
                    {
                        "email": BENCH_EMAIL if first else f"rep{t}.{u}@example.com",
                        "name": "Bench manager" if first else f"Rep {t}.{u}",
                        "password": PASSWORD,
                        "team_id": team.id,
                    },
                    None,
                    role="manager" if first else "sales",
                )
            )
    db.session.commit()
    owners = [(user.id, user.team_id) for user in users]
    now = datetime.now(UTC)
    started = time.perf_counter()
    rows = 0
    customer_rows, point_rows = [], []
    for n in range(1, customers + 1):
        owner_id, team_id = owners[0] if n == 1 else rng.choice(owners)
        touched = now - timedelta(minutes=rng.randrange(0, 525_600))
        phone = f"+86138{n:08d}"
        customer_rows.append(
            {
                "id": n,
                "name": name(rng, n),
                "kind": "company",
                "stage": rng.choice(STAGES),
                "grade": rng.choice("ABCD"),
                "source": rng.choice(("web", "referral", "expo")),
                "owner_id": owner_id,
                "team_id": team_id,
                "city": rng.choice(CITIES),
                "phones": [phone],
                "emails": [f"info{n}@example.com"],
                "custom_fields": {},
                "created_at": touched,
                "updated_at": touched,
                "last_contacted_at": touched,
                "version": 1,
            }
        )
        point_rows.append(
            {
                "kind": "phone",
                "value": phone,
                "customer_id": n,
                "created_at": now,
                "updated_at": now,
            }
        )
        if len(customer_rows) == BATCH:
            rows += _insert(Customer, customer_rows) + _insert(ContactPoint, point_rows)
            customer_rows, point_rows = [], []
    rows += _insert(Customer, customer_rows) + _insert(ContactPoint, point_rows)
    db.session.commit()

    batch = []
    contact_id = 0
    for n in range(1, customers + 1):
        for k in range(contacts_each):
            contact_id += 1
            batch.append(
                {
                    "id": contact_id,
                    "customer_id": n,
                    "name": f"联系人 {n}-{k}",
                    "title": "经理" if k == 0 else "Buyer",
                    "is_primary": k == 0,
                    "phones": [],
                    "emails": [],
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
        if len(batch) >= BATCH:
            rows += _insert(Contact, batch)
            batch = []
    rows += _insert(Contact, batch)
    db.session.commit()

    batch = []
    total_activities = customers * activities_each + timeline
    for i in range(total_activities):
        customer_id = 1 if i < timeline else rng.randrange(2, customers + 1)
        owner_id = owners[0][0] if customer_id == 1 else rng.choice(owners)[0]
        at = now - timedelta(minutes=rng.randrange(0, 525_600))
        # half the activities are with one of the customer's contacts
        contact = (
            (customer_id - 1) * contacts_each + 1 + rng.randrange(contacts_each)
            if contacts_each and rng.random() < 0.5
            else None
        )
        batch.append(
            {
                "kind": rng.choice(KINDS),
                "subject": f"Follow-up {i}",
                "body": "Discussed the renewal and next steps.",
                "occurred_at": at,
                "customer_id": customer_id,
                "owner_id": owner_id,
                "contact_id": contact,
                "created_at": at,
                "updated_at": at,
                "version": 1,
            }
        )
        if len(batch) == BATCH:
            rows += _insert(Activity, batch)
            batch = []
    rows += _insert(Activity, batch)
    db.session.commit()
    reset_sequences()
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "seconds": seconds,
        "rate": rows / seconds,
        "customers": customers,
        "contacts": contact_id,
        "activities": total_activities,
        "teams": len(teams),
        "users": len(users),
    }


def reset_sequences(tables=("customer", "contact")) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them past the rows."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        db.session.execute(
            db.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        )
    db.session.commit()


def bench_user() -> User:
    return db.session.scalar(select(User).where(User.email == BENCH_EMAIL))


def team_size(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Customer).where(Customer.team_id == user.team_id)
    )
