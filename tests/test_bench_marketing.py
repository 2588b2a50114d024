"""The segment benchmark (bench/marketing.py) at 300 customers: its loader
lands the customers, activities and tags it says (the tag index it set aside
is back), and its measuring loop, run once per request, answers every
segment's count and first page with the members worked out here in Python
from the loaded rows — for the admin (all), the manager (team) and the rep
(own), on SQLite and PostgreSQL. No timing is checked."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

CUSTOMERS = 300


@pytest.fixture
def loaded(app):
    from bench.marketing import load_all, save_segments
    from core.extensions import db

    figures = load_all(CUSTOMERS, activities_each=3, progress=False)
    yield figures, save_segments()
    db.session.remove()


def matches(segment: str, customer, tags: set[str], recent: int, now: datetime) -> bool:
    """What each of bench.marketing.SEGMENTS asks, in Python."""
    if segment == "three conditions":
        old = customer.last_contacted_at < now - timedelta(days=60)
        return customer.grade.value in ("A", "B") and old and "vip" in tags
    if segment == "activities":
        return customer.grade.value == "A" and recent >= 2
    return customer.grade.value == "A" or "expo" in tags or customer.city == "上海"


def test_the_runner_counts_what_the_rows_hold(app, loaded):
    from bench.core_api import StatementLog
    from bench.marketing import TAGS, people, run
    from core.extensions import db
    from core.models import Activity, Customer, Tag, User, customer_tag
    from core.services.tokens import create_token

    figures, segments = loaded
    tag_rows = db.session.scalar(select(func.count()).select_from(customer_tag))
    activities = db.session.scalar(select(func.count()).select_from(Activity))
    assert figures["customers"] == CUSTOMERS and activities == 3 * CUSTOMERS
    assert figures["tag_rows"] == len(TAGS) + tag_rows and tag_rows > 0
    assert set(segments) == {"three conditions", "activities", "any"}
    index = db.inspect(db.engine).get_indexes("customer_tag")
    assert any(i["column_names"] == ["tag_id"] for i in index)  # built again after the load

    now = datetime.now(UTC)
    tags: dict[int, set[str]] = defaultdict(set)
    for customer_id, name in db.session.execute(
        select(customer_tag.c.customer_id, Tag.name).join(Tag, Tag.id == customer_tag.c.tag_id)
    ):
        tags[customer_id].add(name)
    recent = Counter(
        db.session.scalars(
            select(Activity.customer_id).where(Activity.occurred_at >= now - timedelta(days=90))
        )
    )
    customers = db.session.execute(select(Customer)).scalars().all()
    viewers = {}
    for role, email in people():
        user = db.session.scalar(select(User).where(User.email == email))
        viewers[role] = (user, create_token(user, "bench", None)[1])
    db.session.commit()
    expected = {}
    for role, (user, _token) in viewers.items():
        seen = [
            c
            for c in customers
            if role.startswith("admin")
            or (role.startswith("manager") and c.team_id == user.team_id)
            or (role.startswith("rep") and c.owner_id == user.id)
        ]
        for segment in segments:
            expected[segment, role] = sum(
                matches(segment, c, tags[c.id], recent[c.id], now) for c in seen
            )
    assert expected["three conditions", "manager (team)"] > 0  # the data set reaches them

    log = StatementLog(db.engine)
    tokens = [(role, token) for role, (_user, token) in viewers.items()]
    rows = run(app, log, tokens, segments, requests=1)
    assert len(rows) == 3 * 3 * 2
    for row in rows:
        segment, rest = row["name"].split(", ", 1)
        what, role = rest.split(" — ")
        assert row["count"] == expected[segment, role], row["name"]
        if what == "first page":
            assert row["shown"] == min(50, row["count"]), row["name"]
        assert row["statements"] > 0
