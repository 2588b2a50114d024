"""The money reports (回款报表): aging, overdue instalments, collection rate
and DSO (:mod:`.receivables`), contracted vs collected and quote conversion
(:mod:`.sales`), approval turnaround (:mod:`.approvals`). Every figure is
aggregated in SQL over the rows its viewer may see
(:func:`plugins.sales.services.access.visible_records`); money is exact
``Decimal`` per currency, never added across currencies."""

from .approvals import approval_turnaround
from .common import collected_money, next_month
from .receivables import BUCKET_KEYS, aging, collection_rate, dso, overdue
from .sales import GROUPINGS, contracted_vs_collected, quote_conversion

__all__ = [
    "BUCKET_KEYS",
    "GROUPINGS",
    "aging",
    "approval_turnaround",
    "collected_money",
    "collection_rate",
    "contracted_vs_collected",
    "dso",
    "next_month",
    "overdue",
    "quote_conversion",
]
