"""The JSON API blueprint (``/api/v1/sales``, endpoints ``api_sales.*``):
each module of this package adds its routes to it."""

from __future__ import annotations

from core.api import ApiBlueprint

bp = ApiBlueprint("api_sales", __name__, description="Sales: pipelines (销售流程) and deals (商机)")
