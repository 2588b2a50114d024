"""Billing (收费): charges from registration, prescriptions and orders at
the price list; payments with split tenders and gapless receipts; refunds
through core's approval engine; each cashier's daily settlement (日结).

- :mod:`.charges`: ChargeLine, add, void, is_paid (what other records call)
- :mod:`.registration`: the booking's fee as a charge; voided on cancel
- :mod:`.prices`: the price list
- :mod:`.access`: who sees which billing records
- :mod:`.coverage`: the insurance share, asked through ``trellis_his_coverage``
- :mod:`.payments`: take a payment (tenders, change, receipt number)
- :mod:`.refunds`: request, approve (core's engine), pay out
- :mod:`.settlements`: close a cashier's day
- :mod:`.revenue_cells`: the revenue report's cells, kept by payments and refunds
- :mod:`.revenue_rebuild`: the cells added up again from scratch (after a bulk load)
"""

from .access import visible_billing, visible_one
from .charges import ChargeLine, add_charges, charges_of, is_paid, line_for, void_charges
from .coverage import Coverage, coverage
from .payments import take_payment, unpaid_charges
from .prices import create_price_item, get_price_item, update_price_item
from .refunds import approvable, pay_refund, refundable, request_refund
from .registration import charge_registration, release_registration
from .revenue_rebuild import rebuild_revenue_cells
from .settlements import Totals, close_settlement, open_totals

__all__ = [
    "ChargeLine",
    "Coverage",
    "Totals",
    "add_charges",
    "approvable",
    "charge_registration",
    "charges_of",
    "close_settlement",
    "coverage",
    "create_price_item",
    "get_price_item",
    "is_paid",
    "line_for",
    "open_totals",
    "pay_refund",
    "rebuild_revenue_cells",
    "refundable",
    "release_registration",
    "request_refund",
    "take_payment",
    "unpaid_charges",
    "update_price_item",
    "visible_billing",
    "visible_one",
    "void_charges",
]
