"""The insurance benchmark's data set (issue 17): a book of policy terms with
their instalments, payments, transactions, commission and claims, written in
bulk.

On the customers and 100 users of bench/load.py (each team's first user its
``manager`` and team leader, the others ``insurance_agent``; every user an
``insurance_agent`` row whose upline is the team's manager), :func:`load_insurance`
writes three carriers and five products (one per line of business, 12-month
terms, their grace, renewal and clawback terms), a commission rule per
product, then ``terms`` policy terms drawn as renewal chains over five years:

- A chain (one policy number) starts on a day of the last five years; each
  term lasts 12 months. A term that ended was renewed (62 %), expired (24 %;
  one that ended yesterday is still ``in_force`` — tonight's job expires it;
  a fifth of the recently expired are marked lost), lapsed (9 %, a term
  paid by instalments: the first unpaid instalment + the product's grace
  days) or cancelled (5 %; a fifth of them in the cooling-off period).
- The term covering today is lapsed (5 %) or cancelled (3 %) already, else
  live: renewed ahead (a third of those ending within 30 days: its
  successor, in force from its end, is in the book), or in force with every
  instalment due before today paid — except the roles the nightly job
  meets: ``in_force`` with yesterday's instalment unpaid (0.5 % of the live
  terms: they enter grace tonight), ``grace`` whose grace ended yesterday
  (0.3 %: they lapse tonight), ``grace`` with an unpaid instalment within
  its grace days (4 %). 1 % of the live terms were lapsed and reinstated.
- Instalments as ``schedule.make_schedule`` writes them (annual, semiannual,
  quarterly or monthly by product; the first takes the cents' remainder),
  ``paid`` / ``settled_on`` from one payment each (paid a few days either
  side of the due date, never after yesterday); ``next_due_on``,
  ``paid_to_date`` and ``grace_ends_on`` follow them as
  ``schedule.refresh_dues`` and the arrears job set them. A cancellation
  closes the later instalments at what was paid and pays a refund (a
  negative payment); its transaction takes the unexpired premium off (all
  of it in the cooling-off period), as a lapse's does.
- Transactions: ``new_business`` or ``renewal`` per term, ``lapse``,
  ``cancellation``, ``reinstatement``; the customer, agent, team, carrier,
  product, line and currency copied in as ``add_transaction`` does.
- Commission lines (as ``lines.book_payment`` writes them: the agent's line
  and the team leader's override) only for the payments of the last 13
  months — a representative fraction (older lines sit on issued statements
  nobody rebuilds), with the clawbacks of the lapses and cancellations in
  that time; each agent's statement of every month before last month issued
  and holding its lines (last month's is what the benchmark builds).
- ``claims`` claims on terms that had started (about 5 events each: report,
  documents, submit, assess, decide, pay, close as far as their age took
  them; reserve and paid deltas add up to the claim's reserve and paid
  amount), reported up to 20 days after the loss.
- ``p13`` / ``p25`` set on term 1 rows old enough, as the persistency job
  would (kept = the policy still covered 13 / 25 months after inception).

Not generated: insured persons, objects, coverages, households, quotes,
endorsements and carrier statements (no measured request reads them).

Everything is drawn in one pass from a seeded stream and written to one
temporary file per table (PostgreSQL's COPY text format), then loaded:
``COPY … FROM STDIN`` on PostgreSQL, ``executemany`` on SQLite, with the
tables' secondary indexes (and PostgreSQL's foreign keys) set aside and built
after (bench/bulk.py)."""

from __future__ import annotations

import csv
import json
import os
import random
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from bench.bulk import BATCH, _for_loading, deferred_indexes
from bench.load import reset_sequences
from core.extensions import db

