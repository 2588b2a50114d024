"""schemathesis over the journey operations (as ``tests/test_openapi_fuzz.py``
does over every operation): no 5xx, every status and body the document
promises — ``steps`` repeated, comma lists, unknown keys (422 naming
``steps``) — over customers with a contact and a customer of id 1."""

from __future__ import annotations

import re

import requests

from core.testing.fuzz import api_contract_failures

PATHS = r"^/api/v1/marketing/journeys"


def test_the_journey_operations_keep_their_openapi_contract(
    live_server, make_user, make_customer, make_contact, as_user
):
    admin = make_user(role="admin")
    for i in range(2):
        make_contact(customer=make_customer(name=f"Fuzz {i}", owner_id=admin.id))
    client = as_user(admin)
    headers = {"Authorization": client.environ_base["HTTP_AUTHORIZATION"]}
    document = requests.get(f"{live_server}/api/v1/openapi.json", headers=headers, timeout=30)
    fuzzed = [p for p in document.json()["paths"] if re.search(PATHS, p)]
    assert len(fuzzed) == 2, fuzzed
    failures = api_contract_failures(live_server, headers, max_examples=3, path_regex=PATHS)
    assert failures == [], "\n\n".join(
        f.operation + " " + f.check + "\n" + f.text for f in failures
    )
