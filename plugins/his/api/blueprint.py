"""The JSON API blueprint (``/api/v1/his``, endpoints ``api_his.*``): each
module of this package adds its routes to it."""

from __future__ import annotations

from core.api import ApiBlueprint

bp = ApiBlueprint(
    "api_his",
    __name__,
    description="Hospital: patients (患者), departments, clinic sessions and bookings (挂号)",
)
