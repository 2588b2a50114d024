"""From quote to a kept promise: quote-to-bind (报价承保率) and callback
(回访) compliance, plan §3.8.

- **Quote-to-bind** = of the term-1 quotes made in the period (``quoted_at``,
  the instance's day), the share bound (``bound_at`` set, whenever).
- **Callback compliance** = of the policies issued in the period whose
  product requires a callback and whose cooling-off period has ended
  (``cooling_off_ends_on`` < today), the share called back in time (the
  instance's day of ``callback_done_at`` ≤ ``cooling_off_ends_on``).
"""

from __future__ import annotations

from sqlalchemy import select

from core.api import db

from ...models import InsuranceProduct, Policy
from ..access import visible_policies
from ..terms import today
from .period import Period, group_key, labels, local_day, month_of, ratio, sort_rows, zone

DIMS = (Policy.carrier_id, Policy.product_id, Policy.line, Policy.agent_id)


def _finish(found: dict, group_by: str, part: str, whole: str) -> dict:
    names = labels(group_by, found)
    total = {part: 0, whole: 0}
    rows = []
    for key, row in found.items():
        row["label"] = names[key]
        row["rate"] = ratio(row[part], row[whole])
        total[part] += row[part]
        total[whole] += row[whole]
        rows.append(row)
    total["rate"] = ratio(total[part], total[whole])
    return {"rows": sort_rows(rows, group_by), "totals": [total]}


def quote_to_bind(user, period: Period, group_by: str = "month", currency=None) -> dict:
    """Per group (the month quoted): quotes, bound, and bound ÷ quotes."""
    start, stop = period.utc_bounds()
    query = visible_policies(user, select(Policy.quoted_at, Policy.bound_at, *DIMS)).where(
        Policy.term_no == 1,
        Policy.quoted_at >= start,
        Policy.quoted_at < stop,
        Policy.deleted_at.is_(None),
    )
    if currency:
        query = query.where(Policy.currency == currency)
    found: dict[str, dict] = {}
    where = zone()
    for quoted_at, bound_at, *dims in db.session.execute(query):
        key = group_key(group_by, month_of(local_day(quoted_at, where)), *dims)
        row = found.setdefault(key, {"group": key, "quotes": 0, "bound": 0})
        row["quotes"] += 1
        row["bound"] += bound_at is not None
    return _finish(found, group_by, "bound", "quotes")


def callback_compliance(user, period: Period, group_by: str = "month", currency=None) -> dict:
    """Per group (the month issued): callbacks due (cooling-off over), done
    in time, and in time ÷ due."""
    query = visible_policies(
        user,
        select(Policy.issued_on, Policy.callback_done_at, Policy.cooling_off_ends_on, *DIMS).join(
            InsuranceProduct, InsuranceProduct.id == Policy.product_id
        ),
    ).where(
        InsuranceProduct.callback_required.is_(True),
        Policy.issued_on >= period.first,
        Policy.issued_on <= period.last,
        Policy.cooling_off_ends_on < today(),
        Policy.deleted_at.is_(None),
    )
    if currency:
        query = query.where(Policy.currency == currency)
    found: dict[str, dict] = {}
    where = zone()
    for issued_on, done_at, cooling_off_ends_on, *dims in db.session.execute(query):
        key = group_key(group_by, month_of(issued_on), *dims)
        row = found.setdefault(key, {"group": key, "due": 0, "in_time": 0})
        row["due"] += 1
        done = local_day(done_at, where)
        row["in_time"] += done is not None and done <= cooling_off_ends_on
    return _finish(found, group_by, "in_time", "due")
