"""``/leaderboard``: the agents in the user's scope ranked (业绩排行榜)."""

from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask_login import current_user, login_required

from core.api import require

from ..services.commission.leaderboard import leaderboard as standings
from ..services.terms import today
from .blueprint import bp
from .commission import READ


@bp.route("/leaderboard")
@login_required
def leaderboard():
    """The agents in the user's scope ranked by new business in a period."""
    require(READ)
    end = _date_arg("to") or today()
    start = _date_arg("from") or end.replace(day=1)
    if start > end:
        start, end = end, start
    return render_template(
        "insurance/commission/leaderboard.html",
        rows=standings(current_user, start, end),
        start=start,
        end=end,
    )


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None
