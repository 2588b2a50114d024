"""Demo entitlement, in English or Chinese: the business calendar of the
demo's market, Monday to Friday 9:00–18:00 (the English demo in New York
with the American public holidays from Labor Day 2026 to Independence Day
2027; the Chinese one in Shanghai with the National Day week of 2026 and its
调休 make-up days, New Year and Spring Festival 2027), the SLA policies and
a few customers' warranties and service contracts. The demo's open orders
then get their coverage and resolve-by deadline as if they had just been
opened."""

from datetime import date, timedelta

from sqlalchemy import select

from core.api import db, utcnow

from ..models import BusinessCalendar, CalendarDay, Contract, SlaPolicy, WorkOrder
from ..services.entitlement import apply_entitlement

#: the calendar's time zone in each demo's market
TIMEZONES = {"en": "America/New_York", "zh_CN": "Asia/Shanghai"}
#: that market's days off and make-up working days: (first day, last day, working, name)
DAYS = {
    "en": [
        (date(2026, 9, 7), date(2026, 9, 7), False, "Labor Day"),
        (date(2026, 11, 26), date(2026, 11, 26), False, "Thanksgiving Day"),
        (date(2026, 12, 25), date(2026, 12, 25), False, "Christmas Day"),
        (date(2027, 1, 1), date(2027, 1, 1), False, "New Year's Day"),
        (date(2027, 5, 31), date(2027, 5, 31), False, "Memorial Day"),
        (date(2027, 7, 5), date(2027, 7, 5), False, "Independence Day (observed)"),
    ],
    "zh_CN": [
        (date(2026, 9, 20), date(2026, 9, 20), True, "国庆节调休上班"),
        (date(2026, 10, 1), date(2026, 10, 7), False, "国庆节"),
        (date(2026, 10, 10), date(2026, 10, 10), True, "国庆节调休上班"),
        (date(2027, 1, 1), date(2027, 1, 1), False, "元旦"),
        (date(2027, 2, 6), date(2027, 2, 12), False, "春节"),
    ],
}
#: (priority, response hours, resolution hours) in business hours
POLICIES = [("urgent", 2, 8), ("high", 4, 16), ("normal", 8, 24), ("low", 16, 40)]
#: installations are booked ahead: a longer default for that category
INSTALLATION = {"en": "installation", "zh_CN": "安装"}
#: (customer index, number, kind, product, serial number, categories, years running, notes)
CONTRACTS = {
    "en": [
        (
            0,
            "WTY-2026-0001",
            "warranty",
            "Air conditioner KFR-35",
            "KFR35-88231",
            [],
            3,
            "Manufacturer's three-year warranty",
        ),
        (
            1,
            "SVC-2026-0007",
            "contract",
            None,
            None,
            ["maintenance"],
            1,
            "Yearly maintenance contract for every unit on site",
        ),
        (3, "WTY-2025-0142", "warranty", None, None, ["repair"], 2, "Extended repair warranty"),
        (4, "WTY-2023-0311", "warranty", "Water purifier RO-500", None, [], -1, "Expired warranty"),
    ],
    "zh_CN": [
        (0, "保修-2026-0001", "warranty", "空调 KFR-35", "KFR35-88231", [], 3, "厂家三年保修"),
        (1, "服务-2026-0007", "contract", None, None, ["保养"], 1, "全部设备年度保养合同"),
        (3, "保修-2025-0142", "warranty", None, None, ["维修"], 2, "延长维修保修"),
        (4, "保修-2023-0311", "warranty", "净水器 RO-500", None, [], -1, "已过保"),
    ],
}


def load_demo(locale, customers, users) -> None:
    db.session.add(
        BusinessCalendar(
            id=1,
            timezone=TIMEZONES.get(locale, TIMEZONES["en"]),
            workdays=[0, 1, 2, 3, 4],
            opens_minute=9 * 60,
            closes_minute=18 * 60,
        )
    )
    for first, last, working, name in DAYS.get(locale, DAYS["en"]):
        for n in range((last - first).days + 1):
            db.session.add(CalendarDay(day=first + timedelta(days=n), working=working, name=name))
    for priority, respond, resolve in POLICIES:
        db.session.add(
            SlaPolicy(
                category="", priority=priority, response_hours=respond, resolution_hours=resolve
            )
        )
    db.session.add(
        SlaPolicy(
            category=INSTALLATION.get(locale, "installation"),
            priority="normal",
            response_hours=16,
            resolution_hours=40,
        )
    )
    today = utcnow().date()
    for index, number, kind, product, serial, categories, years, notes in CONTRACTS.get(
        locale, CONTRACTS["en"]
    ):
        if index >= len(customers):
            continue
        starts = today - timedelta(days=400) if years < 0 else today - timedelta(days=30)
        db.session.add(
            Contract(
                number=number,
                kind=kind,
                customer_id=customers[index].id,
                product=product,
                serial_number=serial,
                categories=categories,
                starts_on=starts,
                ends_on=starts + timedelta(days=365 * abs(years)),
                notes=notes,
            )
        )
    db.session.flush()
    for order in db.session.scalars(select(WorkOrder).where(WorkOrder.resolve_by.is_(None))):
        apply_entitlement(order, keep_respond_by=order.respond_by is not None)
