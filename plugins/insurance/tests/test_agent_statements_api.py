"""``/api/v1/insurance/agent-statements`` and ``agents/leaderboard``:
agent statements drafted, issued and frozen with a late line landing on the
next month's, a clawback on the statement, the monthly job, an agent seeing
only their own; and the leaderboard. Figures by hand in the docstrings
(fixtures: commission_fixtures, commission_api_fixtures)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.api import db
from plugins.insurance.models import AgentStatement, CommissionLine
from plugins.insurance.services.commission.agent_statements import (
    build_agent_statements,
    run_agent_statements_job,
)
from plugins.insurance.services.commission.lines import claw_back

from .commission_api_fixtures import API, january
from .commission_fixtures import book, pay  # noqa: F401

# --- agent statements ----------------------------------------------------------


def test_agent_statements_are_drafted_issued_and_late_lines_move_on(as_user, book):  # noqa: F811
    """January: Ann 150.00 + 100.00 = 250.00; Lee's override 20.00; Bob
    150.00 → three drafts. Another 200.00 on P-ANN-1 (Ann 30.00, Lee 4.00)
    and a rebuild: Ann's draft is 280.00 (replaced, not added). Issued, its
    4 lines are frozen on it. A payment dated 2026-01-28 booked after that
    (Ann 30.00) leaves the issued statement alone and lands on February's
    draft (30.00); Lee's and Bob's January drafts roll into February's."""
    january(book)
    assert build_agent_statements(date(2026, 1, 31)) == 3
    pay(book.ann1, "200.00", date(2026, 1, 25))
    assert build_agent_statements(date(2026, 1, 1)) == 3
    statements = {s.agent_id: s for s in db.session.scalars(select(AgentStatement)).all()}
    anns = statements[book.ann.id]
    assert (str(anns.commission), str(anns.total), anns.status) == ("280.00", "280.00", "draft")
    assert str(statements[book.lee.id].overrides) == "24.00"
    admin = as_user(book.admin)
    detail = admin.get(f"{API}/agent-statements/{anns.id}").json
    assert detail["subtotals"] == [{"kind": "commission", "lines": 3, "amount": "280.00"}]
    assert detail["month"] == "2026-01"
    issued = admin.post(f"{API}/agent-statements/{anns.id}/issue", json={"version": anns.version})
    assert issued.status_code == 200, issued.json
    assert issued.json["status"] == "issued" and issued.json["total"] == "280.00"
    frozen = db.session.scalar(
        select(func.count())
        .select_from(CommissionLine)
        .where(CommissionLine.agent_statement_id == anns.id)
    )
    assert frozen == 3
    twice = admin.post(
        f"{API}/agent-statements/{anns.id}/issue", json={"version": issued.json["version"]}
    )
    assert twice.status_code == 409
    stale = admin.post(
        f"{API}/agent-statements/{statements[book.bob.id].id}/issue", json={"version": 99}
    )
    assert stale.status_code == 409
    # late: paid in January, booked after January's statement was issued
    pay(book.ann1, "200.00", date(2026, 1, 28))
    build_agent_statements(date(2026, 1, 1))
    db.session.expire_all()
    assert str(db.session.get(AgentStatement, anns.id).total) == "280.00"
    assert build_agent_statements(date(2026, 2, 1)) == 3
    february = db.session.scalar(
        select(AgentStatement).where(
            AgentStatement.agent_id == book.ann.id, AgentStatement.month == date(2026, 2, 1)
        )
    )
    assert february is not None and str(february.total) == "30.00"
    # Lee's and Bob's January drafts rolled into February's: one draft each
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AgentStatement)
            .where(AgentStatement.agent_id == book.bob.id)
        )
        == 1
    )


