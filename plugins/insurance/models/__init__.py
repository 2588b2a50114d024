"""The insurance plugin's tables, one module per concern: the catalogue
(carriers, products, covers, premium tables), the parties (persons,
households, agents; insured, beneficiaries, objects, coverages), policies
and their transactions, premiums (instalments, payments), claims and their
events, commission (rules, lines, carrier and agent statements), and the
report cells (earned premium added up by month)."""

from .catalogue import FREQUENCIES, LINES, PRICINGS, Carrier, Cover, InsuranceProduct, Rate
from .claims import CAUSES, CHANNELS, CLAIM_STATES, RISK_RULES, Claim, ClaimEvent
from .commission import (
    AgentStatement,
    CarrierStatement,
    CarrierStatementLine,
    CommissionLine,
    InsuranceCommissionRule,
)
from .moved_customer import MovedCustomer
from .parties import (
    AGENT_RANKS,
    ID_TYPES,
    OBJECT_KINDS,
    RELATIONS,
    Agent,
    Beneficiary,
    Coverage,
    Household,
    Insured,
    InsuredObject,
    Person,
)
from .policy import (
    CALLBACK_OUTCOMES,
    LIVE_STATES,
    LOST_REASONS,
    POLICY_STATES,
    TRANSACTION_KINDS,
    Policy,
    PolicyTransaction,
)
from .premiums import PAYMENT_METHODS, PremiumInstalment, PremiumPayment
from .report_cell import ReportCell

#: every table, in the order they may be created
MODELS = [
    Carrier,
    InsuranceProduct,
    Cover,
    Rate,
    Household,
    Person,
    Agent,
    Policy,
    PolicyTransaction,
    Insured,
    Beneficiary,
    InsuredObject,
    Coverage,
    PremiumInstalment,
    PremiumPayment,
    Claim,
    ClaimEvent,
    InsuranceCommissionRule,
    CarrierStatement,
    CarrierStatementLine,
    AgentStatement,
    CommissionLine,
    ReportCell,
    MovedCustomer,
]

__all__ = [
    "AGENT_RANKS",
    "CALLBACK_OUTCOMES",
    "CAUSES",
    "CHANNELS",
    "CLAIM_STATES",
    "FREQUENCIES",
    "ID_TYPES",
    "LINES",
    "LIVE_STATES",
    "LOST_REASONS",
    "MODELS",
    "OBJECT_KINDS",
    "PAYMENT_METHODS",
    "POLICY_STATES",
    "PRICINGS",
    "RELATIONS",
    "RISK_RULES",
    "TRANSACTION_KINDS",
    "Agent",
    "AgentStatement",
    "Beneficiary",
    "Carrier",
    "CarrierStatement",
    "CarrierStatementLine",
    "Claim",
    "ClaimEvent",
    "CommissionLine",
    "InsuranceCommissionRule",
    "Cover",
    "Coverage",
    "Household",
    "PremiumInstalment",
    "Insured",
    "InsuredObject",
    "MovedCustomer",
    "Person",
    "Policy",
    "PolicyTransaction",
    "PremiumPayment",
    "InsuranceProduct",
    "Rate",
    "ReportCell",
]
