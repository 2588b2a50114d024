"""The sales plugin's tables, a module per aggregate; every class and constant
is re-exported here (``from plugins.sales.models import Deal``).

- :mod:`.pipeline`: pipelines (销售流程) and their ordered stages (阶段)
- :mod:`.deal`: deals (商机), their stage history and their lines
- :mod:`.lead`: leads (线索), the web forms that capture them, the assignment rules
- :mod:`.product`: products (产品), what deal lines sell
- :mod:`.quote`: quotes (报价单) and their lines
- :mod:`.contract`: contracts (合同) and their amendments
- :mod:`.receivable`: receivable plans' instalments (回款计划) and payments (回款)
- :mod:`.invoice`: invoices (发票) and customers' billing details (开票信息)
- :mod:`.target`: monthly targets (业绩目标)
- :mod:`.commission_rule`: commission rules (提成规则)
- :mod:`.report_cell`: the report cells, customers' wins and KPI rows the reports read
"""

from .commission_rule import COMMISSION_BASES, CommissionRule
from .contract import CONTRACT_STATUSES, Contract, ContractAmendment
from .deal import Deal, DealLine, StageChange
from .invoice import BILLING_FIELDS, INVOICE_KINDS, INVOICE_STATUSES, BillingProfile, Invoice
from .lead import LEAD_SOURCES, LEAD_STATUSES, AssignmentRule, Lead, LeadForm
from .pipeline import OUTCOMES, Pipeline, Stage
from .product import Product
from .quote import QUOTE_STATUSES, Quote, QuoteLine
from .receivable import PAYMENT_METHODS, PAYMENT_STATUSES, Instalment, Payment
from .report_cell import CustomerKpi, CustomerWins, ReportCell
from .target import TARGET_MEASURES, SalesTarget

__all__ = [
    "BILLING_FIELDS",
    "COMMISSION_BASES",
    "CONTRACT_STATUSES",
    "INVOICE_KINDS",
    "INVOICE_STATUSES",
    "LEAD_SOURCES",
    "LEAD_STATUSES",
    "OUTCOMES",
    "PAYMENT_METHODS",
    "PAYMENT_STATUSES",
    "QUOTE_STATUSES",
    "TARGET_MEASURES",
    "AssignmentRule",
    "BillingProfile",
    "CommissionRule",
    "Contract",
    "ContractAmendment",
    "CustomerKpi",
    "CustomerWins",
    "Deal",
    "DealLine",
    "Instalment",
    "Invoice",
    "Lead",
    "LeadForm",
    "Payment",
    "Pipeline",
    "Product",
    "Quote",
    "QuoteLine",
    "ReportCell",
    "SalesTarget",
    "Stage",
    "StageChange",
]
