"""The JSON API blueprint (``/api/v1/service``, endpoints
``api_service_dispatch.*``): each module of this package adds its routes to it."""

from __future__ import annotations

from core.api import ApiBlueprint

bp = ApiBlueprint(
    "api_service_dispatch",
    __name__,
    url_prefix="/api/v1/service",
    description="Service dispatch: work orders (工单) and engineers (工程师)",
)
