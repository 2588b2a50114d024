"""A patient's follow-up plans on a merge (they move to the survivor) and on
a purge (answers, steps and plans go before the visits and the timeline
they point at, on both databases)."""

from __future__ import annotations

from sqlalchemy import func, select

from core.api import db
from plugins.his.models import FollowupAnswer, FollowupPlan, FollowupStep
from plugins.his.services import followup

from .followup_fixtures import care, clinic, closed_visit, template  # noqa: F401


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_merge_moves_the_plans_to_the_survivor(as_user, care):
    template(care)
    kept, dup = care.patient("Wang Jun"), care.patient("Wang Jun (dup)")
    (plan,) = followup.plan_after_visit(closed_visit(care, dup))
    merged = as_user(care.admin).post(
        f"/api/v1/customers/{kept.id}/merge", json={"merge_id": dup.id}
    )
    assert merged.status_code == 200, merged.json
    db.session.expire_all()
    assert db.session.get(FollowupPlan, plan.id).customer_id == kept.id


def test_a_purge_deletes_the_patients_plans_steps_and_answers(as_user, care):
    template(care)
    gone = care.patient("Gone Patient")
    # no diagnosis rows: purging those is the visit record's concern
    (plan,) = followup.plan_after_visit(closed_visit(care, gone, codes=()))
    followup.attempt(plan, {"outcome": "reached", "answers": {"fever": "yes"}}, care.nurse)
    assert _count(FollowupAnswer) == 1
    api = as_user(care.admin)
    assert api.delete(f"/api/v1/customers/{gone.id}").status_code == 204
    assert api.delete(f"/api/v1/recycle-bin/{gone.id}").status_code == 204
    db.session.expire_all()
    assert (_count(FollowupPlan), _count(FollowupStep), _count(FollowupAnswer)) == (0, 0, 0)
