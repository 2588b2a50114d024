"""A date trigger on a customer's custom field of type date
(``custom_fields.<key>``): refused naming ``trigger.field`` when the custom
field is unknown or not a date; fires for the customers whose value plus
the offset is today (and every year with ``yearly``), read from the JSON
values on SQLite and PostgreSQL alike; listed by the API and the rule form
with its label."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.api import db
from core.automation import save_rule
from core.automation import schedules as clock
from core.errors import ValidationError
from core.models import AutomationRule, AutomationRun, CustomFieldDefinition
from core.services.customers import create_customer

TASK = {"type": "create_task", "params": {"title": "Renewal call"}}


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", email="ada@example.com", name="Ada Admin")


@pytest.fixture
def fields(app):
    db.session.add_all(
        [
            CustomFieldDefinition(
                entity="customer", key="renewal_on", label="续约日期", type="date"
            ),
            CustomFieldDefinition(entity="customer", key="size", label="Size", type="text"),
        ]
    )
    db.session.commit()


def rule(admin, **trigger):
    payload = {"kind": "date", "record_type": "customer", "hour": 9, **trigger}
    return save_rule({"name": "Renewal", "trigger": payload, "actions": [TASK]}, None, admin)


def fire(made: AutomationRule, slot: datetime) -> int | None:
    db.session.get(AutomationRule, made.id).next_run_at = slot
    db.session.commit()
    return clock.run_slot(made.id, slot, slot)


def fired() -> list[tuple[int | None, str | None]]:
    db.session.expire_all()
    return [
        (r.record_id, r.slot)
        for r in db.session.scalars(select(AutomationRun).order_by(AutomationRun.id))
    ]


@pytest.mark.parametrize("field", ["custom_fields.size", "custom_fields.nowhere"])
def test_an_unknown_or_not_date_custom_field_is_refused_naming_the_field(admin, fields, field):
    with pytest.raises(ValidationError) as refused:
        rule(admin, field=field)
    assert list(refused.value.errors) == ["trigger.field"]
    assert field in refused.value.errors["trigger.field"][0]


def test_a_custom_date_fires_a_month_before_for_the_customers_on_that_day(admin, fields):
    made = rule(admin, field="custom_fields.renewal_on", offset_days=-30)
    due = create_customer(
        {"name": "Due", "custom_fields": {"renewal_on": "2026-04-04", "size": "big"}}, admin
    ).customer
    create_customer({"name": "Later", "custom_fields": {"renewal_on": "2026-04-05"}}, admin)
    create_customer({"name": "Last year", "custom_fields": {"renewal_on": "2025-04-04"}}, admin)
    create_customer({"name": "None"}, admin)
    assert fire(made, datetime(2026, 3, 5, 9, tzinfo=UTC)) == 1
    assert fired() == [(due.id, "2026-04-04")]
    # the same day again: not twice
    assert fire(made, datetime(2026, 3, 5, 9, tzinfo=UTC)) == 0


def test_a_yearly_custom_date_fires_every_year_and_a_leap_day_on_the_28th(admin, fields):
    made = rule(admin, field="custom_fields.renewal_on", yearly=True)
    signed = create_customer(
        {"name": "Signed", "custom_fields": {"renewal_on": "2019-02-28"}}, admin
    ).customer
    leap = create_customer(
        {"name": "Leap", "custom_fields": {"renewal_on": "2020-02-29"}}, admin
    ).customer
    create_customer({"name": "March", "custom_fields": {"renewal_on": "2020-03-28"}}, admin)
    assert fire(made, datetime(2027, 2, 28, 9, tzinfo=UTC)) == 2
    assert sorted(fired()) == sorted([(signed.id, "2027-02-28"), (leap.id, "2027-02-28")])


def test_the_api_and_the_form_list_the_custom_date_field_with_its_label(
    admin, fields, as_user, login_as
):
    events = {e["name"]: e for e in as_user(admin).get("/api/v1/automation/events").json}
    dates = events["customer_created"]["record"]["date_fields"]
    assert "custom_fields.renewal_on" in dates and "custom_fields.size" not in dates
    page = login_as(admin).get("/admin/automation/new").get_data(as_text=True)
    assert "续约日期 (custom_fields.renewal_on)" in page