DAY = timedelta(days=1)
YEARS = 5
#: the big tables, loaded from files with their indexes set aside
TABLES = (
    "insurance_policy",
    "insurance_transaction",
    "insurance_instalment",
    "insurance_payment",
    "insurance_agent_statement",
    "insurance_commission_line",
    "insurance_claim",
    "insurance_claim_event",
)
COLUMNS = {
    "insurance_policy": (
        "id", "number", "term_no", "predecessor_id", "inception_on", "customer_id",
        "product_id", "carrier_id", "line", "status", "frequency", "annual_premium",
        "term_premium", "currency", "sum_insured", "start_date", "end_date", "quoted_at",
        "bound_at", "issued_at", "issued_on", "cooling_off_ends_on", "next_due_on",
        "paid_to_date", "grace_ends_on", "lapsed_on", "cancelled_on", "cancel_reason",
        "renewal_outcome", "lost_reason", "p13", "p25", "agent_id", "team_id", "created_at",
        "updated_at", "version",
    ),
    "insurance_transaction": (
        "id", "policy_id", "seq", "kind", "effective_on", "booked_on", "premium_delta",
        "annual_premium_after", "refund", "reason", "customer_id", "agent_id", "team_id",
        "carrier_id", "product_id", "line", "currency", "created_at", "updated_at",
    ),
    "insurance_instalment": (
        "id", "policy_id", "seq", "due_on", "amount", "paid", "settled_on", "customer_id",
        "agent_id", "team_id", "currency", "created_at", "updated_at", "version",
    ),
    "insurance_payment": (
        "id", "policy_id", "instalment_id", "amount", "paid_on", "method", "reference",
        "received_by_id", "customer_id", "agent_id", "team_id", "currency", "created_at",
        "updated_at", "version",
    ),
    "insurance_commission_line": (
        "id", "kind", "payment_id", "policy_id", "term_no", "basis", "carrier_id",
        "product_id", "agent_id", "team_id", "month", "currency", "premium", "rate",
        "expected", "agent_amount", "agent_statement_id", "created_at", "updated_at",
    ),
    "insurance_agent_statement": (
        "id", "agent_id", "team_id", "month", "currency", "status", "commission", "overrides",
        "clawbacks", "total", "issued_at", "created_at", "updated_at", "version",
    ),
    "insurance_claim": (
        "id", "number", "policy_id", "customer_id", "agent_id", "team_id", "status",
        "loss_date", "reported_at", "channel", "description", "currency", "claimed_amount",
        "reserve", "approved_amount", "paid_amount", "paid_on", "decided_at", "closed_at",
        "reject_code", "reason", "exception", "risk_flags", "risk_count", "created_at",
        "updated_at", "version",
    ),
    "insurance_claim_event": (
        "id", "claim_id", "seq", "action", "from_status", "to_status", "reserve_delta",
        "paid_delta", "amount", "at", "event_on", "carrier_id", "product_id", "line",
        "agent_id", "team_id", "currency", "created_at", "updated_at",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class ProductSpec:
    """A benchmark product: its line, carrier, terms, frequencies (weights),
    premium (median yuan a year), commission rates in basis points and the
    claims it draws (share of terms with a claim, median claimed yuan)."""

    code: str
    name: str
    line: str
    carrier: int  # index into CARRIERS
    share: float  # of the chains
    grace: int
    frequencies: tuple[tuple[str, float], ...]
    premium: int
    first_year_bp: int
    renewal_bp: int
    claimed: int


CARRIERS = (("HXL", "华夏人寿 Huaxia Life"), ("DFC", "东方财险 Dongfang P&C"), ("APM", "安平互助"))
PRODUCTS = (
    ProductSpec("HX-TL20", "定期寿险 Term life", "life", 0, 0.15, 60,
                (("monthly", 0.5), ("annual", 0.35), ("semiannual", 0.1), ("quarterly", 0.05)),
                5_800, 3500, 500, 60_000),
    ProductSpec("HX-MED", "百万医疗 Medical", "health", 0, 0.25, 30,
                (("monthly", 0.5), ("quarterly", 0.2), ("annual", 0.3)), 2_400, 2500, 800, 6_000),
    ProductSpec("AP-ACC", "意外险 Accident", "accident", 2, 0.15, 30,
                (("annual", 0.8), ("quarterly", 0.2)), 480, 2000, 1000, 3_000),
    ProductSpec("DF-MOT", "机动车商业险 Motor", "motor", 1, 0.35, 30,
                (("annual", 0.6), ("monthly", 0.4)), 4_600, 1200, 1200, 8_000),
    ProductSpec("DF-HOME", "家财险 Home", "property", 1, 0.10, 30,
                (("annual", 0.8), ("semiannual", 0.2)), 1_500, 1500, 1000, 12_000),
)  # fmt: skip
PER_YEAR = {"annual": 1, "semiannual": 2, "quarterly": 4, "monthly": 12}
AGENT_SHARE_BP, OVERRIDE_BP = 7000, 500
METHODS = ("bank_transfer",) * 3 + ("direct_debit",) * 4 + ("alipay", "wechat_pay", "card")
LOST = ("price", "competitor", "not_needed", "unreachable", "service")
#: the live terms' shares the nightly job meets (see the module's docstring)
ENTER_SHARE, LAPSE_SHARE, GRACE_SHARE, REINSTATED_SHARE = 0.005, 0.003, 0.04, 0.01
#: a claim's steps, in order, and the days each takes after the previous
CLAIM_PATHS = {
    "paid": ("report", "submit", "assess", "approve", "pay", "close"),
    "partial": (
        "report",
        "request_documents",
        "submit",
        "assess",
        "approve_partially",
        "pay",
        "close",
    ),  # fmt: skip
    "rejected": ("report", "submit", "assess", "reject", "close"),
    "withdrawn": ("report", "withdraw"),
}
TO_STATUS = {
    "report": "reported",
    "request_documents": "documents_pending",
    "submit": "submitted",
    "assess": "assessing",
    "approve": "approved",
    "approve_partially": "partially_approved",
    "reject": "rejected",
    "pay": "paid",
    "close": "closed",
    "withdraw": "closed",
}


def add_months(day: date, months: int) -> date:
    """``day`` + ``months``, the day clamped to the month's end (core's rule)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - DAY).day
    return date(year, month, min(day.day, last))


def money(cents: int) -> str:
    """Cents as exact decimal text (negative too)."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero (services/terms.half_up on cents)."""
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    return sign * ((2 * abs(numerator) + abs(denominator)) // (2 * abs(denominator)))


def prorate(cents: int, part: int, whole: int) -> int:
    return half_up(cents * part, whole) if whole > 0 else 0


def split(total: int, count: int) -> list[int]:
    """``schedule.split``: floored parts, the first taking the rest."""
    part = total // count
    return [total - part * (count - 1), *([part] * (count - 1))]


@dataclass
class Term:
    """One policy term as drawn."""

    id: int
    term_no: int
    start: date
    end: date
    premium: int  # cents, the term's (= a year's)
    issued_on: date
    status: str = "in_force"
    #: [due_on, amount, paid, settled_on, paid_on]
    instalments: list[list] = field(default_factory=list)
    #: (kind, effective_on, booked_on, delta, refund)
    transactions: list[tuple] = field(default_factory=list)
    refunds: list[tuple[date, int]] = field(default_factory=list)  # (paid_on, negative cents)
    lapsed_on: date | None = None
    cancelled_on: date | None = None
    cancel_reason: str | None = None
    grace_ends_on: date | None = None
    renewal_outcome: str | None = None
    lost_reason: str | None = None
    clawback_on: date | None = None  # a lapse or cancellation of term 1 (its effective day)

    @property
    def covered_to(self) -> date:
        return self.lapsed_on or self.cancelled_on or self.end


class Book:
    """Draws the chains and writes every table's rows to its file."""

    def __init__(
        self, terms: int, claims: int, agents: dict, customers: list, on: date, seed=17, folder=""
    ):
        self.terms, self.claims_wanted, self.seed = terms, claims, seed
        self.agents = agents  # user id -> (team id, upline user id or None)
        self.customers = customers  # (customer id, owner id, team id)
        self.today = on
        self.rng = random.Random(seed)
        this_month = on.replace(day=1)
        self.last_month = add_months(this_month, -1)
        self.lines_from = add_months(this_month, -12)  # commission lines from this month on
        self.counts: dict[str, int] = defaultdict(int)
        self.ids: dict[str, int] = defaultdict(int)
        self.live = 0
        self.roles: dict[str, int] = defaultdict(int)
        self.statements: dict[tuple[int, str, date], list[int]] = {}  # -> [id, c, o, cb]
        self.products: list[tuple[ProductSpec, int, int]] = []  # spec, product id, carrier id
        self.folder = folder or tempfile.mkdtemp(prefix="trellis-bench-insurance-")
        self.files = {
            t: open(os.path.join(self.folder, t + ".tsv"), "w", encoding="utf-8", newline="")
            for t in TABLES
        }
        self.writers = {
            t: csv.writer(f, delimiter="\t", lineterminator="\n") for t, f in self.files.items()
        }
        self._times: dict[tuple[date, int], str] = {}
        self.cumulative: list[float] = []
        self.chains = 0

    # -- writing -------------------------------------------------------------------

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def write(self, table: str, row: tuple) -> None:
        assert len(row) == len(COLUMNS[table]), table
        self.writers[table].writerow(row)
        self.counts[table] += 1

    def time(self, day: date, minutes: int = 120) -> str:
        """A moment of ``day`` (UTC, to the quarter hour) as SQLite stores it and
        PostgreSQL reads it in a UTC session."""
        key = (day, minutes // 15)
        found = self._times.get(key)
        if found is None:
            hours, quarter = divmod(minutes // 15, 4)
            found = self._times[key] = f"{day.isoformat()} {hours:02d}:{quarter * 15:02d}:00.000000"
        return found

    # -- drawing ------------------------------------------------------------------

    def run(self) -> None:
        total = 0
        weights = [spec.share for spec, _p, _c in self.products]
        acc, self.cumulative = 0.0, []
        for w in weights:
            acc += w
            self.cumulative.append(acc)
        chain = 0
        while total < self.terms:
            chain += 1
            total += self.chain(chain)
        self.chains = chain
        self.finish()

    def pick(self, rng: random.Random, pairs):
        roll, acc = rng.random(), 0.0
        for value, weight in pairs:
            acc += weight
            if roll < acc:
                return value
        return pairs[-1][0]

    def chain(self, n: int) -> int:
        """Draw and write one policy's terms; how many."""
        rng, on = self.rng, self.today
        customer_id, agent_id, team_id = self.customers[rng.randrange(len(self.customers))]
        roll = rng.random() * self.cumulative[-1]
        index = next(i for i, c in enumerate(self.cumulative) if roll < c)
        spec, product_id, carrier_id = self.products[index]
        frequency = self.pick(rng, spec.frequencies)
        inception = on - timedelta(days=rng.randrange(YEARS * 365))
        annual = max(100, int(rng.lognormvariate(0, 0.45) * spec.premium)) * 100
        terms: list[Term] = []
        start, k = inception, 1
        context = (spec, product_id, carrier_id, frequency, customer_id, agent_id, team_id)
        while start <= on:
            end = add_months(start, 12) - DAY
            issued = start - timedelta(days=rng.randrange(0, 10 if k == 1 else 25))
            term = Term(self.next_id("insurance_policy"), k, start, end, annual, issued)
            self.schedule(term, frequency)
            terms.append(term)
            follow = self.past(term, spec, rng) if end < on else self.current(term, spec, rng)
            if follow is None:
                break
            start, k = end + DAY, k + 1
            annual = max(100_00, annual * rng.randrange(95, 108) // 100 // 100 * 100)
            if follow == "ahead":  # the successor issued before its start
                successor = Term(
                    self.next_id("insurance_policy"), k, start, add_months(start, 12) - DAY,
                    annual, on - timedelta(days=rng.randrange(1, 20)),
                )  # fmt: skip
                self.schedule(successor, frequency)
                if successor.instalments and rng.random() < 0.5:  # the first paid up front
                    self.pay(successor.instalments[0], successor.issued_on)
                terms.append(successor)
                break
        number = f"{CARRIERS[spec.carrier][0]}{inception:%Y}{n:08d}"
        for i, term in enumerate(terms):
            self.emit(term, terms[i - 1].id if i else None, terms, number, inception, context)
        return len(terms)

    def schedule(self, term: Term, frequency: str) -> None:
        count = PER_YEAR[frequency]
        step = 12 // count
        term.instalments = [
            [add_months(term.start, i * step), amount, 0, None, None]
            for i, amount in enumerate(split(term.premium, count))
        ]

    def pay(self, item: list, day: date) -> None:
        item[2], item[3], item[4] = item[1], day, day

    def pay_due(self, term: Term, rng: random.Random, upto: int | None = None) -> None:
        """Pay the instalments due before today (or the first ``upto``)."""
        yesterday = self.today - DAY
        for i, item in enumerate(term.instalments):
            if (upto is not None and i >= upto) or (upto is None and item[0] >= self.today):
                break
            day = min(yesterday, max(term.issued_on, item[0] + timedelta(rng.randrange(-7, 12))))
            self.pay(item, day)

    def open_from(self, term: Term, j: int) -> None:
        """Instalments ``j`` on unpaid: the dues follow (next_due_on, paid_to_date)."""
        for item in term.instalments[j:]:
            item[2], item[3], item[4] = 0, None, None

    def past(self, term: Term, spec: ProductSpec, rng: random.Random) -> str | None:
        """A term that ended before today: renewed ("next"), or its chain ends."""
        on = self.today
        roll = rng.random()
        if roll < 0.62:
            self.pay_due(term, rng)
            term.status = "renewed"
            return "next"
        if roll >= 0.86 and self.lapse(term, spec, rng, on - DAY):
            return None
        if roll >= 0.86:
            self.cancel(term, rng)
            return None
        self.pay_due(term, rng)
        term.status = "in_force" if term.end == on - DAY else "expired"  # tonight's job
        if (on - term.end).days <= 30 and rng.random() < 0.2:
            term.renewal_outcome, term.lost_reason = "lost", rng.choice(LOST)
        return None

    def lapse(self, term: Term, spec: ProductSpec, rng: random.Random, latest: date) -> bool:
        """Lapse ``term`` at an unpaid instalment whose grace ended by ``latest``;
        False when none can (an annual term, or grace not over yet)."""
        items = term.instalments
        ready = [j for j in range(len(items)) if items[j][0] + timedelta(spec.grace + 1) <= latest]
        if len(items) < 2 or not ready or rng.random() < 0.35:
            return False
        j = rng.choice(ready)
        self.pay_due(term, rng, upto=j)
        self.open_from(term, j)
        due = items[j][0]
        term.status, term.grace_ends_on = "lapsed", due + timedelta(spec.grace)
        term.lapsed_on = term.grace_ends_on + DAY
        effective = min(max(due, term.start), term.end)
        delta = -prorate(term.premium, (term.end - effective).days + 1, self.days(term))
        term.transactions.append(("lapse", effective, term.lapsed_on, delta, None))
        term.clawback_on = term.lapsed_on
        return True

    def days(self, term: Term) -> int:
        return (term.end - term.start).days + 1

    def cancel(self, term: Term, rng: random.Random) -> None:
        """Cancel at the customer's request (a fifth in the cooling-off period)."""
        latest = min(term.end, self.today - DAY)
        cooling = term.issued_on + timedelta(15)
        if rng.random() < 0.2 and term.start <= cooling <= latest:
            day = term.start + timedelta(rng.randrange(max(1, (cooling - term.start).days + 1)))
            reason = "cooling_off"
        else:
            day = term.start + timedelta(rng.randrange(max(1, (latest - term.start).days + 1)))
            reason = "customer_request"
        day = min(day, latest)
        self.pay_due(term, rng, upto=sum(1 for item in term.instalments if item[0] <= day))
        paid = 0
        for item in term.instalments:
            if item[3] is None:  # closed at what was paid
                item[1], item[3] = item[2], day
            paid += item[2]
        if reason == "cooling_off" and day <= cooling:
            delta = -term.premium
        else:
            delta = -prorate(term.premium, (term.end - day).days + 1, self.days(term))
        refund = max(0, paid - (term.premium + delta))
        term.status, term.cancelled_on, term.cancel_reason = "cancelled", day, reason
        term.transactions.append(("cancellation", day, day, delta, refund))
        if refund:
            term.refunds.append((day, -refund))
        term.clawback_on = day

    def current(self, term: Term, spec: ProductSpec, rng: random.Random) -> str | None:
        """The term covering today: lapsed, cancelled, renewed ahead or live (with a role)."""
        on = self.today
        roll = rng.random()
        if roll < 0.05 and self.lapse(term, spec, rng, on - DAY):
            return None
        if 0.05 <= roll < 0.08 and term.start < on:
            self.cancel(term, rng)
            return None
        self.pay_due(term, rng)
        for item in term.instalments:  # a few pay the next one early
            if item[3] is None and (item[0] - on).days < 10 and rng.random() < 0.3:
                self.pay(item, on - DAY)
        if (term.end - on).days < 30 and rng.random() < 0.35:
            term.status = "renewed"
            return "ahead"
        self.live += 1
        self.role(term, spec, rng)
        return None

    def role(self, term: Term, spec: ProductSpec, rng: random.Random) -> None:
        """What the nightly job meets on a live term: quotas of the live terms so far."""
        on, items, roles, live = self.today, term.instalments, self.roles, self.live
        dues = [item[0] for item in items]
        yesterday, lapse_due = on - DAY, on - timedelta(spec.grace + 1)
        if yesterday in dues and roles["enter"] < ENTER_SHARE * live:
            roles["enter"] += 1
            self.open_from(term, dues.index(yesterday))
            return
        if lapse_due in dues and roles["lapse"] < LAPSE_SHARE * live:
            roles["lapse"] += 1
            j = dues.index(lapse_due)
            self.open_from(term, j)
            term.status, term.grace_ends_on = "grace", lapse_due + timedelta(spec.grace)
            return
        within = [j for j, d in enumerate(dues) if lapse_due < d < yesterday]
        if within and roles["grace"] < GRACE_SHARE * live:
            roles["grace"] += 1
            j = rng.choice(within)
            self.open_from(term, j)
            term.status, term.grace_ends_on = "grace", dues[j] + timedelta(spec.grace)
            return
        ready = [j for j, d in enumerate(dues) if d + timedelta(spec.grace + 12) < on and j]
        if ready and roles["reinstated"] < REINSTATED_SHARE * live:
            roles["reinstated"] += 1
            due = dues[rng.choice(ready)]
            lapsed = due + timedelta(spec.grace + 1)
            back = lapsed + timedelta(rng.randrange(1, 10))
            effective = min(max(due, term.start), term.end)
            delta = -prorate(term.premium, (term.end - effective).days + 1, self.days(term))
            term.transactions.append(("lapse", effective, lapsed, delta, None))
            term.transactions.append(("reinstatement", back, back, -delta, None))

    # -- rows ----------------------------------------------------------------------

    def emit(self, term: Term, predecessor_id, terms, number, inception, context) -> None:
        spec, product_id, carrier_id, frequency, customer_id, agent_id, team_id = context
        on, rng = self.today, self.rng
        items = term.instalments
        paid_periods = 0
        for item in items:
            if item[3] is None or item[2] < item[1]:
                break
            paid_periods += 1
        step = 12 // PER_YEAR[frequency]
        paid_to = add_months(term.start, paid_periods * step) - DAY if paid_periods else None
        if paid_to is not None and paid_to > term.end:
            paid_to = term.end
        open_items = [item for item in items if item[3] is None]
        next_due = open_items[0][0] if open_items else None
        p13 = p25 = None
        if term.term_no == 1:  # the chain's cover ends with its last term, or goes on
            last = terms[-1]
            live = last.status in ("renewed", "grace", "in_force")
            cover = date.max if live else last.covered_to
            if add_months(inception, 13) <= on:
                p13 = "1" if cover >= add_months(inception, 13) else "0"
            if add_months(inception, 25) <= on:
                p25 = "1" if cover >= add_months(inception, 25) else "0"
        issued_at = self.time(term.issued_on, 90 + rng.randrange(480))
        quoted = self.time(term.issued_on - timedelta(2))
        premium, currency = money(term.premium), "CNY"
        sum_insured = money(term.premium * (200 if spec.line == "life" else 40))
        self.write(
            "insurance_policy",
            (
                term.id, number, term.term_no, predecessor_id, inception, customer_id,
                product_id, carrier_id, spec.line, term.status, frequency, premium, premium,
                currency, sum_insured, term.start, term.end, quoted, quoted, issued_at,
                term.issued_on, term.issued_on + timedelta(15), next_due, paid_to,
                term.grace_ends_on, term.lapsed_on, term.cancelled_on, term.cancel_reason,
                term.renewal_outcome, term.lost_reason, p13, p25, agent_id, team_id, quoted,
                self.time(term.lapsed_on or term.cancelled_on or term.issued_on), 1,
            ),
        )  # fmt: skip
        copied = (customer_id, agent_id, team_id, carrier_id, product_id, spec.line, currency)
        first = ("new_business" if term.term_no == 1 else "renewal", term.start,
                 max(term.start, term.issued_on), term.premium, None)  # fmt: skip
        for seq, (kind, effective, booked, delta, refund) in enumerate(
            [first, *term.transactions], 1
        ):
            stamp = self.time(booked)
            self.write(
                "insurance_transaction",
                (
                    self.next_id("insurance_transaction"), term.id, seq, kind, effective,
                    booked, money(delta), premium, None if refund is None else money(refund),
                    "customer_request" if kind == "cancellation" else None, *copied, stamp,
                    stamp,
                ),
            )  # fmt: skip
        # instalments, their payments and the payments' commission lines
        created = self.time(term.issued_on)
        upline = self.agents.get(agent_id, (None, None))[1]
        basis = "first_year" if term.term_no == 1 else "renewal"
        rate = spec.first_year_bp if term.term_no == 1 else spec.renewal_bp
        earned = 0  # the agent's first-year commission in lines (for a clawback)
        payments: list[tuple[int | None, int, date]] = []
        for seq, (due, amount, paid, settled, paid_on) in enumerate(items, 1):
            instalment_id = self.next_id("insurance_instalment")
            self.write(
                "insurance_instalment",
                (
                    instalment_id, term.id, seq, due, money(amount), money(paid), settled,
                    customer_id, agent_id, team_id, currency, created,
                    self.time(settled) if settled else created, 1 if not paid else 2,
                ),
            )  # fmt: skip
            if paid:
                payments.append((instalment_id, paid, paid_on))
        payments += [(None, cents, day) for day, cents in term.refunds]
        for paid_for, cents, paid_on in payments:
            payment_id = self.next_id("insurance_payment")
            stamp = self.time(paid_on, 60 + rng.randrange(600))
            self.write(
                "insurance_payment",
                (
                    payment_id, term.id, paid_for, money(cents), paid_on,
                    "bank_transfer" if cents < 0 else rng.choice(METHODS), f"PM{payment_id:09d}",
                    agent_id, customer_id, agent_id, team_id, currency, stamp, stamp, 1,
                ),
            )  # fmt: skip
            if paid_on < self.lines_from:
                continue
            month = paid_on.replace(day=1)
            expected = half_up(cents * rate, 10_000)
            agent_amount = half_up(expected * AGENT_SHARE_BP, 10_000)
            self.line("commission", payment_id, term, basis, context, agent_id, team_id, month,
                      cents, rate, expected, agent_amount, stamp)  # fmt: skip
            earned += agent_amount
            if upline is not None and upline != agent_id:
                override = half_up(expected * OVERRIDE_BP, 10_000)
                team = self.agents[upline][0]
                self.line("override", payment_id, term, basis, context, upline, team, month,
                          cents, rate, 0, override, stamp)  # fmt: skip
        if term.clawback_on and term.term_no == 1 and earned > 0 and agent_id is not None:
            day = term.clawback_on
            if day >= self.lines_from and day < add_months(inception, 12):
                self.line("clawback", None, term, basis, context, agent_id, team_id,
                          day.replace(day=1), 0, 0, 0, -earned, self.time(day))  # fmt: skip
        self.claim(term, context)

    def line(self, kind, payment_id, term, basis, context, agent_id, team_id, month, premium,
             rate, expected, agent_amount, stamp) -> None:  # fmt: skip
        spec, product_id, carrier_id, *_rest = context
        statement_id = None
        if month < self.last_month:  # an issued statement holds it
            key = (agent_id, "CNY", month)
            sums = self.statements.get(key)
            if sums is None:
                sums = self.statements[key] = [self.next_id("insurance_agent_statement"), 0, 0, 0,
                                               team_id]  # fmt: skip
            sums[{"commission": 1, "override": 2, "clawback": 3}[kind]] += agent_amount
            statement_id = sums[0]
        self.write(
            "insurance_commission_line",
            (
                self.next_id("insurance_commission_line"), kind, payment_id, term.id,
                term.term_no, basis, carrier_id, product_id, agent_id, team_id, month, "CNY",
                money(premium), f"{rate / 10_000:.4f}", money(expected), money(agent_amount),
                statement_id, stamp, stamp,
            ),
        )  # fmt: skip

    def claim(self, term: Term, context) -> None:
        """A claim on ``term`` now and then (about ``claims`` in all)."""
        spec, product_id, carrier_id, _f, customer_id, agent_id, team_id = context
        on, rng = self.today, self.rng
        last = min(term.covered_to, on - DAY)
        if last < term.start or term.cancel_reason == "cooling_off":
            return
        if rng.random() >= self.claims_wanted / self.terms * (0.87 if last >= term.end else 1.2):
            return
        loss = term.start + timedelta(rng.randrange((last - term.start).days + 1))
        reported = min(on - DAY, loss + timedelta(rng.randrange(21)))
        claimed = max(100_00, int(rng.lognormvariate(0, 0.9) * spec.claimed) * 100)
        kind = self.pick(
            rng, (("paid", 0.62), ("partial", 0.12), ("rejected", 0.18), ("withdrawn", 0.08))
        )
        approved = claimed if kind == "paid" else claimed * rng.randrange(40, 90) // 100
        claim_id = self.next_id("insurance_claim")
        status, reserve, paid_total, day = None, 0, 0, reported
        decided = closed = paid_on = None
        events: list[tuple] = []
        for seq, action in enumerate(CLAIM_PATHS[kind], 1):
            if seq > 1:
                day = day + timedelta(rng.randrange(1, 9))
                if day > on:
                    break
            reserve_delta = paid_delta = 0
            amount = None
            if action == "report":
                reserve_delta = amount = claimed
            elif action in ("approve", "approve_partially"):
                reserve_delta, amount, decided = approved - claimed, approved, day
            elif action in ("reject", "withdraw"):
                reserve_delta, decided = -reserve, day
            elif action == "pay":
                paid_delta, reserve_delta, amount, paid_on = approved, -approved, approved, day
            if action in ("close", "withdraw"):
                closed = day
            reserve += reserve_delta
            paid_total += paid_delta
            events.append((seq, action, status, TO_STATUS[action], reserve_delta, paid_delta,
                           amount, day))  # fmt: skip
            status = TO_STATUS[action]
        flags = rng.random() < 0.04
        self.write(
            "insurance_claim",
            (
                claim_id, f"LP{reported:%Y%m}{claim_id:07d}", term.id, customer_id, agent_id,
                team_id, status, loss, self.time(reported, 60 + rng.randrange(600)),
                rng.choice(("agent", "agent", "customer", "public")),
                "Loss reported by the policyholder", "CNY", money(claimed), money(reserve),
                money(approved) if decided and kind != "rejected" and kind != "withdrawn"
                else None, money(paid_total), paid_on, self.time(decided) if decided else None,
                self.time(closed) if closed else None,
                "not_covered" if kind == "rejected" and decided else None,
                "Outside the cover" if kind == "rejected" and decided else None, "0",
                '["late_report"]' if flags else "[]", 1 if flags else 0,
                self.time(reported), self.time(day), len(events),
            ),
        )  # fmt: skip
        for seq, action, before, after, reserve_delta, paid_delta, amount, event_on in events:
            stamp = self.time(event_on, 60 + seq * 30)
            self.write(
                "insurance_claim_event",
                (
                    self.next_id("insurance_claim_event"), claim_id, seq, action, before, after,
                    money(reserve_delta), money(paid_delta),
                    None if amount is None else money(amount), stamp, event_on, carrier_id,
                    product_id, spec.line, agent_id, team_id, "CNY", stamp, stamp,
                ),
            )  # fmt: skip

    def finish(self) -> None:
        """The issued statements (their sums are their lines'), then close the files."""
        for (agent_id, currency, month), (sid, commission, overrides, clawbacks, team_id) in sorted(
            self.statements.items(), key=lambda item: item[1][0]
        ):
            issued = self.time(add_months(month, 1) + timedelta(4))
            self.write(
                "insurance_agent_statement",
                (
                    sid, agent_id, self.agents.get(agent_id, (team_id,))[0], month, currency,
                    "issued", money(commission), money(overrides), money(clawbacks),
                    money(commission + overrides + clawbacks), issued, issued, issued, 2,
                ),
            )  # fmt: skip
        for handle in self.files.values():
            handle.close()


def catalogue(on: date) -> list[tuple[ProductSpec, int, int]]:
    """The carriers, products and commission rules (ORM: a few rows)."""
    from plugins.insurance.models import Carrier, InsuranceCommissionRule, InsuranceProduct

    since = on - timedelta(days=(YEARS + 1) * 366)
    carriers = []
    for code, name in CARRIERS:
        carrier = Carrier(code=code, name=name)
        db.session.add(carrier)
        carriers.append(carrier)
    db.session.flush()
    made = []
    for spec in PRODUCTS:
        product = InsuranceProduct(
            carrier_id=carriers[spec.carrier].id,
            code=spec.code,
            name=spec.name,
            line=spec.line,
            currency="CNY",
            pricing="fixed",
            fixed_premium=Decimal(spec.premium),
            term_months=12,
            frequencies=[f for f, _w in spec.frequencies],
            grace_days=spec.grace,
            renewal_lead_days=45 if spec.line == "life" else 30,
            renewal_late_days=30,
            reinstatement_days=730 if spec.line in ("life", "health") else 0,
            clawback_months=12,
            callback_required=spec.line in ("life", "health"),
            effective_from=since,
        )
        db.session.add(product)
        db.session.flush()
        db.session.add(
            InsuranceCommissionRule(
                carrier_id=product.carrier_id,
                product_id=product.id,
                first_year_rate=Decimal(spec.first_year_bp) / 10_000,
                renewal_rate=Decimal(spec.renewal_bp) / 10_000,
                agent_share=Decimal(AGENT_SHARE_BP) / 10_000,
                leader_override=Decimal(OVERRIDE_BP) / 10_000,
                effective_from=since,
            )
        )
        made.append((spec, product.id, product.carrier_id))
    db.session.commit()
    return made


def agents(on: date) -> dict[int, tuple[int, int | None]]:
    """Every team user an agent (the team's manager its team leader and
    upline), the reps given the ``insurance_agent`` role; user id -> (team,
    upline)."""
    from bench.money_approvals import managers
    from core.models import Role, User
    from plugins.insurance.models import Agent

    heads, _admin = managers()
    role = db.session.scalar(select(Role).where(Role.name == "insurance_agent"))
    found: dict[int, tuple[int, int | None]] = {}
    for user in db.session.scalars(select(User).where(User.team_id.is_not(None)).order_by(User.id)):
        team_id = int(user.team_id or 0)  # the WHERE: not None
        head = heads[team_id]
        if user.id != head and role is not None:
            user.role = role
        db.session.add(
            Agent(
                user_id=user.id,
                code=f"AG{user.id:05d}",
                rank="team_leader" if user.id == head else "agent",
                upline_user_id=None if user.id == head else head,
                licence_no=f"LIC-{user.id:08d}",
                licence_expires_on=on + timedelta(days=400 + user.id),
            )
        )
        found[user.id] = (team_id, None if user.id == head else head)
    db.session.commit()
    return found


def load_file(table: str, path: str) -> int:
    """One table's file into the database: COPY (CSV, tab-separated, empty =
    NULL, in a UTC session) on PostgreSQL, executemany on SQLite."""
    columns = COLUMNS[table]
    raw = db.engine.raw_connection()
    _for_loading(raw.driver_connection)
    count = 0
    try:
        cursor = raw.cursor()
        names = ", ".join(columns)
        with open(path, encoding="utf-8", newline="") as source:
            if db.engine.dialect.name == "postgresql":
                cursor.execute("SET TIME ZONE 'UTC'")
                sql = f"COPY {table} ({names}) FROM STDIN (FORMAT csv, DELIMITER E'\\t')"
                with cursor.copy(sql) as copy:
                    while block := source.read(1 << 20):
                        copy.write(block)
                cursor.execute(f"SELECT count(*) FROM {table}")
                count = int(cursor.fetchone()[0])  # type: ignore[index]
            else:
                sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
                batch: list[list] = []
                for row in csv.reader(source, delimiter="\t"):
                    batch.append([v or None for v in row])
                    if len(batch) == BATCH:
                        cursor.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                cursor.executemany(sql, batch)
                count += len(batch)
        raw.commit()
    finally:
        raw.close()
    return count


def load_insurance(
    terms: int, claims: int, seed: int = 17, say=print, files: str | None = None
) -> dict:
    """Write the insurance data set over the loaded customers; counts and
    seconds. ``files``: a folder keeping the drawn tables (the same draw
    loads the other database: same seed, same day, the same users and
    customers of bench/load.py) — drawn into it when it holds no draw of
    these sizes for today."""
    from core.models import Customer
    from plugins.insurance.services.terms import today

    started = time.perf_counter()
    on = today()
    agent_rows = agents(on)
    products = catalogue(on)
    wanted = {"terms": terms, "claims": claims, "seed": seed, "today": on.isoformat()}
    meta = os.path.join(files, "draw.json") if files else ""
    drawn = None
    if meta and os.path.exists(meta):
        drawn = json.loads(open(meta, encoding="utf-8").read())
        if {k: drawn.get(k) for k in wanted} != wanted:
            drawn = None
    if drawn is None:
        customers = [
            (c, o, t)
            for c, o, t in db.session.execute(
                select(Customer.id, Customer.owner_id, Customer.team_id).order_by(Customer.id)
            )
        ]
        if files:
            os.makedirs(files, exist_ok=True)
        book = Book(terms, claims, agent_rows, customers, on, seed, folder=files or "")
        book.products = products
        book.run()
        drawn = {
            **wanted,
            "roles": dict(book.roles),
            "live": book.live,
            "chains": book.chains,
            "folder": book.folder,
            "draw seconds": time.perf_counter() - started,
        }
        if meta:
            with open(meta, "w", encoding="utf-8") as out:
                out.write(json.dumps(drawn))
        say(f"  drawn in {drawn['draw seconds']:.1f} s: " + ", ".join(
            f"{t} {n:,}" for t, n in book.counts.items()))  # fmt: skip
    else:
        say(f"  the draw in {files} reused")
    counts: dict = {k: drawn[k] for k in ("roles", "live", "chains", "today", "draw seconds")}
    loading = time.perf_counter()
    with deferred_indexes(TABLES, say):
        for table in TABLES:
            path = os.path.join(drawn["folder"], table + ".tsv")
            counts[table] = load_file(table, path)
            if not files:
                os.remove(path)
    if not files:
        os.rmdir(drawn["folder"])
    reset_sequences(TABLES)
    counts["load seconds"] = time.perf_counter() - loading
    counts["seconds"] = time.perf_counter() - started
    counts["rows"] = sum(counts[t] for t in TABLES)
    cells = _report_cells()
    if cells is not None:
        counts["cells"], counts["cells seconds"] = cells
        say(f"  report cells rebuilt in {cells[1]:.1f} s")
    db.session.remove()
    db.engine.dispose()  # no connection keeps the loading settings (bench.bulk)
    return counts


def _report_cells() -> tuple[int, float] | None:
    """The reports' pre-added cells, when the plugin keeps some (plain SQL
    passed the flush hooks that keep them): rebuilt from the rows."""
    import importlib
    import importlib.util

    name = "plugins.insurance.services.report_cells"
    if importlib.util.find_spec(name) is None:
        return None
    module = importlib.import_module(name)
    rebuild = getattr(module, "rebuild", None)
    if rebuild is None:
        return None
    started = time.perf_counter()
    result = rebuild()
    db.session.commit()
    return (result if isinstance(result, int) else 0), time.perf_counter() - started
