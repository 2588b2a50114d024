"""Privacy of the medical record: who sees a patient (their department, or
in their care), every read audited, break-the-glass access with a reason,
and a patient's data exported on request."""

from .care import customers_in_care
from .export import patient_export
from .glass import (
    BREAK_GLASS,
    GlassInput,
    active_grant,
    break_glass,
    glass_hours,
    grant_until,
    grants_for_review,
    may_break_glass,
    review_grant,
)
from .reads import READ, audit_read

__all__ = [
    "BREAK_GLASS",
    "READ",
    "GlassInput",
    "active_grant",
    "audit_read",
    "break_glass",
    "customers_in_care",
    "glass_hours",
    "grant_until",
    "grants_for_review",
    "may_break_glass",
    "patient_export",
    "review_grant",
]
