"""Commission pages (佣金) under ``/insurance``, a module per concern:

- :mod:`.commission_statements`: ``/commission``, the agents' monthly
  statements (佣金月结单), and ``/commission/statements``, the carrier
  statements and their CSV upload (对账);
- :mod:`.commission_rules`: ``/commission/rules``, the commission rules;
- :mod:`.leaderboard`: ``/leaderboard``, the agents ranked (业绩排行榜);
- this module: what they share (the permissions, the labels, the template
  helpers, month parsing, names) and :func:`commission_panel`, the policy
  page's Commission section.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import request
from sqlalchemy import select

from core.api import User, db, translator

from ..models import Carrier, CommissionLine, Policy
from ..services.commission.queries import visible_lines
from ..services.terms import today
from .blueprint import bp

_, _l = translator("insurance")
READ, WRITE = "insurance.commission.read", "insurance.commission.write"
LIST_SIZE = 50
MATCH_TONES = {"matched": "ok", "variance": "warn", "unknown": "bad"}


def kind_labels() -> dict[str, str]:
    return {
        "commission": _("Commission"),
        "override": _("Override"),
        "clawback": _("Clawback"),
        "reversal": _("Reversal"),
    }


def basis_labels() -> dict[str, str]:
    return {"first_year": _("First-year"), "renewal": _("Renewal")}


def match_labels() -> dict[str, str]:
    return {"matched": _("Matched"), "variance": _("Variance"), "unknown": _("Unknown policy")}


def status_labels() -> dict[str, str]:
    return {"draft": _("Draft"), "issued": _("Issued")}


def _month_arg(name: str = "month") -> date | None:
    return _month_from(request.args.get(name, ""))


def _percent(value) -> str:
    """A stored fraction as the percent a form shows (0.2500 → 25)."""
    if value is None or value == "":
        return ""
    return format((Decimal(str(value)) * 100).normalize(), "f")


def _user_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


@bp.app_context_processor
def commission_helpers() -> dict:
    return {
        "commission_kind": lambda kind: kind_labels().get(kind, kind),
        "commission_basis": lambda basis: basis_labels().get(basis, basis),
        "match_label": lambda status: match_labels().get(status, status),
        "match_tone": lambda status: MATCH_TONES.get(status, ""),
        "rate_percent": _percent,
    }


def _month_from(text: str) -> date | None:
    try:
        year, month = (int(part) for part in text.strip().split("-")[:2])
        return date(year, month, 1)
    except ValueError:
        return None


def _last_month() -> str:
    return (today().replace(day=1) - date.resolution).strftime("%Y-%m")


def _carriers() -> list[tuple[int, str]]:
    rows = db.session.scalars(
        select(Carrier).where(Carrier.deleted_at.is_(None)).order_by(Carrier.name)
    )
    return [(c.id, c.name) for c in rows]


# --- the policy page's section ---------------------------------------------------


def commission_panel(policy: Policy, user) -> dict | None:
    """What the policy page's Commission section shows: the policy's lines
    the user may see (an agent their own, the upline their overrides), with
    their sums per currency; None without ``insurance.commission.read``."""
    if user is None or not user.can(READ):
        return None
    lines = list(
        db.session.scalars(
            visible_lines(user)
            .where(CommissionLine.policy_id == policy.id)
            .order_by(CommissionLine.month, CommissionLine.id)
        )
    )
    expected: dict[str, Decimal] = {}
    agent: dict[str, Decimal] = {}
    for line in lines:
        expected[line.currency] = expected.get(line.currency, Decimal("0")) + line.expected
        agent[line.currency] = agent.get(line.currency, Decimal("0")) + line.agent_amount
    return {
        "lines": lines,
        "names": _user_names(line.agent_id for line in lines),
        "expected": expected,
        "agent": agent,
    }
