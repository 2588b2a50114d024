"""schemathesis drives every operation of /api/v1/openapi.json with
generated input (bounded, stateless, derandomized): no 5xx, and every answer
matches the schema the document promises.

(schemathesis' own pytest plugin does not work with pytest 9 yet, so the
operations are walked here with its hypothesis strategies.)"""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from core.services.tokens import create_token

EXAMPLES_PER_OPERATION = 8


def test_no_operation_crashes_or_breaks_its_schema(app, make_user, make_customer, make_contact):
    admin = make_user(role="admin")
    for i in range(3):
        make_contact(customer=make_customer(name=f"Fuzz {i}", owner_id=admin.id))
    _token, secret = create_token(admin, "fuzz", None)
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            run()
        except Exception as exc:  # collect every operation's failure, not just the first
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:600])
    assert failures == []
