"""Each demo is set in one market, whatever the instance it is loaded into:
the English demo is an American business (US dollars, New York's clock,
American public holidays), the Chinese one a business in China (yuan,
Shanghai's clock, Chinese holidays with their 调休 make-up days)."""

from datetime import date

import pytest
from sqlalchemy import select

from core.api import User, db
from plugins.insurance.models import Policy
from plugins.sales.models import CommissionRule, Deal, Product, SalesTarget
from plugins.service_dispatch.models import CalendarDay
from plugins.service_dispatch.services.business_hours import load_calendar

MONEY = (Deal, Product, SalesTarget, CommissionRule, Policy)


@pytest.mark.parametrize(
    "instance, demo, currency, zone, holiday, day_off",
    [
        ("zh_CN", "en", "USD", "America/New_York", "Thanksgiving Day", date(2026, 11, 26)),
        ("en", "zh_CN", "CNY", "Asia/Shanghai", "国庆节", date(2026, 10, 1)),
    ],
)
def test_the_demo_is_set_in_its_languages_market(
    instance, demo, currency, zone, holiday, day_off, make_app, load_demo_as_admin
):
    make_app(TRELLIS_LOCALE=instance)  # an instance of the other language and currency
    admin = load_demo_as_admin(demo)
    assert {m.__name__: set(db.session.scalars(select(m.currency))) for m in MONEY} == {
        m.__name__: {currency} for m in MONEY
    }
    calendar = load_calendar()
    assert calendar.timezone == zone and not calendar.is_working_day(day_off)
    assert holiday in db.session.scalars(select(CalendarDay.name))
    people = db.session.scalars(select(User.timezone).where(User.id != admin.id))
    assert set(people) == {zone}  # the demo's staff read times on the market's clock
