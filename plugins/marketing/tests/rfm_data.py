"""A fixed data set for the RFM and churn tests: twelve scored customers of
two reps in one team, a probe plugin declaring their money events and the
facts churn risk reads (open complaints from two plugins' facts, and
satisfaction), and the day the run scores.

Every date is counted back from the run's ``as_of`` (the end of the day of
:data:`NOW`): an event ``d`` days ago is ``as_of − d days − 1 hour``, so its
recency is ``d``; with the 365-day window it is in the window for ``d ≤
364`` and in the window's second half for ``d ≤ 182``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Integer, Numeric, false, literal, select, union_all

from core.api import Customer, CustomerFact, MoneyEvent, UTCDateTime, create_team, db, utcnow
from core.testing import plugin_module
from plugins.marketing.services.rfm.run import day_end

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)

#: customer → (owner, days ago of each money event, amount of each, days since last contact)
DATA = {
    "A": ("rep1", [2, 20, 40, 70, 100, 130], 200, 10),
    "B": ("rep1", [10, 50, 200, 250], 300, None),
    "C": ("rep1", [3], 50, 1),
    "D": ("rep1", [400, 500], 1000, 1),
    "E": ("rep1", [200, 300, 320, 340], 250, 100),
    "F": ("rep1", [30, 190, 210, 230], 100, 5),
    "G": ("rep2", [60, 90], 500, 200),
    "H": ("rep2", [150], 80, 1),
    "I": ("rep2", [250, 260], 40, 1),
    "J": ("rep2", [15, 16, 17], 1000, 95),
    "K": ("rep2", [340], 20, 1),
    "L": ("rep2", [5, 100], 600, 1),
}
#: open complaints, as two plugins' facts declare them (J's add up to 2)
COMPLAINTS = [{"B": 3, "J": 1}, {"J": 1, "L": 1}]
#: the latest satisfaction score (of 10)
SATISFACTION = {"A": 5, "L": 4, "G": 9}


def _rows(rows: list[tuple], *types) -> select:
    """A select of fixed rows, typed: what a plugin's table would answer."""
    if not rows:
        return select(*(literal(None, t) for t in types)).where(false())
    return union_all(
        *(
            select(
                *(
                    literal(v, t).label(f"c{n}")
                    for n, (v, t) in enumerate(zip(row, types, strict=True))
                )
            )
            for row in rows
        )
    )


@dataclass
class World:
    as_of: datetime
    manager: object
    rep1: object
    rep2: object
    ids: dict[str, int]
    events: list[tuple] = field(default_factory=list)
    facts: dict[str, list[tuple]] = field(default_factory=dict)

    def name(self, customer_id: int) -> str:
        return {v: k for k, v in self.ids.items()}[customer_id]


def probe(world_holder: dict):
    """The probe plugin: its money events and facts read ``world_holder``."""

    def paid():
        return _rows(world_holder["events"], Integer(), UTCDateTime(), Numeric(12, 2))

    def fact(key):
        return lambda: _rows(world_holder["facts"].get(key, []), Integer(), Integer())

    return plugin_module(
        "probe",
        trellis_money_events=lambda: [MoneyEvent("probe.paid", "Paid", paid)],
        trellis_customer_facts=lambda: [
            CustomerFact(
                "probe.complaints", "C", "number", fact("c1"), missing=0, meaning="open_complaints"
            ),
            CustomerFact(
                "probe.more_complaints",
                "C2",
                "number",
                fact("c2"),
                missing=0,
                meaning="open_complaints",
            ),
            CustomerFact("probe.nps", "S", "number", fact("sat"), meaning="satisfaction"),
        ],
    )


@pytest.fixture
def rfm_settings() -> dict:
    """``[plugins_settings.marketing]`` of the app (parametrize to change them)."""
    return {}


@pytest.fixture
def world(register_plugin, make_user, make_customer, rfm_settings, tmp_path) -> World:
    """The data set, loaded; the probe plugin registered."""
    holder: dict = {"events": [], "facts": {}}
    if rfm_settings:  # the instance folder's trellis.toml, which the new app reads
        lines = "".join(f"{key} = {value}\n" for key, value in rfm_settings.items())
        (tmp_path / "trellis.toml").write_text(f"[plugins_settings.marketing]\n{lines}")
    register_plugin(probe(holder))
    team = create_team("Team RFM", None)
    manager = make_user(role="manager", team=team, name="Manager")
    reps = {"rep1": make_user(role="sales", team=team, name="Rep One")}
    reps["rep2"] = make_user(role="sales", team=team, name="Rep Two")
    as_of = day_end(NOW)

    def ago(days: int) -> datetime:
        return as_of - timedelta(days=days, hours=1)

    ids = {}
    for key, (owner, days, amount, contacted) in DATA.items():
        customer = make_customer(name=f"Customer {key}", owner_id=reps[owner].id)
        customer.last_contacted_at = None if contacted is None else ago(contacted)
        ids[key] = customer.id
        holder["events"] += [(customer.id, ago(d), amount) for d in days]
    binned = make_customer(name="Binned", owner_id=reps["rep1"].id)  # in the recycle bin
    binned.deleted_at = utcnow()
    holder["events"].append((binned.id, ago(3), 9999))
    make_customer(name="Never paid", owner_id=reps["rep1"].id)  # no money event: not scored
    db.session.commit()
    holder["facts"] = {
        "c1": [(ids[k], v) for k, v in COMPLAINTS[0].items()],
        "c2": [(ids[k], v) for k, v in COMPLAINTS[1].items()],
        "sat": [(ids[k], v) for k, v in SATISFACTION.items()],
    }
    assert db.session.get(Customer, ids["A"]).last_contacted_at is not None
    return World(as_of, manager, reps["rep1"], reps["rep2"], ids, holder["events"])
