"""The insurance reports (plan §3.8), one module per family, all read from
the rows (policies, their transactions, claims and claim events) through
``services/access.py`` — an agent's reports count only their own records, a
manager's their team's:

- :mod:`.period`: the period (whole months), the grouping, the labels;
- :mod:`.premium`: written and earned premium;
- :mod:`.book`: in force at month ends, new business, lapse rate, renewal rate;
- :mod:`.persistency`: 13- and 25-month persistency (the job that marks it
  is :mod:`..persistency`);
- :mod:`.claims`: loss ratio and claim cycle time;
- :mod:`.conversion`: quote-to-bind and callback compliance.

Money is always per currency, never added across currencies. Every report
returns ``{"rows": [...], "totals": [...]}`` (totals per currency, or one
row for counts) — the API's schemas and the page read the same dicts.
"""

from .book import in_force, lapse_rate, new_business, renewal_rate
from .claims import claim_cycle, loss_ratio
from .conversion import callback_compliance, quote_to_bind
from .period import GROUPS, Period, default_period
from .persistency import persistency
from .premium import earned_premium, premium, written_premium

REPORTS = {
    "premium": premium,
    "in-force": in_force,
    "new-business": new_business,
    "lapse-rate": lapse_rate,
    "persistency": persistency,
    "renewal-rate": renewal_rate,
    "loss-ratio": loss_ratio,
    "claim-cycle": claim_cycle,
    "quote-to-bind": quote_to_bind,
    "callback-compliance": callback_compliance,
}

__all__ = [
    "GROUPS",
    "REPORTS",
    "Period",
    "callback_compliance",
    "claim_cycle",
    "default_period",
    "earned_premium",
    "in_force",
    "lapse_rate",
    "loss_ratio",
    "new_business",
    "persistency",
    "premium",
    "quote_to_bind",
    "renewal_rate",
    "written_premium",
]
