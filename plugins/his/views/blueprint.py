"""The web blueprint (``/his``, endpoints ``his.*``): each page module of
this package adds its routes to it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("his", __name__, url_prefix="/his")
