"""The money reports (回款报表): aging, overdue instalments, collection rate
and DSO (:mod:`.receivables`), contracted vs collected and quote conversion
(:mod:`.sales`), approval turnaround (:mod:`.approvals`). Every figure is
aggregated in SQL over the rows its viewer may see
(:func:`plugins.sales.services.access.visible_records`) — contracted and
collected money of whole months, for someone who sees every record, over
the kept monthly cells instead (:mod:`.sums`); money is exact
``Decimal`` per currency, never added across currencies."""

from .approvals import approval_turnaround
from .receivables import BUCKET_KEYS, aging, collection_rate, dso, overdue
from .sales import GROUPINGS, by_month_and_owner, contracted_vs_collected, quote_conversion
from .sums import collected_money

__all__ = [
    "BUCKET_KEYS",
    "GROUPINGS",
    "aging",
    "approval_turnaround",
    "by_month_and_owner",
    "collected_money",
    "collection_rate",
    "contracted_vs_collected",
    "dso",
    "overdue",
    "quote_conversion",
]
