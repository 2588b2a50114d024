"""The OpenAPI document is an exact contract: every error an operation can
answer is documented as an RFC 9457 problem, ``sort`` names the keys a
list accepts, and a 405 says which methods are allowed."""

import pytest

from core.services.tokens import create_token

PROBLEM = "application/problem+json"
WRITES = ("post", "put", "patch", "delete")


@pytest.fixture
def admin_api(app, make_user):
    _token, secret = create_token(make_user(role="admin", locale="zh_CN"), "tests", None)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def operations(doc):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def test_a_405_names_the_allowed_methods(admin_api):
    answer = admin_api.delete("/api/v1/plugins")
    assert answer.status_code == 405
    assert answer.content_type == PROBLEM
    assert {m.strip() for m in answer.headers["Allow"].split(",")} >= {"GET", "HEAD", "OPTIONS"}
    assert "DELETE" not in answer.headers["Allow"]


def test_every_operation_documents_its_errors_as_problems(client):
    doc = client.get("/api/v1/openapi.json").json
    problem = doc["components"]["schemas"]["Problem"]
    assert {"type", "title", "status"} <= set(problem["required"])
    missing = []
    for path, method, operation in operations(doc):
        responses = operation["responses"]
        takes_input = "requestBody" in operation or any(
            p.get("in") == "query" for p in operation.get("parameters", [])
        )
        expected = {"401", "403"} | ({"422"} if takes_input else set())
        expected |= {"404"} if "{" in path or "requestBody" in operation else set()
        expected |= {"409"} if method in WRITES else set()
        if not expected <= set(responses) or "default" in responses:
            missing.append(f"{method.upper()} {path}: {sorted(responses)}")
        for status, response in responses.items():
            if status[0] in "45":
                ref = response["$ref"].rsplit("/", 1)[-1]
                content = doc["components"]["responses"][ref]["content"]
                assert set(content) == {PROBLEM}, (method, path, status)
    assert missing == []


def test_a_validation_problem_is_documented_with_its_errors(client):
    doc = client.get("/api/v1/openapi.json").json
    ref = doc["paths"]["/api/v1/customers"]["post"]["responses"]["422"]["$ref"]
    schema = doc["components"]["responses"][ref.rsplit("/", 1)[-1]]["content"][PROBLEM]["schema"]
    name = schema["$ref"].rsplit("/", 1)[-1]
    assert "errors" in doc["components"]["schemas"][name]["required"]


def sort_parameter(doc, path):
    (sort,) = [p for p in doc["paths"][path]["get"]["parameters"] if p["name"] == "sort"]
    return sort


def test_sort_declares_exactly_the_keys_a_list_accepts(admin_api):
    doc = admin_api.get("/api/v1/openapi.json").json
    undeclared = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(doc)
        for p in operation.get("parameters", [])
        if p["name"] == "sort" and "enum" not in p["schema"].get("items", {})
    ]
    assert undeclared == []
    sort = sort_parameter(doc, "/api/v1/customers")
    assert sort["style"] == "form" and sort["explode"] is False
    keys = sort["schema"]["items"]["enum"]
    assert {"name", "-name", "updated_at", "-updated_at"} <= set(keys)
    for key in keys:
        assert admin_api.get(f"/api/v1/customers?sort={key}").status_code == 200, key
    assert admin_api.get("/api/v1/customers?sort=name,-updated_at").status_code == 200
    refused = admin_api.get("/api/v1/customers?sort=password")
    assert refused.status_code == 422 and "sort" in refused.json["errors"]


def test_a_conflict_is_explained_in_the_callers_language(admin_api):
    cid = admin_api.post("/api/v1/customers", json={"name": "Acme", "kind": "company"}).json["id"]
    admin_api.patch(f"/api/v1/customers/{cid}", json={"industry": "Retail", "version": 1})
    stale = admin_api.patch(f"/api/v1/customers/{cid}", json={"industry": "Food", "version": 1})
    assert stale.status_code == 409
    assert stale.json["title"] == "已被他人修改"
    assert "version" not in stale.json["detail"] and "他人" in stale.json["detail"]


def test_an_id_too_large_to_exist_is_not_found_whatever_the_method(admin_api):
    # the route has GET, PATCH and DELETE as three rules: none may claim the path
    for method in ("get", "patch", "delete"):
        answer = getattr(admin_api, method)("/api/v1/service/contracts/2147483648", json={})
        assert answer.status_code == 404, method
    assert admin_api.get("/api/v1/service/contracts/2147483647").status_code == 404


def test_a_path_parameter_that_is_parsed_documents_422(client):
    doc = client.get("/api/v1/openapi.json").json
    assert "422" in doc["paths"]["/api/v1/service/calendar/days/{day}"]["delete"]["responses"]
    assert "422" not in doc["paths"]["/api/v1/me/tokens/{token_id}"]["delete"]["responses"]