def test_a_clawback_is_on_the_statement(as_user, book):  # noqa: F811
    """Ann kept 150.00 on P-ANN-1; a lapse within the year claws back
    −150.00 in today's month. The statement of today's month nets 150.00 +
    100.00 (Home cover) − 150.00 = 100.00, clawbacks −150.00."""
    pay(book.ann1, "1000.00", date(2026, 1, 12))
    pay(book.house, "1000.00", date(2026, 1, 15))
    line = claw_back(book.ann1, date(2026, 3, 1))
    db.session.commit()
    assert line is not None
    build_agent_statements(line.month)
    anns = db.session.scalar(select(AgentStatement).where(AgentStatement.agent_id == book.ann.id))
    assert (str(anns.commission), str(anns.clawbacks), str(anns.total)) == (
        "250.00",
        "-150.00",
        "100.00",
    )


def test_the_job_builds_last_month_on_the_first(book):  # noqa: F811
    """By hand with a month it builds that month; on other days than the
    1st it builds nothing (the scheduler runs it daily)."""
    january(book)
    assert run_agent_statements_job("2026-01") == 3
    from plugins.insurance.services.terms import today

    if today().day != 1:
        assert run_agent_statements_job() == 0


def test_an_agent_sees_only_their_statements(as_user, book):  # noqa: F811
    january(book)
    build_agent_statements(date(2026, 1, 1))
    bobs = db.session.scalar(select(AgentStatement).where(AgentStatement.agent_id == book.bob.id))
    ann = as_user(book.ann)
    mine = ann.get(f"{API}/agent-statements").json["items"]
    assert [s["agent_id"] for s in mine] == [book.ann.id]
    assert ann.get(f"{API}/agent-statements/{bobs.id}").status_code == 404
    assert (
        ann.post(f"{API}/agent-statements/{bobs.id}/issue", json={"version": 1}).status_code == 403
    )
    team = {s["agent_id"] for s in as_user(book.meg).get(f"{API}/agent-statements").json["items"]}
    assert team == {book.ann.id, book.lee.id}
    assert as_user(book.meg).get(f"{API}/agent-statements/{bobs.id}").status_code == 404
    assert as_user(book.admin).get(f"{API}/agent-statements?status=draft").json["total"] == 3


# --- leaderboard ---------------------------------------------------------------


def test_the_leaderboard_ranks_by_ape_then_count_then_commission(as_user, book):  # noqa: F811
    """January 2026's new business (term 1; the renewal term is not new):
    Ann 1,200.00 + 1,200.00 = 2,400.00 in 2 policies; Bob 2,400.00 in 1 →
    Ann first on the count. Lee sold nothing but earned 20.00 of override:
    third. Ann's commission 250.00, Bob's 150.00. Ann sees herself only;
    Meg her team."""
    january(book)
    board = as_user(book.admin).get(f"{API}/agents/leaderboard?from=2026-01-01&to=2026-01-31")
    assert board.status_code == 200, board.json
    rows = [
        (r["rank"], r["agent_id"], r["new_count"], r["ape"], r["commission"])
        for r in board.json["items"]
    ]
    assert rows == [
        (1, book.ann.id, 2, "2400.00", "250.00"),
        (2, book.bob.id, 1, "2400.00", "150.00"),
        (3, book.lee.id, 0, "0", "20.00"),
    ]
    assert board.json["items"][0]["code"] == "A-1"
    own = as_user(book.ann).get(f"{API}/agents/leaderboard?from=2026-01-01&to=2026-01-31")
    assert [r["agent_id"] for r in own.json["items"]] == [book.ann.id]
    team = as_user(book.meg).get(f"{API}/agents/leaderboard?from=2026-01-01&to=2026-01-31")
    assert [r["agent_id"] for r in team.json["items"]] == [book.ann.id, book.lee.id]
    empty = as_user(book.admin).get(f"{API}/agents/leaderboard?from=2025-01-01&to=2025-01-31")
    assert empty.json["items"] == []
    backwards = as_user(book.admin).get(f"{API}/agents/leaderboard?from=2026-02-01&to=2026-01-01")
    assert backwards.status_code == 422
