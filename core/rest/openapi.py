"""What every operation of the OpenAPI document says about its errors.

An apispec plugin documents, on each operation as it is added (core's and
every plugin's alike), the RFC 9457 problems it can answer — each as
``application/problem+json`` with the ``Problem`` schema:

- 401 and 403 on every operation (all need a signed-in caller, and any can
  be refused by a permission, a hidden record or the CSRF rule);
- 404 where the path names a record, or the body may name one (its
  ``errors`` then say which field names a record that does not exist);
- 422 (a ``ValidationProblem``, its ``errors`` by field) where the
  operation reads a query, a body or a path parameter other than an id
  (a date …), plus 400 and 413 where it reads a body;
- 409 on every write (a stale ``version``, two writers meeting in the
  database, a state that does not allow it, or a value another record
  holds — ``errors`` naming the field).

An error status an operation documents itself (``@bp.doc(responses=…)``)
is kept, in the same problem form. Nothing is documented as ``default``:
an answer outside the list is a bug the contract tests catch.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec, BasePlugin

PROBLEM_TYPE = "application/problem+json"
WRITES = frozenset({"post", "put", "patch", "delete"})

PROBLEM: dict[str, Any] = {
    "type": "object",
    "description": "An RFC 9457 problem; members beyond these depend on its type.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
    },
    "additionalProperties": True,
}
VALIDATION_PROBLEM = {
    **PROBLEM,
    "required": ["type", "title", "status", "errors"],
    "properties": {
        **PROBLEM["properties"],
        "errors": {
            "type": "object",
            "description": "The messages for each field (or ``_body``) refused.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}
DESCRIPTIONS = {
    400: "The request was not understood",
    401: "Not signed in, or the token is unknown, expired or revoked",
    403: "The caller may not do this",
    404: "No such record, or the caller may not know of it",
    409: "The record changed meanwhile, its state does not allow this, or a value is taken",
    413: "The request body is too large",
    422: "Invalid input; ``errors`` names each field",
}


def problem_response(status: int) -> str:
    """The name of the response component documenting ``status``."""
    return f"Problem{status}"


class ProblemResponses(BasePlugin):
    def init_spec(self, spec: APISpec) -> None:
        self.spec = spec
        spec.components.schema("Problem", PROBLEM)
        spec.components.schema("ValidationProblem", VALIDATION_PROBLEM)
        for status in range(400, 600):
            schema = "ValidationProblem" if status == 422 else "Problem"
            content = {PROBLEM_TYPE: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
            description = DESCRIPTIONS.get(status, "An error, as a problem document")
            spec.components.response(
                problem_response(status),
                {"description": description, "content": content},
                lazy=True,
            )

    def path_helper(self, path=None, operations=None, parameters=None, **kwargs) -> None:
        # called just before operation_helper, with the path's own parameters
        self.parsed_in_path = any(
            isinstance(p, dict) and p.get("schema", {}).get("type") not in (None, "integer")
            for p in parameters or []
        )

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for method, operation in (operations or {}).items():
            if method in ("get", "post", "put", "patch", "delete"):
                if "requestBody" in operation:
                    # every JSON body is required ({} where nothing is to change):
                    # without one the answer is a 422
                    operation["requestBody"].setdefault("required", True)
                responses = documented(path or "", method, operation)
                if getattr(self, "parsed_in_path", False):  # e.g. a date: 422 when it is not one
                    responses["422"] = problem_response(422)
                operation["responses"] = dict(sorted(responses.items()))


FIELD_RULES = "x-field-rules"


def field_rules(*rules: tuple[tuple[str, ...], str]) -> dict:
    """``@bp.doc(**field_rules((("response_hours", "resolution_hours"), "…"), …))``:
    the rules across fields that JSON Schema cannot state (one value above
    another, two ids that must differ), as the operation's ``x-field-rules``.
    Input that breaks one is answered 422 naming only that rule's fields —
    what the contract test (core.testing.fuzz) then expects, and nothing else."""
    return {FIELD_RULES: [{"fields": list(fields), "rule": text} for fields, text in rules]}


class SchemaRules(BasePlugin):
    """A marshmallow schema's ``Meta.json_schema`` (JSON Schema 2020-12
    keywords: ``if``/``then`` for a rule across fields …) joins its
    component, so the document states the rules the service checks."""

    def schema_helper(self, name, definition, **kwargs) -> dict | None:
        schema = kwargs.get("schema")
        cls = schema if isinstance(schema, type) else type(schema)
        return getattr(getattr(cls, "Meta", None), "json_schema", None)


def documented(path: str, method: str, operation: dict) -> dict:
    """``operation``'s responses with the problems it can answer."""
    responses = {str(k): v for k, v in operation.get("responses", {}).items()}
    responses.pop("default", None)
    errors = {int(code) for code in responses if code[0] in "45"}
    body = "requestBody" in operation
    query = any(
        isinstance(p, dict) and p.get("in") == "query" for p in operation.get("parameters", [])
    )
    if operation.get("security") != []:
        errors |= {401, 403}
    if "{" in path:
        errors.add(404)
    if body:
        errors |= {400, 404, 413}
    if body or query:
        errors.add(422)
    if method in WRITES:
        errors.add(409)
    responses.update({str(code): problem_response(code) for code in sorted(errors)})
    return dict(sorted(responses.items()))
