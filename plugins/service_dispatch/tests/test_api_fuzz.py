"""schemathesis drives every ``/api/v1/service`` operation with
generated input, on a database holding orders in several states and
engineers: no 5xx, and every answer matches its documented schema (the
suite-wide fuzz test in ``tests/`` covers every route too; this one keeps
the plugin's own routes covered whatever another plugin's routes do)."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from plugins.service_dispatch.services.lifecycle import transition

EXAMPLES_PER_OPERATION = 12


def test_no_service_dispatch_operation_crashes_or_breaks_its_schema(
    app, make_user, make_order, make_engineer, as_user
):
    admin = make_user(role="admin")
    engineer = make_engineer()
    for state in ("new", "assigned", "on_site", "completed"):
        make_order(state, engineer)
    transition(
        make_order("on_site", engineer),
        "complete",
        None,
        {"diagnosis": "d", "work_done": "w", "charges": "12.30", "confirmed_by": "c"},
    )
    api = as_user(admin)
    headers = {"Authorization": api.environ_base["HTTP_AUTHORIZATION"]}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().path.startswith("/api/v1/service/")
    ]
    paths = {o.path.removeprefix("/api/v1/service") for o in operations}
    assert {
        "/work-orders",
        "/work-orders/{order_id}/transitions",
        "/work-orders/{order_id}/suggested-engineers",
        "/contracts",
        "/engineers",
        "/parts",
        "/reports/sla",
    } <= paths
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
        except Exception as exc:  # noqa: BLE001  (collect every operation's failure)
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:800])
    assert failures == []
