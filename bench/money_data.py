"""The money benchmark's data set: contracts, their receivable plans,
payments and the approvals they went through, in bulk (bench/bulk.py).

On the customers and 100 users of bench/load.py (each team's first user a
``manager``, so every team has an approver), :func:`load_money` writes
``contracts`` contracts over three years (mostly CNY; drafts and pending ones
in the last two months, completed ones in the past), five instalments each on
average (exactly ``5 × contracts``; each contract's instalments sum to its
amount), about four payments per contract (confirmed mostly, some pending
approval, rejected or reversed; ``collected`` and ``settled_on`` of the
instalments and ``collected`` of the contracts add up the confirmed ones, as
the receivables service keeps them), and ``contracts / 2`` approval requests
with their tasks in core's tables (bench/money_approvals.py): the newest
submissions of contracts of 100,000 or more and of payments of 50,000 or
more (when the flows began), every pending contract and payment among them,
waiting for its team's manager (or, at the second step of a contract of a
million or more, an admin).

The rows are drawn from one seeded stream by :meth:`Plans.each`, which is
run again for each table (contracts, instalments, payments): the same plans
each time, so that no table has to wait in memory for another.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bench.bulk import bulk_insert, deferred_indexes
from bench.load import reset_sequences
from bench.money_approvals import (
    CONTRACT_FLOW_MIN,
    PAYMENT_FLOW_MIN,
    REQUEST_COLUMNS,
    TASK_COLUMNS,
    approvals,
    contract_requests,
    flows,
    managers,
    money,
)
from core.extensions import db

TABLES = (
    "sales_contract",
    "sales_instalment",
    "sales_payment",
    "approval_request",
    "approval_task",
)
CURRENCIES = ("CNY",) * 18 + ("USD", "EUR")
METHODS = ("bank_transfer",) * 16 + ("alipay", "wechat_pay", "cheque", "cash")
TERMS = (6, 12, 12, 12, 24, 36)  # months
CONTRACT_COLUMNS = (
    "id", "number", "title", "customer_id", "owner_id", "team_id", "status", "amount",
    "currency", "start_date", "end_date", "signed_date", "amendment", "termination_reason",
    "terminated_at", "collected", "invoiced", "created_at", "updated_at", "version",
)  # fmt: skip
INSTALMENT_COLUMNS = (
    "id", "contract_id", "number", "due_date", "amount", "currency", "collected", "settled_on",
    "customer_id", "owner_id", "team_id", "created_at", "updated_at", "version",
)  # fmt: skip
PAYMENT_COLUMNS = (
    "id", "contract_id", "instalment_id", "customer_id", "owner_id", "team_id", "amount",
    "currency", "paid_on", "method", "reference", "received_by_id", "status", "confirmed_at",
    "reversed_at", "reversal_reason", "created_at", "updated_at", "version",
)  # fmt: skip


def at(day: date, rng: random.Random) -> datetime:
    """A working-hours moment of ``day`` (UTC, as Beijing's 9:00–18:00)."""
    return datetime(day.year, day.month, day.day, 1, tzinfo=UTC) + timedelta(
        minutes=rng.randrange(540)
    )


@dataclass
class Plan:
    """One contract as drawn: its row's values, instalments and payments."""

    id: int
    customer_id: int
    owner_id: int
    team_id: int
    status: str
    amount: int  # cents
    currency: str
    created: datetime
    start: date
    end: date
    signed: date | None
    terminated: date | None
    #: [number, due_date, amount, collected, settled_on]
    instalments: list[list] = field(default_factory=list)
    #: (instalment number, amount, paid_on, status, moment)
    payments: list[tuple] = field(default_factory=list)

    @property
    def number(self) -> str:
        return f"HT-{self.created:%Y%m}-{self.id:06d}"


class Plans:
    """Every contract's plan in id order, from a seeded stream that restarts
    on each :meth:`each`; instalments are ``5 × contracts`` exactly and
    payments kept near ``4 × contracts`` by splitting settled instalments
    into two or three payments when behind."""

    def __init__(self, contracts: int, owners: dict[int, tuple[int, list[int]]], seed: int = 24):
        self.contracts, self.seed = contracts, seed
        self.owners = sorted(owners.items())  # owner id -> (team id, customer ids)
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.today = self.now.date()
        self.ord = self.today.toordinal()
        rng = random.Random(seed)
        self.counts = [5] * contracts  # instalments per contract, moved about, sum kept
        for _ in range(contracts * 2):
            a, b = rng.randrange(contracts), rng.randrange(contracts)
            if self.counts[a] > 1 and self.counts[b] < 12:
                self.counts[a] -= 1
                self.counts[b] += 1

    def each(self) -> Iterator[Plan]:
        rng = random.Random(self.seed + 1)
        instalments = payments = 0
        for n in range(1, self.contracts + 1):
            plan = self._contract(n, rng)
            self._instalments(plan, rng)
            behind = payments < 0.8 * instalments
            self._payments(plan, rng, behind)
            instalments += len(plan.instalments)
            payments += len(plan.payments)
            yield plan

    def _contract(self, n: int, rng: random.Random) -> Plan:
        owner_id, (team_id, customers) = self.owners[rng.randrange(len(self.owners))]
        created = self.now - timedelta(minutes=rng.randrange(3 * 525_600))
        amount = int(min(max(rng.lognormvariate(11.9, 1.1), 5_000), 20_000_000)) // 100 * 10_000
        age = (self.today - created.date()).days
        roll = rng.random()
        status = "signed"
        if age < 60 and roll < 0.65:
            status = "draft" if roll < 0.3 else "pending" if roll < 0.55 else "approved"
        if status == "pending" and amount < CONTRACT_FLOW_MIN:
            status = "approved"  # no flow applies: approved when submitted
        signed = terminated = None
        months = rng.choice(TERMS)
        if status == "signed":
            signed = min(self.today, created.date() + timedelta(days=rng.randrange(14)))
            start = signed + timedelta(days=rng.randrange(31))
        else:
            start = self.today + timedelta(days=rng.randrange(7, 60))
        end = start + timedelta(days=months * 30)
        if signed is not None:
            roll = rng.random()
            if end < self.today:
                status = "completed" if roll < 0.89 else "terminated" if roll < 0.93 else "active"
            else:
                status = (
                    "terminated" if roll < 0.03 else "signed" if start > self.today else "active"
                )
            if status == "terminated":
                terminated = start + timedelta(
                    days=rng.randrange(max(1, (self.today - start).days))
                )
                terminated = min(terminated, self.today)
        return Plan(
            n, rng.choice(customers), owner_id, team_id, status, amount,
            rng.choice(CURRENCIES), created, start, end, signed, terminated,
        )  # fmt: skip

    def _instalments(self, plan: Plan, rng: random.Random) -> None:
        k = self.counts[plan.id - 1]
        span = (plan.end - plan.start).days
        share = plan.amount // k
        for i in range(k):
            cents = share if i < k - 1 else plan.amount - share * (k - 1)
            plan.instalments.append(
                [i + 1, plan.start + timedelta(days=span * i // k), cents, 0, None]
            )

    def _payments(self, plan: Plan, rng: random.Random, behind: bool) -> None:
        """Payments on the instalments of a signed contract, and the sums they make."""
        if plan.signed is None:
            return
        for item in plan.instalments:
            number, due, cents = item[0], item[1], item[2]
            late = (self.today - due).days
            if plan.terminated is not None and due > plan.terminated:
                continue  # nothing more came in after the termination
            if plan.status == "completed":
                settle = 1.0
            elif late > 180:
                settle = 0.93
            elif late > 60:
                settle = 0.86
            elif late > 30:
                settle = 0.75
            elif late >= 0:
                settle = 0.5
            else:
                settle = 0.04 if late > -30 else 0.0  # paid early
            roll = rng.random()
            if roll < 0.02 and late > 0 and settle:  # paid, then sent back
                paid = due + timedelta(days=rng.randrange(20))
                if paid < self.today:
                    plan.payments.append((number, cents, paid, "reversed", at(paid, rng)))
            if roll < 0.005 and cents >= PAYMENT_FLOW_MIN and late > 0:
                paid = due + timedelta(days=rng.randrange(20))
                if paid < self.today:
                    plan.payments.append((number, cents, paid, "rejected", at(paid, rng)))
            paid = due + timedelta(days=rng.randrange(-5, 30))
            if plan.status == "completed":
                paid = min(paid, self.today)
            if rng.random() < settle and paid <= self.today:  # no payment dated after today
                parts = 1
                if rng.random() < (0.6 if behind else 0.0) and paid.toordinal() + 14 <= self.ord:
                    parts = rng.choice((2, 2, 3))
                piece = cents // parts
                for p in range(parts):
                    part = piece if p < parts - 1 else cents - piece * (parts - 1)
                    day = paid + timedelta(days=7 * p)
                    plan.payments.append((number, part, day, "confirmed", at(day, rng)))
                    item[3] += part
                    item[4] = day
                continue
            day = due + timedelta(days=rng.randrange(10))
            if late >= 0 and rng.random() < 0.4 and day <= self.today:  # overdue, partly paid
                part = cents * rng.randrange(30, 70) // 100
                plan.payments.append((number, part, day, "confirmed", at(day, rng)))
                item[3] += part
            rest = cents - item[3]
            if -30 <= late <= 60 and rest >= PAYMENT_FLOW_MIN and rng.random() < 0.6:
                day = self.today - timedelta(days=rng.randrange(10))
                moment = min(self.now - timedelta(minutes=5), at(day, rng))
                plan.payments.append((number, rest, day, "pending", moment))


def load_money(contracts: int, seed: int = 24, say=print) -> dict:
    """Write the money data set over the loaded customers; return counts and seconds."""
    from core.models import Customer

    started = time.perf_counter()
    heads, admin_id = managers()
    made = flows()
    owners: dict[int, tuple[int, list[int]]] = {}
    for customer_id, owner_id, team_id in db.session.execute(
        select(Customer.id, Customer.owner_id, Customer.team_id).order_by(Customer.id)
    ):
        owners.setdefault(owner_id, (team_id, []))[1].append(customer_id)
    plans = Plans(contracts, owners, seed)
    # payment ids and approval candidates come out of the contracts' pass
    first_payment: list[int] = []
    info: list[tuple] = []  # number, customer, owner, team, currency by contract id - 1
    candidates: list[tuple] = []
    counts = {"contracts": 0, "instalments": 0, "payments": 0}

    def contract_rows():
        next_payment = 1
        for p in plans.each():
            first_payment.append(next_payment)
            info.append((p.number, p.customer_id, p.owner_id, p.team_id, p.currency))
            candidates.extend(contract_requests(p, plans.now, rng))
            for k, (_n, cents, _paid, status, moment) in enumerate(p.payments):
                if cents >= PAYMENT_FLOW_MIN:
                    outcome = {"pending": "pending", "rejected": "rejected"}.get(status, "approved")
                    candidates.append(
                        (moment, "sales.payment", next_payment + k, p.id, outcome, cents)
                    )
            next_payment += len(p.payments)
            collected = sum(i[3] for i in p.instalments)
            updated = max([p.created] + [m for *_r, m in p.payments])
            yield (
                p.id, p.number, f"Contract {p.id}", p.customer_id, p.owner_id, p.team_id,
                p.status, money(p.amount), p.currency, p.start, p.end, p.signed, 0,
                "Customer cancelled" if p.terminated else None,
                at(p.terminated, rng) if p.terminated else None,
                money(collected), "0.00", p.created, updated, 1,
            )  # fmt: skip

    def instalment_rows():
        n = 0
        for p in plans.each():
            for number, due, cents, collected, settled in p.instalments:
                n += 1
                settled_on = settled if collected == cents else None
                yield (
                    n, p.id, number, due, money(cents), p.currency, money(collected), settled_on,
                    p.customer_id, p.owner_id, p.team_id, p.created, p.created, 1,
                )  # fmt: skip

    def payment_rows():
        first_instalment = 0
        for p in plans.each():
            pid = first_payment[p.id - 1]
            for k, (number, cents, paid, status, moment) in enumerate(p.payments):
                confirmed = (
                    moment + timedelta(hours=2) if status in ("confirmed", "reversed") else None
                )
                reversed_at = moment + timedelta(days=3) if status == "reversed" else None
                yield (
                    pid + k, p.id, first_instalment + number, p.customer_id, p.owner_id,
                    p.team_id, money(cents), p.currency, paid, rng.choice(METHODS),
                    f"TX{pid + k:08d}", p.owner_id, status, confirmed, reversed_at,
                    "Returned by the bank" if reversed_at else None, moment,
                    reversed_at or confirmed or moment, 1,
                )  # fmt: skip
            first_instalment += len(p.instalments)

    rng = random.Random(seed + 2)
    with deferred_indexes(TABLES, say):
        counts["contracts"] = bulk_insert("sales_contract", CONTRACT_COLUMNS, contract_rows())
        counts["instalments"] = bulk_insert(
            "sales_instalment", INSTALMENT_COLUMNS, instalment_rows()
        )
        counts["payments"] = bulk_insert("sales_payment", PAYMENT_COLUMNS, payment_rows())
        requests, tasks = approvals(candidates, contracts // 2, info, made, heads, admin_id, rng)
        counts["requests"] = bulk_insert("approval_request", REQUEST_COLUMNS, requests)
        counts["tasks"] = bulk_insert("approval_task", TASK_COLUMNS, tasks)
    reset_sequences(TABLES)
    counts["pending requests"] = sum(1 for r in requests if r[5] == "pending")
    counts["seconds"] = time.perf_counter() - started
    counts["rows"] = sum(
        counts[k] for k in ("contracts", "instalments", "payments", "requests", "tasks")
    )
    from plugins.sales.services import report_cells

    started = time.perf_counter()  # plain SQL passed the flush hooks: add the money cells up
    counts["cells"] = report_cells.rebuild()
    db.session.commit()
    counts["cells seconds"] = time.perf_counter() - started
    say(f"  {counts['cells']:,} report cells added up in {counts['cells seconds']:.1f} s")
    db.session.remove()
    db.engine.dispose()  # no connection keeps the loading settings (bench.bulk)
    return counts
