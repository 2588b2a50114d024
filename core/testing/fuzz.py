"""Run schemathesis over the OpenAPI document the way ``st run --checks all``
does, inside a test: ``api_contract_failures(base_url, headers)`` returns
one line per failed check (empty when the API keeps its contract).

Every check schemathesis ships is enabled. The run is stateless (the
examples, coverage and fuzzing phases, not the stateful one), so the checks
that need state or a second user find nothing to check:
``use_after_free`` and ``ensure_resource_availability`` (stateful links),
``object_level_authorization`` (two users as ``auth.wfc`` peers) and
``max_response_time`` (no limit: tests assert no timings). The run is
derandomized and bounded by ``max_examples`` per operation and phase.
Generated strings hold no NUL character: the API refuses NUL in any field
at the door (PostgreSQL cannot store it), which JSON Schema cannot say.
"""

from __future__ import annotations

from typing import NamedTuple


class ContractFailure(NamedTuple):
    operation: str  # "POST /api/v1/tags"
    check: str  # "positive_data_acceptance"
    text: str  # what failed, and the curl command that shows it


def api_contract_failures(
    base_url: str, headers: dict[str, str], *, max_examples: int = 5, path_regex: str | None = None
) -> list[ContractFailure]:
    """Every failure of every check on every operation of
    ``{base_url}/api/v1/openapi.json`` (whose path matches ``path_regex``)."""
    import schemathesis
    from schemathesis.config import CacheConfig, SchemathesisConfig
    from schemathesis.engine import events, from_schema

    # no cache: schemathesis would otherwise replay what earlier runs found
    # (.schemathesis/), and a run would depend on the runs before it
    config = SchemathesisConfig(cache=CacheConfig(enabled=False))
    config.update(max_failures=None, seed=18)
    project = config.projects.override
    project.update(headers=headers, workers=1, continue_on_failure=True)
    project.checks.update(included_check_names=["all"])
    project.phases.update(phases=["examples", "coverage", "fuzzing"])
    project.generation.update(
        max_examples=max_examples, deterministic=True, database="none", allow_x00=False
    )
    document = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json", config=config)
    schema = document if path_regex is None else document.include(path_regex=path_regex)
    failures: set[ContractFailure] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        text = (
                            f"{failure.title}: {failure.message} | {check.failure_info.code_sample}"
                        )
                        failures.add(ContractFailure(event.recorder.label, check.name, text[:700]))
        elif isinstance(event, events.NonFatalError):
            failures.add(ContractFailure(event.label, "error", repr(event.value)[:700]))
        elif isinstance(event, events.FatalError):
            raise event.exception
    return sorted(failures)