def test_a_routing_error_speaks_the_callers_language(admin_api):
    missing = admin_api.get("/api/v1/customers/999999")
    assert missing.status_code == 404 and missing.json["title"] == "未找到"
    unknown = admin_api.get("/api/v1/no-such-thing")
    assert unknown.status_code == 404 and "detail" not in unknown.json
    refused = admin_api.delete("/api/v1/plugins")
    assert refused.json["title"] != "Method Not Allowed" and "GET" in refused.json["detail"]


def test_every_request_body_is_required_as_the_server_requires_it(client, admin_api):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    optional = [
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        for method, operation in operations.items()
        if isinstance(operation, dict)
        and "requestBody" in operation
        and not operation["requestBody"].get("required")
    ]
    assert optional == []
    assert admin_api.post("/api/v1/tags").status_code == 422  # and indeed: no body, refused


def test_input_refused_by_what_is_stored_is_404_or_409_naming_the_field(admin_api):
    """A well-formed body is refused with 404 when an id in it names no
    record and 409 when a value is taken (schema-valid input is never a
    422); malformed input stays a 422 and carries every message."""
    admin_api.post("/api/v1/teams", json={"name": "North"})
    taken = admin_api.post("/api/v1/teams", json={"name": "North"})
    assert taken.status_code == 409 and taken.content_type == PROBLEM
    assert taken.json["type"].endswith("/taken") and list(taken.json["errors"]) == ["name"]
    assert taken.json["title"] == "已被占用" and "已存在" in taken.json["detail"]
    orphan = admin_api.post("/api/v1/teams", json={"name": "South", "parent_id": 424242})
    assert orphan.status_code == 404 and list(orphan.json["errors"]) == ["parent_id"]
    both = admin_api.post("/api/v1/teams", json={"name": "North", "parent_id": 424242})
    assert both.status_code == 404 and set(both.json["errors"]) == {"name", "parent_id"}
    malformed = admin_api.post("/api/v1/teams", json={"name": " ", "parent_id": 424242})
    assert malformed.status_code == 422 and set(malformed.json["errors"]) == {"name", "parent_id"}
    assert [t["name"] for t in admin_api.get("/api/v1/teams").json] == ["North"]


@pytest.mark.parametrize("field", ["active", "required", "is_primary"])
def test_a_json_boolean_is_true_or_false_only(admin_api, field):
    if field == "is_primary":
        cid = admin_api.post("/api/v1/customers", json={"name": "Acme"}).json["id"]
        path, body = "/api/v1/contacts", {"customer_id": cid, "name": "Li"}
    else:
        path, body = "/api/v1/custom-fields", {"entity": "customer", "key": "k", "label": "K"}
        body["type"] = "text"
    for value in (0, 1, "true"):
        refused = admin_api.post(path, json={**body, field: value})
        assert refused.status_code == 422 and field in refused.json["errors"], value
    assert admin_api.post(path, json={**body, field: True}).status_code == 201


def test_declared_codes_are_documented_as_enums(client, app):
    """The codes a field accepts from the registry (permissions, custom field
    types) are the ``enum`` of the document, so a client knows them."""
    from core.registry import current_registry

    doc = client.get("/api/v1/openapi.json").json
    schemas = doc["components"]["schemas"]
    permissions = schemas["RoleInput"]["properties"]["permissions"]["items"]["enum"]
    field = schemas["FieldDefinitionInput"]
    with app.app_context():
        assert set(permissions) == {"*", *current_registry().permissions}
        assert set(field["properties"]["type"]["enum"]) == set(current_registry().field_types)


def test_a_rule_across_fields_excuses_only_a_422_naming_its_fields(client):
    """The contract test accepts a 422 to schema-valid input only when the
    operation documents a rule across fields and the 422 names nothing else."""
    import json
    from types import SimpleNamespace

    from core.testing.fuzz import _broke_a_rule, _ruled_fields

    doc = client.get("/api/v1/openapi.json").json
    ruled = _ruled_fields(doc)
    assert ruled["POST /api/v1/service/sla-policies"] == {"response_hours", "resolution_hours"}
    assert ruled["POST /api/v1/sales/commission-rules"] == {"tiers.*.from_amount"}

    def answer(status, errors):
        content = json.dumps({"errors": errors}).encode()
        return SimpleNamespace(response=SimpleNamespace(status_code=status, content=content))

    fields = ruled["POST /api/v1/sales/commission-rules"]
    accepts = "positive_data_acceptance"
    assert _broke_a_rule(accepts, answer(422, {"tiers.1.from_amount": ["x"]}), fields)
    assert not _broke_a_rule(accepts, answer(422, {"name": ["x"]}), fields)
    assert not _broke_a_rule(accepts, answer(422, {"tiers.1.from_amount": [], "name": []}), fields)
    assert not _broke_a_rule(accepts, answer(500, {"tiers.1.from_amount": ["x"]}), fields)
    assert not _broke_a_rule("not_a_server_error", answer(422, {"tiers.1.x": []}), fields)
    assert not _broke_a_rule(accepts, answer(422, {"name": ["x"]}), None)
