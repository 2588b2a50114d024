"""schemathesis over the money reports', targets' and commission rules'
operations (as ``tests/test_openapi_fuzz.py`` does over every operation):
no 5xx, every status and body the OpenAPI document promises, invalid input
refused and valid input accepted."""

from __future__ import annotations

import re

import requests

from core.testing.fuzz import api_contract_failures

PATHS = (
    r"^/api/v1/sales/(reports/(aging|overdue|contracted-vs-collected|quote-conversion|"
    r"approval-turnaround|collection|commission)|targets|commission-rules)"
)


def test_the_money_operations_keep_their_openapi_contract(
    live_server, make_user, make_customer, as_user
):
    admin = make_user(role="admin")
    make_customer(name="Fuzz", owner_id=admin.id)
    headers = {"Authorization": as_user(admin).environ_base["HTTP_AUTHORIZATION"]}
    document = requests.get(f"{live_server}/api/v1/openapi.json", headers=headers, timeout=30)
    fuzzed = [p for p in document.json()["paths"] if re.search(PATHS, p)]
    assert len(fuzzed) == 11, fuzzed  # six money reports, the statement, targets and rules (x2)
    failures = api_contract_failures(live_server, headers, max_examples=3, path_regex=PATHS)
    assert failures == []
