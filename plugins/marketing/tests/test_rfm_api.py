"""The RFM API on the fixed data set (rfm_data): segment counts, customers
by RFM segment, movement between two runs and the run log — each through
the caller's scope; running takes ``marketing.analysis.run``, one run at a
time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.api import db, utcnow
from plugins.marketing.models import RfmRun, RfmScore, RfmSnapshot
from plugins.marketing.services import rfm

from .rfm_data import NOW, rfm_settings, world  # noqa: F401  (the fixtures)

API = "/api/v1/marketing"


def counts(answer) -> dict[str, int]:
    return {s["segment"]: s["count"] for s in answer.json["segments"] if s["count"]}


def test_segment_counts_follow_the_callers_scope_and_a_marketing_segment(world, as_user):
    rfm.start_run(world.manager, now=NOW)
    manager = as_user(world.manager)
    summary = manager.get(f"{API}/rfm")
    assert summary.status_code == 200 and summary.json["total"] == 12
    assert counts(summary) == {  # test_rfm.EXPECTED, counted
        "champions": 1,
        "loyal": 2,
        "potential_loyalists": 1,
        "new": 1,
        "need_attention": 1,
        "about_to_sleep": 1,
        "at_risk": 1,
        "hibernating": 2,
        "lost": 2,
    }
    assert summary.json["run"]["customers"] == 12
    rep1 = as_user(world.rep1).get(f"{API}/rfm")
    assert counts(rep1) == {"champions": 1, "loyal": 2, "new": 1, "lost": 1, "at_risk": 1}
    only_j = [{"field": "name", "op": "contains", "value": "Customer J"}]
    sid = manager.post(f"{API}/segments", json={"name": "J", "conditions": only_j}).json["id"]
    assert counts(manager.get(f"{API}/rfm?segment_id={sid}")) == {"need_attention": 1}


def test_customers_of_an_rfm_segment_are_the_callers_own(world, as_user):
    rfm.start_run(world.manager, now=NOW)
    loyal = as_user(world.manager).get(f"{API}/rfm/customers?rfm_segment=loyal&sort=name").json
    assert [(i["name"], i["r"], i["f"], i["m"]) for i in loyal["items"]] == [
        ("Customer B", 4, 4, 4),
        ("Customer F", 3, 4, 3),
    ]
    assert loyal["items"][0]["monetary"] == "1200.00"
    assert as_user(world.rep2).get(f"{API}/rfm/customers?rfm_segment=loyal").json["total"] == 0
    everyone = as_user(world.rep2).get(f"{API}/rfm/customers?per_page=200").json
    assert sorted(i["name"][-1] for i in everyone["items"]) == list("GHIJKL")
    wrong = as_user(world.manager).get(f"{API}/rfm/customers?rfm_segment=gold")
    assert wrong.status_code == 422 and "rfm_segment" in wrong.json["errors"]


def test_movement_between_two_runs_counts_who_moved_where(world, as_user):
    """Run 1 scores the data set; D then pays 10 (an hour before run 1's
    end, so only run 2, a day later, sees it). Recomputed by hand for run 2
    (recency +1 day for all, D now the most recent): recency cut points 201,
    61, 11, 4 so C 4 → R 4, E 201 → R 1, G 61 → R 2, B 11 → R 3, D → R 5;
    frequency cut points unchanged (1, 2, 3, 4)."""
    first = rfm.start_run(world.manager, now=NOW)
    world.events.append((world.ids["D"], world.as_of - timedelta(hours=1), 10))
    second = rfm.start_run(world.manager, now=NOW + timedelta(days=1))
    assert second.status == "done"
    url = f"{API}/rfm/movement?from_run={first.id}&to_run={second.id}"
    moves = {
        (m["from_segment"], m["to_segment"]): m["count"]
        for m in as_user(world.manager).get(url).json["moves"]
    }
    assert moves == {
        ("champions", "champions"): 1,  # A
        ("loyal", "loyal"): 2,  # B (R 4 → 3, F 4), F
        ("new", "promising"): 1,  # C: R 5 → 4
        ("lost", "new"): 1,  # D: R 1 → 5, F 0 → 1
        ("lost", "lost"): 1,  # K
        ("at_risk", "at_risk"): 1,  # E: R 2 → 1, F 4
        ("about_to_sleep", "hibernating"): 1,  # G: R 3 → 2, F 2
        ("hibernating", "hibernating"): 2,  # H, I
        ("need_attention", "need_attention"): 1,  # J
        ("potential_loyalists", "potential_loyalists"): 1,  # L
    }
    rep1 = {
        (m["from_segment"], m["to_segment"]): m["count"]
        for m in as_user(world.rep1).get(url).json["moves"]
    }
    assert sum(rep1.values()) == 6 and rep1[("lost", "new")] == 1
    assert ("lost", "lost") not in rep1  # K is rep 2's
    missing = as_user(world.manager).get(f"{API}/rfm/movement?from_run=999&to_run={second.id}")
    assert missing.status_code == 404


def test_running_takes_the_permission_and_one_run_at_a_time(world, as_user):
    assert as_user(world.rep1).post(f"{API}/rfm/runs").status_code == 403
    started = as_user(world.manager).post(f"{API}/rfm/runs")
    assert started.status_code == 202, started.json
    assert (started.json["status"], started.json["customers"]) == ("done", 12)
    db.session.add(RfmRun(status="running", as_of=utcnow(), window_days=365))
    db.session.commit()
    busy = as_user(world.manager).post(f"{API}/rfm/runs")
    assert busy.status_code == 409
    log = as_user(world.rep1).get(f"{API}/rfm/runs").json
    assert [r["status"] for r in log["items"]] == ["running", "done"]
    assert log["items"][1]["done"] == log["items"][1]["total"] == 12


def test_a_purged_customer_takes_its_rfm_rows_along(world, make_user, as_user):
    rfm.start_run(world.manager, now=NOW)
    rfm.start_run(world.manager, now=NOW + timedelta(days=1))  # two snapshots of K
    admin = as_user(make_user(role="admin"))
    k = world.ids["K"]
    assert admin.delete(f"/api/v1/customers/{k}").status_code == 204
    assert admin.delete(f"/api/v1/recycle-bin/{k}").status_code == 204
    left = [
        db.session.scalar(select(func.count()).select_from(m).where(m.customer_id == k))
        for m in (RfmScore, RfmSnapshot)
    ]
    assert left == [0, 0]
