"""The web blueprint (``/sales``, endpoints ``sales.*``): each page module of
this package adds its routes to it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sales", __name__, url_prefix="/sales")
