"""RFM figures on a fixed data set, checked against numbers computed by
hand (see rfm_data for the data): recency, frequency, monetary, the
quintile scores with their tie rule, the segments, the run log; a second
run of the same day gives the same result and keeps one snapshot."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import db
from plugins.marketing.models import RfmRun, RfmScore, RfmSnapshot
from plugins.marketing.services import rfm
from plugins.marketing.services.rfm.grid import GRID, SEGMENTS

from .rfm_data import NOW, rfm_settings, world  # noqa: F401  (the fixtures)

# Hand-computed from rfm_data.DATA. N = 12 scored customers (the binned one and
# the one who never paid are not), so the cut points sit at positions
# ⌈(k−1)·12/5⌉ = 3, 5, 8, 10, worst first; a score is 1 + the cut points beaten.
#
# recency, worst first: D400 K340 I250 E200 H150 G60 F30 J15 B10 L5 C3 A2
#   cuts 250, 150, 15, 5 → e.g. J15 beats 250 and 150 (not 15): R 3
# frequency (events in the last 365 days), worst first: D0 C1 H1 K1 G2 I2 L2 J3 B4 E4 F4 A6
#   cuts 1, 2, 3, 4 → the three F 4 customers tie: all get F 4; D's events are older: F 0
# monetary, worst first: D0 K20 C50 H80 I80 F400 E1000 G1000 A1200 B1200 L1200 J3000
#   cuts 50, 80, 1000, 1200 → A, B and L tie at 1200 and get M 4; J alone beats 1200: M 5
EXPECTED = {  # customer: (recency days, frequency, monetary, R, F, M, segment)
    "A": (2, 6, 1200, 5, 5, 4, "champions"),
    "B": (10, 4, 1200, 4, 4, 4, "loyal"),
    "C": (3, 1, 50, 5, 1, 1, "new"),
    "D": (400, 0, 0, 1, 1, 1, "lost"),
    "E": (200, 4, 1000, 2, 4, 3, "at_risk"),
    "F": (30, 4, 400, 3, 4, 3, "loyal"),
    "G": (60, 2, 1000, 3, 2, 3, "about_to_sleep"),
    "H": (150, 1, 80, 2, 1, 2, "hibernating"),
    "I": (250, 2, 80, 1, 2, 2, "hibernating"),
    "J": (15, 3, 3000, 3, 3, 5, "need_attention"),
    "K": (340, 1, 20, 1, 1, 1, "lost"),
    "L": (5, 2, 1200, 4, 2, 4, "potential_loyalists"),
}


def figures(world) -> dict:
    rows = db.session.scalars(select(RfmScore)).all()
    return {
        world.name(s.customer_id): (
            s.recency_days,
            s.frequency,
            Decimal(s.monetary),
            s.r,
            s.f,
            s.m,
            s.segment,
        )
        for s in rows
    }


def test_rfm_figures_match_the_hand_computed_ones(world):
    run = rfm.start_run(world.manager, now=NOW)
    assert (run.status, run.error) == ("done", None)
    assert figures(world) == {k: (*v[:2], Decimal(v[2]), *v[3:]) for k, v in EXPECTED.items()}
    # 32 events of the scored customers (D's two old ones included); the binned one's not
    assert (run.customers, run.events, run.done, run.total) == (12, 32, 12, 12)
    assert run.as_of == world.as_of and run.kept


def test_the_grid_maps_every_score_pair_to_one_of_the_eleven_segments():
    assert len(GRID) == 25 and set(GRID.values()) == set(SEGMENTS)
    assert (GRID[(5, 5)], GRID[(1, 1)], GRID[(1, 5)], GRID[(4, 1)]) == (
        "champions",
        "lost",
        "cant_lose",
        "promising",
    )


def test_a_second_run_the_same_day_gives_the_same_result_and_one_snapshot(world):
    first = rfm.start_run(world.manager, now=NOW)
    before = figures(world)
    second = rfm.start_run(world.manager, now=NOW.replace(hour=20))
    assert second.status == "done" and second.as_of == first.as_of
    assert figures(world) == before
    assert db.session.scalar(select(func.count()).select_from(RfmScore)) == 12
    db.session.expire_all()
    assert (db.session.get(RfmRun, first.id).kept, second.kept) == (False, True)
    kept_runs = db.session.scalars(select(RfmSnapshot.run_id).distinct()).all()
    assert kept_runs == [second.id]


@pytest.mark.parametrize("rfm_settings", [{"rfm_runs_kept": 2, "rfm_window_days": 100}])
def test_only_the_last_runs_snapshots_are_kept_and_the_window_is_a_setting(world):
    """With a 100-day window, A's events of 2, 20, 40 and 70 days count (not
    100 and 130): frequency 4, monetary 800."""
    runs = [rfm.start_run(world.manager, now=NOW + timedelta(days=d)) for d in (0, 1, 2)]
    assert [r.window_days for r in runs] == [100, 100, 100]
    db.session.expire_all()
    assert [db.session.get(RfmRun, r.id).kept for r in runs] == [False, True, True]
    assert sorted(db.session.scalars(select(RfmSnapshot.run_id).distinct())) == [
        runs[1].id,
        runs[2].id,
    ]
    rfm.start_run(world.manager, now=NOW)  # the first day again: a new snapshot of that day
    a = db.session.scalar(select(RfmScore).where(RfmScore.customer_id == world.ids["A"]))
    assert (a.frequency, Decimal(a.monetary), a.recency_days) == (4, Decimal(800), 2)


def test_the_demo_ends_with_a_first_run_over_the_money_it_holds(
    world, make_user, trellis_load_demo
):
    """The probe's money is in before the demo: the run the demo ends with
    scores at least the twelve customers it pays for."""
    trellis_load_demo("en", make_user(role="admin", email="demo-admin@example.com"))
    run = db.session.scalar(select(RfmRun))
    assert (run.status, run.error) == ("done", None)
    assert run.customers >= 12 and run.events >= 32
    assert db.session.scalar(select(func.count()).select_from(RfmSnapshot)) == run.customers


def test_the_segment_codes_the_api_takes_are_the_grids():
    from plugins.marketing.models.rfm import SEGMENT_CODES
    from plugins.marketing.services.rfm.grid import SEGMENTS

    assert tuple(SEGMENTS) == SEGMENT_CODES
