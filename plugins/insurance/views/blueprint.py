"""The web blueprint (``/insurance``, endpoints ``insurance.*``): each page
module of this package adds its routes to it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("insurance", __name__, url_prefix="/insurance")
