"""schemathesis over the amendment of a closed visit's diagnoses (as
``tests/test_openapi_fuzz.py`` does over every operation): no 5xx, every
status and body the document promises, a rule across fields a 422 naming
only its fields — with a closed visit of id 1, so the fuzzer's ids reach
the rules."""

from __future__ import annotations

import re

import requests

from core.testing.fuzz import api_contract_failures
from plugins.his.services import visits

from .booking_fixtures import clinic  # noqa: F401
from .visit_fixtures import started

PATHS = r"^/api/v1/his/visits/\{visit_id\}/(diagnosis-amendments|amendments)"


def test_the_amendment_operations_keep_their_openapi_contract(
    live_server, clinic, make_user, as_user
):
    admin = make_user(role="admin")
    visit = started(clinic)
    visits.add_diagnosis(visit, {"code": "I10"}, clinic.li)
    visits.close_visit(visit, clinic.li)
    assert visit.id == 1
    client = as_user(admin)
    headers = {"Authorization": client.environ_base["HTTP_AUTHORIZATION"]}
    document = requests.get(f"{live_server}/api/v1/openapi.json", headers=headers, timeout=30)
    fuzzed = [p for p in document.json()["paths"] if re.search(PATHS, p)]
    assert len(fuzzed) == 2, fuzzed
    failures = api_contract_failures(live_server, headers, max_examples=3, path_regex=PATHS)
    assert failures == [], "\n\n".join(
        f.operation + " " + f.check + "\n" + f.text for f in failures
    )
