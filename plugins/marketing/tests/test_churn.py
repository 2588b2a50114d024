"""Churn risk on the fixed data set (rfm_data), checked against scores
computed by hand, with the reasons in words; the "at risk, valuable" list
by account manager, through each caller's scope."""

from __future__ import annotations

from sqlalchemy import select

from core.api import db
from plugins.marketing.models import RfmScore
from plugins.marketing.services import rfm
from plugins.marketing.services.churn import reasons

from .rfm_data import NOW, rfm_settings, world  # noqa: F401  (the fixtures)

API = "/api/v1/marketing"

# Hand-computed, reason by reason (no contact ≥ 90 days or never: 30; falling
# frequency: ⌊30 × (first half − second half) / first half⌋; open complaints:
# 10 each, at most 20, summed over both facts; satisfaction ≤ 6: 20):
EXPECTED = {
    "A": 20,  # contacted 10 days ago: 0; no event in the first half: 0; satisfaction 5: 20
    "B": 50,  # never contacted: 30; 2 events in each half: 0; 3 complaints: 20
    "C": 0,  # contacted yesterday, one recent purchase
    "D": 0,  # its events are older than the window: no halves to compare
    "E": 60,  # 100 days without contact: 30; 4 events in the first half, 0 after: 30
    "F": 20,  # first half 3 (190, 210, 230 days), second 1 (30 days): ⌊30 × 2 / 3⌋ = 20
    "G": 30,  # 200 days without contact: 30; satisfaction 9: 0
    "H": 0,
    "I": 30,  # 2 events in the first half, none after: 30
    "J": 50,  # 95 days without contact: 30; complaints 1 + 1 from two facts: 20
    "K": 30,  # 1 event in the first half, none after: 30
    "L": 30,  # 1 complaint: 10; satisfaction 4: 20
}


def scores(world) -> dict[str, RfmScore]:
    return {world.name(s.customer_id): s for s in db.session.scalars(select(RfmScore))}


def test_churn_scores_match_the_hand_computed_ones(world):
    rfm.start_run(world.manager, now=NOW)
    assert {k: s.churn_score for k, s in scores(world).items()} == EXPECTED


def test_the_reasons_say_each_part_of_the_score_in_words(world):
    rfm.start_run(world.manager, now=NOW)
    found = scores(world)
    assert reasons(found["B"], 90) == ["Never contacted (+30)", "Open complaints: 3 (+20)"]
    assert reasons(found["E"], 90) == [
        "No contact for 100 days (+30)",
        "Buying less: 0 purchases in the last half of the period, 4 in the first (+30)",
    ]
    assert reasons(found["L"], 90) == [
        "Open complaints: 1 (+10)",
        "Low satisfaction: 4 of 10 (+20)",
    ]
    assert reasons(found["C"], 90) == []


def test_the_at_risk_valuable_list_is_per_account_manager_and_scoped(world, as_user):
    """Churn ≥ 50 and monetary score 4 or 5: B (50, M 4) of rep 1 and J (50,
    M 5) of rep 2; E (60) brought too little (M 3)."""
    rfm.start_run(world.manager, now=NOW)
    manager = as_user(world.manager)
    listed = manager.get(f"{API}/churn").json
    assert [(i["name"], i["owner_name"], i["churn_score"]) for i in listed["items"]] == [
        ("Customer B", "Rep One", 50),
        ("Customer J", "Rep Two", 50),
    ]
    assert listed["items"][1]["reasons"] == [
        "No contact for 95 days (+30)",
        "Open complaints: 2 (+20)",
    ]
    only_rep2 = manager.get(f"{API}/churn?owner_id={world.rep2.id}").json["items"]
    assert [i["name"] for i in only_rep2] == ["Customer J"]
    lower = manager.get(f"{API}/churn?min_score=20&sort=name").json["items"]
    assert [i["name"] for i in lower] == ["Customer A", "Customer B", "Customer J", "Customer L"]
    rep1 = as_user(world.rep1).get(f"{API}/churn").json
    assert (rep1["total"], [i["name"] for i in rep1["items"]]) == (1, ["Customer B"])
    refused = manager.get(f"{API}/churn?min_score=101")
    assert refused.status_code == 422 and "min_score" in str(refused.json)
