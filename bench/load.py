"""Generate the benchmark data set straight into the tables.

100 users in 10 teams; customers spread over the owners (each customer in
its owner's team), each with a phone (also a contact point) and an e-mail;
three contacts per customer; activities ten per customer, except one
customer of the benchmark user who gets 1,000 (the timeline case). The
customers' and contacts' search documents are written with them.

Rows go in as finished tuples (:mod:`bench.bulk`): COPY on PostgreSQL,
executemany on SQLite, with the secondary indexes built after the load.
``SCALES`` names the sizes (``--scale 100k|1m|10m``, or a number of
customers).
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import func, select

from bench.bulk import BATCH, Stored, bulk_insert, deferred_indexes, progress_bar
from bench.common import SCALES, parse_scale
from core.declarations import Searchable
from core.extensions import db
from core.models import Customer, User
from core.models.customers import name_key
from core.registry import current_registry
from core.search.writer import document
from core.services.users import create_team, create_user, ensure_default_roles

__all__ = ["BATCH", "SCALES", "bulk_insert", "load", "parse_scale", "reset_sequences"]

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
TABLES = ("customer", "contact_point", "contact", "activity", "search_document")
CUSTOMER_COLUMNS = (
    "id",
    "name",
    "name_key",  # the duplicate check's (core.models.customers.name_key)
    "kind",
    "stage",
    "grade",
    "source",
    "owner_id",
    "team_id",
    "city",
    "phones",
    "emails",
    "custom_fields",
    "created_at",
    "updated_at",
    "last_contacted_at",
    "version",
)
POINT_COLUMNS = ("kind", "value", "customer_id", "created_at", "updated_at")
CONTACT_COLUMNS = (
    "id",
    "customer_id",
    "name",
    "title",
    "is_primary",
    "phones",
    "emails",
    "created_at",
    "updated_at",
    "version",
)
ACTIVITY_COLUMNS = (
    "kind",
    "subject",
    "body",
    "occurred_at",
    "customer_id",
    "owner_id",
    "contact_id",
    "created_at",
    "updated_at",
    "version",
)
DOCUMENT_COLUMNS = ("kind", "record_id", "f0", "f1", "f2", "f3")


def name(rng: random.Random, n: int) -> str:
    words = [rng.choice(SYLLABLES).capitalize() for _ in range(2)]
    return f"{''.join(words)} {rng.choice(CITIES)} {n}"


def _people() -> tuple[list, list]:
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
    return teams, users


class Generator:
    """The rows of each table, as tuples in stored form, from one seeded
    random stream (the same data as the earlier row-by-row loader drew)."""

    def __init__(self, customers: int, contacts_each: int, owners: list, seed: int):
        self.customers, self.contacts_each, self.owners = customers, contacts_each, owners
        self.rng = random.Random(seed)
        self.now = datetime.now(UTC)
        self.stored = Stored(db.engine.dialect.name)
        self.at = lru_cache(maxsize=None)(self._at)  # minutes ago → stored time
        self.names: list[str] = []  # the customers', for their search documents
        declared = current_registry().searchables
        self.searchable: dict[str, Searchable] = {
            k: declared[k] for k in ("customer", "contact") if k in declared
        }

    def _at(self, minutes: int) -> str:
        return self.stored.time(self.now - timedelta(minutes=minutes))

    def _document(self, kind: str, record_id: int, values: dict) -> tuple:
        item = self.searchable[kind]
        doc = document(item, [values.get(field) for field in item.fields])
        return (kind, record_id, *(doc.get(column) for column in DOCUMENT_COLUMNS[2:]))

    def document_rows(self):
        """Each customer's and contact's search document, as
        ``core.search.writer`` writes it on an ORM flush."""
        if "customer" in self.searchable:
            for n, title in enumerate(self.names, 1):
                phones, emails = [f"+86138{n:08d}"], [f"info{n}@example.com"]
                yield self._document(
                    "customer", n, {"name": title, "phones": phones, "emails": emails}
                )
        if "contact" in self.searchable:
            contact_id = 0
            for n in range(1, self.customers + 1):
                for k in range(self.contacts_each):
                    contact_id += 1
                    values = {"name": f"联系人 {n}-{k}", "phones": [], "emails": []}
                    yield self._document("contact", contact_id, values)

    def point_rows(self):
        now = self.stored.time(self.now)
        for n in range(1, self.customers + 1):
            yield ("phone", f"+86138{n:08d}", n, now, now)

    def customer_rows(self):
        rng, owners, stored = self.rng, self.owners, self.stored
        empty = stored.json({})
        for n in range(1, self.customers + 1):
            owner_id, team_id = owners[0] if n == 1 else rng.choice(owners)
            touched = self.at(rng.randrange(0, 525_600))
            phone, email = f"+86138{n:08d}", f"info{n}@example.com"
            title = name(rng, n)
            self.names.append(title)
            yield (
                n,
                title,
                name_key(title),
                "company",
                rng.choice(STAGES),
                rng.choice("ABCD"),
                rng.choice(("web", "referral", "expo")),
                owner_id,
                team_id,
                rng.choice(CITIES),
                stored.json([phone]),
                stored.json([email]),
                empty,
                touched,
                touched,
                touched,
                1,
            )

    def contact_rows(self):
        stored, now, empty = self.stored, self.stored.time(self.now), self.stored.json([])
        primary, other = stored.boolean(True), stored.boolean(False)
        contact_id = 0
        for n in range(1, self.customers + 1):
            for k in range(self.contacts_each):
                contact_id += 1
                yield (
                    contact_id,
                    n,
                    f"联系人 {n}-{k}",
                    "经理" if k == 0 else "Buyer",
                    primary if k == 0 else other,
                    empty,
                    empty,
                    now,
                    now,
                    1,
                )

    def activity_rows(self, total: int, timeline: int):
        rng, owners, each = self.rng, self.owners, self.contacts_each
        for i in range(total):
            customer_id = 1 if i < timeline else rng.randrange(2, self.customers + 1)
            owner_id = owners[0][0] if customer_id == 1 else rng.choice(owners)[0]
            at = self.at(rng.randrange(0, 525_600))
            # half the activities are with one of the customer's contacts
            contact = (
                (customer_id - 1) * each + 1 + rng.randrange(each)
                if each and rng.random() < 0.5
                else None
            )
            kind = rng.choice(KINDS)
            yield (
                kind,
                f"Follow-up {i}",
                "Discussed the renewal and next steps.",
                at,
                customer_id,
                owner_id,
                contact,
                at,
                at,
                1,
            )


def load(
    customers: int,
    contacts_each: int = 3,
    activities_each: int = 10,
    timeline: int = 1_000,
    seed: int = 7,
    progress: bool = True,
) -> dict:
    """Fill an empty, migrated database; return counts and the load rate
    (rows and search documents written per second, the index builds
    included). ``progress``: a bar on stderr."""
    if db.session.scalar(select(func.count()).select_from(Customer)):
        raise SystemExit("the benchmark database already holds customers; use a fresh one")
    teams, users = _people()
    owners = [(user.id, user.team_id) for user in users]
    gen = Generator(customers, contacts_each, owners, seed)
    contacts = customers * contacts_each
    activities = customers * activities_each + timeline
    documents = sum(
        n for kind, n in (("customer", customers), ("contact", contacts)) if kind in gen.searchable
    )
    total = 2 * customers + contacts + activities + documents
    say = (lambda text: print(text, file=sys.stderr, flush=True)) if progress else (lambda _t: None)
    started, cpu = time.perf_counter(), time.process_time()
    with deferred_indexes(TABLES, say), progress_bar(total, "loading", progress) as advance:
        rows = _write("customer", CUSTOMER_COLUMNS, gen.customer_rows(), advance)
        rows += _write("contact_point", POINT_COLUMNS, gen.point_rows(), advance)
        rows += _write("contact", CONTACT_COLUMNS, gen.contact_rows(), advance)
        rows += _write(
            "activity", ACTIVITY_COLUMNS, gen.activity_rows(activities, timeline), advance
        )
        written = _write("search_document", DOCUMENT_COLUMNS, gen.document_rows(), advance)
        gen.names.clear()
    reset_sequences()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    db.session.remove()
    db.engine.dispose()  # no connection keeps the loading settings (bench.bulk)
    return {
        "rows": rows + written,
        "data_rows": rows,
        "documents": written,
        "seconds": seconds,
        "cpu_seconds": cpu,  # this process's: on SQLite all the work, not the server's
        "rate": (rows + written) / seconds,
        "customers": customers,
        "contacts": contacts,
        "activities": activities,
        "teams": len(teams),
        "users": len(users),
    }


def _write(table: str, columns: tuple[str, ...], rows, advance) -> int:
    return bulk_insert(table, columns, rows, progress=advance, stored=True)


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
    user = db.session.scalar(select(User).where(User.email == BENCH_EMAIL))
    if user is None:
        raise SystemExit("no benchmark user: load the data set first")
    return user


def team_size(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(Customer).where(Customer.team_id == user.team_id)
        )
        or 0
    )
