"""The JSON API blueprint (``/api/v1/insurance``, endpoints
``api_insurance.*``): each module of this package adds its routes to it."""

from __future__ import annotations

from core.api import ApiBlueprint

bp = ApiBlueprint(
    "api_insurance",
    __name__,
    description="Insurance: carriers, products, policies (保单) and claims (理赔)",
)
