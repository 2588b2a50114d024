"""The web blueprint (``/marketing``, endpoints ``marketing.*``)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("marketing", __name__, url_prefix="/marketing")
