"""schemathesis over the invoice and billing operations (as
``tests/test_openapi_fuzz.py`` does over every operation): no 5xx, every
status and body the OpenAPI document promises, invalid input refused and
valid input accepted."""

from __future__ import annotations

import re

import requests

from core.testing.fuzz import api_contract_failures
from plugins.sales.services.invoices.invoices import request_invoice

from .test_invoices_helpers import billed, make_contract  # noqa: F401  (fixtures)

PATHS = (
    r"^/api/v1/sales/(invoices|customers/\{customer_id\}/billing-profile"
    r"|contracts/\{contract_id\}/invoice-summary)"
)


def test_the_invoice_operations_keep_their_openapi_contract(
    live_server, make_user, make_customer, as_user, make_contract, billed
):
    admin = make_user(role="admin")
    contract = make_contract(admin, customer=make_customer(name="Fuzz", owner_id=admin.id))
    billed(contract.customer_id)  # id 1 of each exists: the fuzzer's ids reach the rules
    request_invoice({"contract_id": contract.id, "amount": "10"}, admin)
    headers = {"Authorization": as_user(admin).environ_base["HTTP_AUTHORIZATION"]}
    document = requests.get(f"{live_server}/api/v1/openapi.json", headers=headers, timeout=30)
    fuzzed = [p for p in document.json()["paths"] if re.search(PATHS, p)]
    assert len(fuzzed) == 6, fuzzed  # invoices (list/new, one, issue, cancel), billing, summary
    failures = api_contract_failures(live_server, headers, max_examples=3, path_regex=PATHS)
    assert failures == []
