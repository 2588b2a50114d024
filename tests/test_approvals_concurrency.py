"""Two approvers deciding one "any" step at the same moment, each on its
own connection (two threads, on SQLite and PostgreSQL): one wins, the other
gets a 409, and the request is decided once."""

from __future__ import annotations

import threading

from sqlalchemy import select
from test_approvals import RECORD, flow, owned, people, probe, step  # noqa: F401  (fixtures)

from core.api import db
from core.errors import ConflictError
from core.models import ApprovalRequest, ApprovalTask, User


def test_two_approvers_at_once_one_wins_the_other_409(people, owned, probe):
    from flask import current_app

    from core.approvals import approve, submit

    app = current_app._get_current_object()  # the probe's app

    flow(people, step("users", users=[people["finance"], people["other"]], mode="any"))
    request_id = submit(RECORD, owned().id, people["rep"]).id
    deciders = [people["finance"].id, people["other"].id]
    db.session.commit()
    ready = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def decide(user_id: int) -> None:
        with app.app_context():
            request = db.session.get(ApprovalRequest, request_id)
            user = db.session.get(User, user_id)
            _ = request.tasks, request.steps, user.role  # read before the race
            ready.wait()
            try:
                approve(request, user)
                outcomes[user_id] = "won"
            except ConflictError:
                outcomes[user_id] = "409"
            except Exception as exc:  # noqa: BLE001  (asserted below)
                outcomes[user_id] = repr(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=decide, args=(u,)) for u in deciders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["409", "won"]
    db.session.expire_all()
    assert db.session.get(ApprovalRequest, request_id).status == "approved"
    approved = db.session.scalars(
        select(ApprovalTask.approver_id).where(ApprovalTask.status == "approved")
    ).all()
    assert len(approved) == 1 and probe.decided == [(probe.decided[0][0], "approved")]
