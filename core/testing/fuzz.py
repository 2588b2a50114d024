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
A rule across fields that JSON Schema cannot state is documented on its
operation (``x-field-rules``, ``core.api.field_rules``): a schema-valid
request answered 422 passes only if its ``errors`` name nothing but the
fields of the operation's rules (``tiers.*.from_amount`` names a field of
every item).
Generated strings hold no NUL character: the API refuses NUL in any field
at the door (PostgreSQL cannot store it), which JSON Schema cannot say.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase as fnmatch
from typing import NamedTuple

from core.rest.openapi import FIELD_RULES


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

    _real_files()

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
    ruled = _ruled_fields(document.raw_schema)
    failures: set[ContractFailure] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    interaction = event.recorder.interactions.get(case_id)
                    if check.failure_info is not None and not _broke_a_rule(
                        check.name, interaction, ruled.get(event.recorder.label)
                    ):
                        failure = check.failure_info.failure
                        text = (
                            f"{failure.title}: {failure.message} | {check.failure_info.code_sample}"
                            f" | answered {_answer(interaction)}"
                        )
                        failures.add(ContractFailure(event.recorder.label, check.name, text[:1500]))
        elif isinstance(event, events.NonFatalError):
            failures.add(ContractFailure(event.label, "error", repr(event.value)[:700]))
        elif isinstance(event, events.FatalError):
            raise event.exception
    return sorted(failures)


def _real_files() -> None:
    """A ``binary`` string (a file upload) is sent as a real file of a kind
    uploads take: Trellis tells a file's type by its content, which JSON
    Schema cannot say, so random bytes would only test the refusal. The
    smallest well-formed JPEG, PNG, WebP and PDF schemathesis ships, and a
    HEIC (its ``ftyp`` box)."""
    import schemathesis
    from hypothesis import strategies as st
    from schemathesis.core.file_samples import FILE_SAMPLES

    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    samples = [FILE_SAMPLES[kind] for kind in ("jpg", "png", "webp", "pdf")] + [heic]
    schemathesis.openapi.format("binary", st.sampled_from(samples))


def _ruled_fields(document: dict) -> dict[str, set[str]]:
    """``"POST /api/v1/…"`` → the fields its ``x-field-rules`` name."""
    found: dict[str, set[str]] = {}
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            rules = operation.get(FIELD_RULES) if isinstance(operation, dict) else None
            if rules:
                found[f"{method.upper()} {path}"] = {f for r in rules for f in r["fields"]}
    return found


def _broke_a_rule(check: str, interaction, fields: set[str] | None) -> bool:
    """A 422 to schema-valid input that names only fields of the operation's
    documented rules across fields: the answer the document promises."""
    response = getattr(interaction, "response", None)
    if check != "positive_data_acceptance" or not fields or response is None:
        return False
    if response.status_code != 422:
        return False
    try:
        named = set(json.loads(response.content or b"{}").get("errors", {}))
    except ValueError:
        return False
    return bool(named) and all(any(fnmatch(n, f) for f in fields) for n in named)


def _answer(interaction) -> str:
    """The status and the start of the body that failed a check."""
    response = getattr(interaction, "response", None)
    if response is None:
        return "nothing"
    body = (response.content or b"")[:300].decode("utf-8", "replace")
    return f"{response.status_code} {body}"
