"""schemathesis drives every ``/api/v1/service`` operation with all its
checks (core.testing.fuzz), on a database holding orders in several states
and engineers: no 5xx, every answer as documented, invalid input refused,
valid input accepted (the suite-wide fuzz test in ``tests/`` covers every
route too; this one keeps the plugin's own routes covered whatever another
plugin's routes do). No operation is exempt: see tests/test_openapi_fuzz.py."""

from core.testing.fuzz import api_contract_failures
from plugins.service_dispatch.services.lifecycle import transition

EXAMPLES_PER_OPERATION = 3


def test_no_service_dispatch_operation_breaks_its_contract(
    app, live_server, make_user, make_order, make_engineer, as_user
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
    headers = {"Authorization": as_user(admin).environ_base["HTTP_AUTHORIZATION"]}
    failures = api_contract_failures(
        live_server, headers, max_examples=EXAMPLES_PER_OPERATION, path_regex="^/api/v1/service/"
    )
    operations = {f.operation for f in failures}
    assert failures == []
    assert all(o.split(" ")[1].startswith("/api/v1/service/") for o in operations)
