"""The sales plugin's tables, a module per aggregate; every class and constant
is re-exported here (``from plugins.sales.models import Deal``).

- :mod:`.pipeline`: pipelines (销售流程) and their ordered stages (阶段)
- :mod:`.deal`: deals (商机), their stage history and their lines
- :mod:`.lead`: leads (线索), the web forms that capture them, the assignment rules
- :mod:`.product`: products (产品), what deal lines sell
- :mod:`.target`: monthly targets (业绩目标)
- :mod:`.commission_rule`: commission rules (提成规则)
- :mod:`.report_cell`: the report cells, customers' wins and KPI rows the reports read
"""

from .commission_rule import CommissionRule
from .deal import Deal, DealLine, StageChange
from .lead import LEAD_SOURCES, LEAD_STATUSES, AssignmentRule, Lead, LeadForm
from .pipeline import OUTCOMES, Pipeline, Stage
from .product import Product
from .report_cell import CustomerKpi, CustomerWins, ReportCell
from .target import SalesTarget

__all__ = [
    "LEAD_SOURCES",
    "LEAD_STATUSES",
    "OUTCOMES",
    "AssignmentRule",
    "CommissionRule",
    "CustomerKpi",
    "CustomerWins",
    "Deal",
    "DealLine",
    "Lead",
    "LeadForm",
    "Pipeline",
    "Product",
    "ReportCell",
    "SalesTarget",
    "Stage",
    "StageChange",
]
