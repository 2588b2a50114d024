"""The OpenAPI document is written when first read (core.rest.lazydoc), not
while the app starts: a ``trellis`` command, a worker and a test's app skip
it. Read, it documents every operation of the URL map, each once."""

from __future__ import annotations

import re
import threading

from core.rest.lazydoc import LazyDocApi

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def _api(app) -> LazyDocApi:
    return app.extensions["flask-smorest"]["apis"][""]["ext_obj"]


def _operations(doc: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in doc["paths"].items() for method in item}


def test_a_new_app_has_not_written_its_document(make_app):
    api = _api(make_app(TRELLIS_THEME="default"))  # an app of its own, never read
    assert isinstance(api, LazyDocApi)
    assert len(api._undocumented) > 10  # core's blueprints and the plugins' wait
    assert api._spec.to_dict()["paths"] == {}


def test_read_it_documents_every_api_route_once(app, client):
    doc = client.get("/api/v1/openapi.json").json
    assert _api(app)._undocumented == []
    documented = _operations(doc)
    documented_blueprints = app.extensions["flask-smorest"]["blp_name_to_api"]
    routed = {
        (method, re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in documented_blueprints
        for method in rule.methods & METHODS
    }
    assert len(routed) > 200 and routed - documented == set()
    tags = [tag["name"] for tag in doc["tags"]]  # one per blueprint: written once
    assert len(tags) == len(set(tags)) > 10


def test_two_first_readers_at_once_get_the_same_whole_document(make_app):
    api = _api(make_app(TRELLIS_THEME="default"))
    seen: list[int] = []
    start = threading.Barrier(2)

    def read() -> None:
        start.wait()
        seen.append(len(api.spec.to_dict()["paths"]))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert len(seen) == 2 and seen[0] == seen[1] > 100
    assert api._undocumented == []
