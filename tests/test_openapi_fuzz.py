"""schemathesis runs over every operation of /api/v1/openapi.json with all
its checks, as ``st run --checks all`` would (stateless, derandomized,
bounded): no 5xx; every status, content type, header and body the document
promises; invalid input refused and valid input accepted — a reference to a
record that does not exist answers 404, a value another record holds 409,
and a rule across fields the document states (``x-field-rules``) a 422
naming only its fields; a 405 with ``Allow``. core.testing.fuzz says which
checks a stateless run cannot make. No operation is exempt."""

from core.testing.fuzz import api_contract_failures

EXAMPLES_PER_OPERATION = 3


def test_the_api_keeps_its_openapi_contract(
    live_server, make_user, make_customer, make_contact, as_user
):
    admin = make_user(role="admin")
    for i in range(3):
        make_contact(customer=make_customer(name=f"Fuzz {i}", owner_id=admin.id))
    headers = {"Authorization": as_user(admin).environ_base["HTTP_AUTHORIZATION"]}
    failures = api_contract_failures(live_server, headers, max_examples=EXAMPLES_PER_OPERATION)
    assert failures == []
