"""The approvals of the money benchmark's data set (bench/money_data.py):
each team's manager, the flows contracts and payments went through, and the
requests and tasks in core's approval tables as the engine leaves them —
every pending contract and payment waiting for its team's manager (or, at
the second step of a contract of a million or more, an admin), the decided
ones the newest submissions, as if the flows began at that moment."""

from __future__ import annotations

import heapq
import json
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from bench.load import BENCH_EMAIL
from core.extensions import db
from core.models import ApprovalFlow, ApprovalStep, Role, User

if TYPE_CHECKING:
    from bench.money_data import Plan

ADMIN_EMAIL = "bench.admin@example.com"
#: the flows' thresholds, in cents
CONTRACT_FLOW_MIN, LARGE_CONTRACT_MIN, PAYMENT_FLOW_MIN = 100_000_00, 1_000_000_00, 50_000_00
REQUEST_COLUMNS = (
    "id", "record_type", "record_id", "flow_id", "customer_id", "status", "title", "steps",
    "position", "submitted_by_id", "submitted_at", "decided_at", "version", "created_at",
    "updated_at",
)  # fmt: skip
TASK_COLUMNS = (
    "request_id", "position", "approver_id", "status", "decided_at", "created_at", "updated_at",
)  # fmt: skip


def money(cents: int) -> str:
    """Cents as the exact decimal text both databases read into NUMERIC(14, 2)."""
    return f"{cents // 100}.{cents % 100:02d}"


def managers() -> tuple[dict[int, int], int]:
    """Each team's first user made its ``manager`` (bench/load.py makes one);
    the admin the benchmark signs in as. Returns team id -> manager id, admin id."""
    from core.services.users import create_user

    manager = db.session.scalar(select(Role).where(Role.name == "manager"))
    heads: dict[int, int] = {}
    for user in db.session.scalars(select(User).where(User.team_id.is_not(None)).order_by(User.id)):
        if user.team_id not in heads:
            heads[user.team_id] = user.id
            user.role = manager
    admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
    if admin is None:
        admin = create_user(
            {"email": ADMIN_EMAIL, "name": "Bench admin", "password": "bench password 1"},
            None,
            role="admin",
        )
    db.session.commit()
    assert db.session.scalar(select(User.team_id).where(User.email == BENCH_EMAIL)) in heads
    return heads, admin.id


def flows() -> dict[str, tuple[int, list[dict]]]:
    """The flows the requests went through: key -> (flow id, its steps as a request copies them)."""
    step = {"position": 0, "kind": "team_manager", "role": None, "user_ids": [], "mode": "any"}
    admin = {**step, "position": 1, "kind": "role", "role": "admin"}
    made = {}
    for key, record_type, name, minimum, steps in (
        ("large", "sales.contract", "Large contracts", LARGE_CONTRACT_MIN, [step, admin]),
        ("contract", "sales.contract", "Contracts", CONTRACT_FLOW_MIN, [step]),
        ("payment", "sales.payment", "Payments", PAYMENT_FLOW_MIN, [step]),
    ):
        flow = ApprovalFlow(
            record_type=record_type,
            name=name,
            priority=10 if key == "large" else 100,
            condition={"field": "amount", "op": "gte", "value": minimum // 100},
            steps=[
                ApprovalStep(position=s["position"], approver_kind=s["kind"], role_name=s["role"])
                for s in steps
            ],
        )
        db.session.add(flow)
        db.session.flush()
        made[key] = (flow.id, steps)
    db.session.commit()
    return made


def contract_requests(p: Plan, now: datetime, rng: random.Random) -> list[tuple]:
    """(submitted, record type, record id, contract id, outcome, cents) of a contract's requests."""
    if p.amount < CONTRACT_FLOW_MIN or (p.status == "draft" and rng.random() > 0.1):
        return []
    submitted = min(now - timedelta(minutes=10), p.created + timedelta(hours=rng.randrange(1, 48)))
    outcome = {"draft": "rejected", "pending": "pending"}.get(p.status, "approved")
    found = [(submitted, "sales.contract", p.id, p.id, outcome, p.amount)]
    if outcome == "approved" and rng.random() < 0.05:  # rejected once, changed, approved
        found.append(
            (submitted - timedelta(days=2), "sales.contract", p.id, p.id, "rejected", p.amount)
        )
    return found


def approvals(candidates, total, info, made, heads, admin_id, rng) -> tuple[list, list]:
    """The ``total`` requests (every pending one, then the newest decided) and their tasks."""
    pending = [c for c in candidates if c[4] == "pending"]
    decided = heapq.nlargest(
        max(0, total - len(pending)),
        (c for c in candidates if c[4] != "pending"),
        key=lambda c: c[0],
    )
    candidates.clear()
    requests, tasks = [], []
    for rid, (submitted, kind, record_id, contract_id, outcome, cents) in enumerate(
        sorted(pending + decided, key=lambda c: (c[0], c[2])), start=1
    ):
        number, customer_id, owner_id, team_id, currency = info[contract_id - 1]
        key = (
            "payment"
            if kind == "sales.payment"
            else "large"
            if cents >= LARGE_CONTRACT_MIN
            else "contract"
        )
        flow_id, steps = made[key]
        head = heads.get(team_id, admin_id)
        approvers = [head if head != owner_id else admin_id, admin_id][: len(steps)]
        reached = len(steps) - 1 if outcome == "approved" else 0
        if outcome == "pending" and len(steps) > 1 and rng.random() < 0.4:
            reached = 1
        decided_at = submitted + timedelta(minutes=rng.randrange(20, 4320))
        title = f"{number} · {money(cents)} {currency}"
        for position in range(reached + 1):
            waiting = outcome == "pending" and position == reached
            status = "waiting" if waiting else "rejected" if outcome == "rejected" else "approved"
            when = (
                None
                if waiting
                else submitted + (decided_at - submitted) * (position + 1) / (reached + 1)
            )
            tasks.append(
                (rid, position, approvers[position], status, when, submitted, when or submitted)
            )
        final = None if outcome == "pending" else decided_at
        requests.append((
            rid, kind, record_id, flow_id, customer_id, outcome, title, json.dumps(steps),
            reached, owner_id, submitted, final, 1 + (0 if final is None else 1), submitted,
            final or submitted,
        ))  # fmt: skip
    return requests, tasks
