"""The plugin's tables, a module per aggregate; every class and constant is
re-exported here (``from plugins.service_dispatch.models import WorkOrder``).

- :mod:`.work_order`: work orders, their history, the order-number counter
- :mod:`.engineer`: the field engineers orders go to
- :mod:`.attachment`, :mod:`.revisit`: an order's files and its revisit (回访)
- :mod:`.request_link`: the public request links (报修链接), requests awaiting review
- :mod:`.entitlement`: contracts and warranties, SLA policies, the business calendar
- :mod:`.parts`: spare parts, stock locations, stock and its moves
- :mod:`.report_cell`: the service reports' orders and visits added up in advance
"""

from .attachment import Attachment
from .engineer import Engineer
from .entitlement import CONTRACT_KINDS, BusinessCalendar, CalendarDay, Contract, SlaPolicy
from .parts import LOCATION_KINDS, MOVE_REASONS, Part, Stock, StockLocation, StockMove
from .report_cell import ReportCell
from .request_link import RequestLink, ServiceRequest
from .revisit import Revisit
from .work_order import (
    CLOSED,
    COVERAGE,
    OPEN_FOR_ENGINEER,
    PENDING_SQL,
    PRIORITIES,
    REPEAT_DAYS,
    SOURCES,
    STATUSES,
    TO_DISPATCH,
    OrderCounter,
    WorkOrder,
    WorkOrderEvent,
    next_deadline,
)

__all__ = [
    "CLOSED",
    "CONTRACT_KINDS",
    "COVERAGE",
    "LOCATION_KINDS",
    "MOVE_REASONS",
    "OPEN_FOR_ENGINEER",
    "PENDING_SQL",
    "PRIORITIES",
    "REPEAT_DAYS",
    "SOURCES",
    "STATUSES",
    "TO_DISPATCH",
    "Attachment",
    "BusinessCalendar",
    "CalendarDay",
    "Contract",
    "Engineer",
    "OrderCounter",
    "Part",
    "ReportCell",
    "RequestLink",
    "Revisit",
    "ServiceRequest",
    "SlaPolicy",
    "Stock",
    "StockLocation",
    "StockMove",
    "WorkOrder",
    "WorkOrderEvent",
    "next_deadline",
]
