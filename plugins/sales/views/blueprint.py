"""The web blueprint (``/sales``, endpoints ``sales.*``): each page module of
this package adds its routes to it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sales", __name__, url_prefix="/sales")

#: a lead's status and a deal's outcome as badges of core's palette
LEAD_TONES = {"new": "info", "working": "warn", "converted": "ok", "disqualified": ""}
OUTCOME_TONES = {"open": "info", "won": "ok", "lost": "bad"}


@bp.app_context_processor
def tones() -> dict:
    return {
        "lead_tone": lambda status: LEAD_TONES.get(status, ""),
        "outcome_tone": lambda outcome: OUTCOME_TONES.get(outcome, ""),
    }
