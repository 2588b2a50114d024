"""Appointments agreed with the customer and the engineers' schedule: who
may set one, in which states, stale writes, and the week as each user sees it."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.api import Activity, db
from plugins.service_dispatch.tests.conftest import reload

API = "/api/v1/service"


def token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_the_engineer_records_the_agreed_time_and_it_reaches_the_timeline(
    make_order, make_engineer, as_user
):
    engineer = make_engineer()
    order = make_order("accepted", engineer)
    answer = as_user(engineer).put(
        f"{API}/work-orders/{order.id}/appointment",
        json={
            "appointment_at": "2026-12-01T14:30:00+08:00",
            "version": order.version,
            "note": "Customer home after 2 pm",
        },
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["appointment_at"].startswith("2026-12-01T06:30:00")
    assert reload(order).appointment_at == datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
    entry = db.session.scalars(
        select(Activity).where(Activity.link_id == order.id).order_by(Activity.id.desc())
    ).first()
    assert "appointment agreed" in entry.subject and entry.body == "Customer home after 2 pm"


def test_someone_elses_job_a_stale_read_a_wrong_state_and_no_time_are_refused(
    make_order, make_engineer, dispatcher, as_user
):
    mine, other = make_engineer(), make_engineer()
    order = make_order("accepted", mine)
    body = {"appointment_at": "2026-12-01T09:00:00+08:00"}
    path = f"{API}/work-orders/{order.id}/appointment"
    assert as_user(other).put(path, json=body).status_code == 404
    assert as_user(mine).put(path, json={**body, "version": order.version + 5}).status_code == 409
    missing = as_user(mine).put(path, json={"version": order.version})
    assert missing.status_code == 422 and "appointment_at" in missing.json["errors"]
    assert reload(order).appointment_at is None
    on_site = make_order("on_site", mine)
    refused = as_user(dispatcher).put(f"{API}/work-orders/{on_site.id}/appointment", json=body)
    assert refused.status_code == 409 and refused.json["current_status"] == "on_site"
    assert reload(on_site).appointment_at is None
    # the dispatcher may set it on any job with an engineer
    assert as_user(dispatcher).put(path, json=body).status_code == 200


def test_the_schedule_shows_each_engineer_their_own_week(
    make_order, make_engineer, dispatcher, as_user
):
    li, wang = make_engineer(name="Li"), make_engineer(name="Wang")
    start = datetime(2026, 12, 7, tzinfo=UTC)
    monday = make_order("accepted", li, appointment_at=(start + timedelta(hours=2)).isoformat())
    sunday = make_order(
        "assigned", wang, appointment_at=(start + timedelta(days=6, hours=3)).isoformat()
    )
    make_order("assigned", li, appointment_at=(start + timedelta(days=8)).isoformat())  # later
    query = f"{API}/schedule?start=2026-12-07T00:00:00%2B00:00&days=7"
    assert [o["id"] for o in as_user(li).get(query).json] == [monday.id]
    assert [o["id"] for o in as_user(li).get(f"{query}&engineer_id={wang.id}").json] == [monday.id]
    everyone = as_user(dispatcher).get(query).json
    assert sorted(o["id"] for o in everyone) == sorted([monday.id, sunday.id])
    assert (
        as_user(dispatcher)
        .get(f"{API}/schedule?start=2026-12-07T00:00:00%2B00:00&days=99")
        .status_code
        == 422
    )


def test_the_schedule_page_puts_jobs_on_the_users_days_and_the_order_page_sets_a_time(
    make_order, make_engineer, login_as
):
    engineer = make_engineer(name="Li", timezone="Asia/Shanghai")
    # 17:00 UTC on 7 Dec is 01:00 on 8 Dec in Shanghai
    late = make_order("accepted", engineer, appointment_at="2026-12-07T17:00:00+00:00")
    waiting = make_order("assigned", engineer)
    client = login_as(engineer)
    page = client.get("/service/schedule?start=2026-12-07")
    assert page.status_code == 200
    day8 = page.text.split('id="day-2026-12-08"')[1].split("</section>")[0]
    assert late.number in day8 and late.number not in page.text.split('id="day-2026-12-08"')[0]
    assert waiting.number in page.text.split('id="waiting"')[1]
    path = f"/service/work-orders/{waiting.id}"
    assert 'id="appointment-form"' in client.get(path).text
    saved = client.post(
        f"{path}/appointment",
        data={
            "csrf_token": token(client, path),
            "version": str(waiting.version),
            "appointment_at": "2026-12-09T10:00",
        },
    )
    assert saved.status_code == 302
    assert reload(waiting).appointment_at == datetime(2026, 12, 9, 2, 0, tzinfo=UTC)
    blank = client.post(
        f"{path}/appointment",
        data={
            "csrf_token": token(client, path),
            "version": str(reload(waiting).version),
            "appointment_at": "",
        },
    )
    assert blank.status_code == 302
    assert reload(waiting).appointment_at == datetime(2026, 12, 9, 2, 0, tzinfo=UTC)


def test_a_year_out_of_range_is_named_not_a_crash(make_order, make_engineer, as_user, login_as):
    engineer = make_engineer()
    order = make_order("accepted", engineer)
    answer = as_user(engineer).put(
        f"{API}/work-orders/{order.id}/appointment",
        json={"appointment_at": "0001-01-01T00:00:00+01:00", "version": order.version},
    )
    assert answer.status_code == 422 and "appointment_at" in answer.json["errors"]
    assert reload(order).appointment_at is None
    far = as_user(engineer).get(f"{API}/schedule?start=9999-12-31T00:00:00%2B00:00")
    assert far.status_code == 422 and "start" in far.json["errors"]
    assert login_as(engineer).get("/service/schedule?start=0001-01-01").status_code == 200
