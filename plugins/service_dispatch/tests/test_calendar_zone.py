"""Until a service admin saves a business calendar, SLA hours are counted on
the instance's clock (``TRELLIS_TIMEZONE``), not on any one country's."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from plugins.service_dispatch.services.business_hours import add_business_hours, load_calendar

API = "/api/v1/service"


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Shanghai"])
def test_with_no_calendar_saved_the_hours_run_on_the_instances_clock(
    zone, make_app, make_user, as_user
):
    make_app(TRELLIS_TIMEZONE=zone)
    calendar = load_calendar()
    local = ZoneInfo(zone)
    # Friday 17:00 local + 2 business hours: one on Friday, one on Monday → Monday 10:00 local
    due = add_business_hours(datetime(2026, 11, 27, 17, tzinfo=local), 2, calendar)
    assert due == datetime(2026, 11, 30, 10, tzinfo=local)
    admin = as_user(make_user(role="admin"))
    assert admin.get(f"{API}/calendar").json["timezone"] == zone
    saved = admin.patch(f"{API}/calendar", json={"opens": "08:00"})  # the zone is kept
    assert saved.status_code == 200 and saved.json["timezone"] == zone
    assert load_calendar().timezone == zone
