"""schemathesis over the formulary, prescription and examination order
operations (as ``tests/test_openapi_fuzz.py`` does over every operation):
no 5xx, every status and body the OpenAPI document promises, invalid input
refused and valid input accepted — with an open visit, a draft, a drug and
an order of id 1, so the fuzzer's ids reach the rules."""

from __future__ import annotations

import re

import requests

from core.testing.fuzz import api_contract_failures

from .booking_fixtures import clinic  # noqa: F401
from .orders_fixtures import formulary, line, prescribe  # noqa: F401
from .visit_fixtures import started

PATHS = r"^/api/v1/his/(drugs|prescriptions|exam-orders|exam-items)"


def test_the_order_operations_keep_their_openapi_contract(
    live_server, clinic, formulary, make_user, as_user
):
    admin = make_user(role="admin")
    visit = started(clinic)
    client = as_user(admin)
    assert prescribe(client, visit, line(formulary.ibuprofen)).status_code == 201
    made = client.post(
        "/api/v1/his/exam-orders", json={"visit_id": visit.id, "item_code": "LAB-CBC"}
    )
    assert made.status_code == 201, made.json
    headers = {"Authorization": client.environ_base["HTTP_AUTHORIZATION"]}
    document = requests.get(f"{live_server}/api/v1/openapi.json", headers=headers, timeout=30)
    fuzzed = [p for p in document.json()["paths"] if re.search(PATHS, p)]
    assert len(fuzzed) == 12, fuzzed
    failures = api_contract_failures(live_server, headers, max_examples=3, path_regex=PATHS)
    assert failures == [], "\n\n".join(
        f.operation + " " + f.check + "\n" + f.text for f in failures
    )
