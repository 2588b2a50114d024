"""The JSON API's answer for each kind of refusal, as its OpenAPI document
says: 422 for a value the schema refuses (``active: 0``, a quantity of
``"0"``, a float weekday), 404 for an id naming no record, 409 for a value
another record holds — each naming the field in ``errors``."""

import pytest

from plugins.service_dispatch.services import parts

from .test_parts_api import store  # noqa: F401  (the fixture)

API = "/api/v1/service"


def test_a_taken_sku_answers_409_naming_sku(store, as_user):  # noqa: F811
    api = as_user(store["admin"])
    created = api.post(f"{API}/parts", json={"sku": "FLT-01", "name": "Another filter"})
    assert created.status_code == 409 and "sku" in created.json["errors"], created.json
    pipe = store["pipe"]
    changed = api.patch(f"{API}/parts/{pipe.id}", json={"sku": "FLT-01", "version": pipe.version})
    assert changed.status_code == 409 and "sku" in changed.json["errors"], changed.json


@pytest.mark.parametrize("path", ["stock/receive", "stock/adjust"])
def test_a_missing_part_answers_404_naming_part_id(store, as_user, path):  # noqa: F811
    body = {"part_id": 999999, "location_id": store["central"].id, "note": "count"}
    body["counted" if path == "stock/adjust" else "quantity"] = "1"
    answer = as_user(store["admin"]).post(f"{API}/{path}", json=body)
    assert answer.status_code == 404 and "part_id" in answer.json["errors"], answer.json


def test_a_flag_of_0_answers_422(store, as_user):  # noqa: F811
    api = as_user(store["admin"])
    answer = api.post(f"{API}/parts", json={"sku": "NEW-1", "name": "New", "active": 0})
    assert answer.status_code == 422 and "active" in answer.json["errors"], answer.json
    pipe = store["pipe"]
    answer = api.patch(f"{API}/parts/{pipe.id}", json={"active": 0, "version": pipe.version})
    assert answer.status_code == 422 and "active" in answer.json["errors"], answer.json
    assert [p.sku for p in parts.parts()] == ["CU-PIPE", "FLT-01"]


@pytest.mark.parametrize("quantity", ["0", "0.00", 1, "1.005", "-1", "1e3"])
def test_a_quantity_that_is_not_above_0_with_two_decimals_answers_422(
    store,  # noqa: F811
    as_user,
    quantity,
):
    body = {"part_id": store["cart"].id, "location_id": store["central"].id, "quantity": quantity}
    answer = as_user(store["admin"]).post(f"{API}/stock/receive", json=body)
    assert answer.status_code == 422 and "quantity" in answer.json["errors"], answer.json


def test_workdays_must_be_whole_numbers(make_user, as_user):
    api = as_user(make_user(role="admin"))
    answer = api.patch(f"{API}/calendar", json={"workdays": [0.5]})
    assert answer.status_code == 422 and "workdays" in answer.json["errors"], answer.json
    assert api.patch(f"{API}/calendar", json={"workdays": [0, 1.0]}).json["workdays"] == [0, 1]


def test_a_day_already_in_the_calendar_answers_409_naming_day(make_user, as_user):
    api = as_user(make_user(role="admin"))
    assert api.post(f"{API}/calendar/days", json={"day": "2026-10-01"}).status_code == 201
    again = api.post(f"{API}/calendar/days", json={"day": "2026-10-01", "working": True})
    assert again.status_code == 409 and "day" in again.json["errors"], again.json
    bad = api.post(f"{API}/calendar/days", json={"day": "2026-10-02", "working": 1})
    assert bad.status_code == 422 and "working" in bad.json["errors"], bad.json


def test_a_phone_lookup_for_text_that_is_no_phone_finds_nobody(make_user, as_user):
    api = as_user(make_user(role="admin"))
    answer = api.get(f"{API}/customers-by-phone", query_string={"phone": "0"})
    assert answer.status_code == 200 and answer.json == []
