"""The web blueprint (``/service``, endpoints ``service_dispatch.*``): each
page module of this package adds its routes to it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("service_dispatch", __name__, url_prefix="/service")
