"""Two payments confirmed at the same moment, each on its own connection
(two threads, on SQLite and PostgreSQL), for more than the instalment has
open: one counts, the other is refused (409) and counts nothing — the
instalment never collects more than its amount."""

from __future__ import annotations

import threading
from decimal import Decimal

from flask import current_app

from core.api import ApprovalRequest, ConflictError, StateError, User, approve_request, db
from plugins.sales.models import Contract, Instalment, Payment
from plugins.sales.services.receivables.approval import latest_request
from plugins.sales.services.receivables.plans import plan_of

from .test_receivables import make_contract, pay, people, planned  # noqa: F401  (fixtures)
from .test_receivables_approval import large_payments  # noqa: F401  (fixtures)


def test_two_confirmations_racing_for_the_same_open_money_one_wins(
    people,
    planned,
    large_payments,
    make_user,  # noqa: F811
):
    app = current_app._get_current_object()
    # a second manager, so each payment has its own approver deciding at once
    second = make_user(role="manager", team=people["manager"].team, name="Mia Manager")
    first = plan_of(planned)[0]  # 30,000 open
    payments = [
        pay(planned, first, "20000.00", people["rep"]),
        pay(planned, first, "15000.00", people["rep"]),
    ]
    requests = [latest_request(p).id for p in payments]
    deciders = [people["manager"].id, second.id]
    db.session.commit()
    ready = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def decide(request_id: int, user_id: int) -> None:
        with app.app_context():
            request = db.session.get(ApprovalRequest, request_id)
            user = db.session.get(User, user_id)
            _ = request.tasks, request.steps, user.role  # read before the race
            ready.wait()
            try:
                approve_request(request, user)
                outcomes[request_id] = "won"
            except (StateError, ConflictError):
                outcomes[request_id] = "409"
            except Exception as exc:  # noqa: BLE001  (asserted below)
                outcomes[request_id] = repr(exc)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=decide, args=pair) for pair in zip(requests, deciders, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["409", "won"], outcomes
    db.session.expire_all()
    statuses = {p.id: db.session.get(Payment, p.id).status for p in payments}
    assert sorted(statuses.values()) == ["confirmed", "pending"]
    won = next(p for p in payments if statuses[p.id] == "confirmed")
    assert db.session.get(Instalment, first.id).collected == won.amount
    assert db.session.get(Contract, planned.id).collected == won.amount
    assert won.amount in (Decimal("20000.00"), Decimal("15000.00"))
