"""The OpenAPI document is complete and self-consistent; the docs page shows all of it."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
COMPONENT_NAME = re.compile(r"^[a-zA-Z0-9._-]+$")


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"external ref {ref}"
    node: Any = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"unresolvable $ref {ref}"
        node = node[part]
    return node


def test_openapi_document_is_public_and_structurally_valid(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    doc = resp.json

    assert doc["openapi"].startswith("3.1.")
    assert doc["info"]["title"] and doc["info"]["version"]
    assert doc["servers"] == [{"url": "/api/v1"}]
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": doc["components"]["securitySchemes"]["bearer"]["description"],
    }
    assert doc["security"] == [{"bearer": []}]
    tags = {t["name"] for t in doc["tags"]}

    op_ids = []
    assert doc["paths"]
    for path, item in doc["paths"].items():
        assert path.startswith("/")
        ops = {m: op for m, op in item.items() if m in HTTP_METHODS}
        assert ops, f"{path} has no operations"
        for method, op in ops.items():
            op_ids.append(op["operationId"])
            assert op["responses"], f"{method} {path} has no responses"
            assert any(code.startswith("2") for code in op["responses"])
            assert set(op["tags"]) <= tags
            declared = {p["name"] for p in op["parameters"] if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), f"{method} {path}"
            for param in op["parameters"]:
                assert param["in"] in {"path", "query", "header"} and "schema" in param
                if param["in"] == "path":
                    assert param["required"] is True
            if method in ("post", "put"):
                assert "requestBody" in op, f"{method} {path} takes no body"
    assert len(op_ids) == len(set(op_ids)), "operationIds must be unique"

    for name in doc["components"]["schemas"]:
        assert COMPONENT_NAME.match(name), name
    for ref in _refs(doc):
        _resolve(doc, ref)


def test_document_describes_conventions(client):
    doc = client.get("/api/v1/openapi.json").json
    units = doc["paths"]["/org-units"]
    listing = units["get"]
    query = {p["name"]: p for p in listing["parameters"] if p["in"] == "query"}
    assert {"page", "per_page", "sort", "kind", "parent_id", "q"} <= set(query)
    assert query["per_page"]["schema"]["maximum"] == 200
    assert "-name" in query["sort"]["schema"]["enum"]
    page_schema = _resolve(
        doc, listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    )
    assert set(page_schema["required"]) == {"items", "page", "per_page", "total"}
    assert "Link" in listing["responses"]["200"]["headers"]

    create = units["post"]
    body_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body_ref.endswith("/OrgUnitIn")
    assert {"201", "401", "403", "415", "422"} <= set(create["responses"])
    problem = _resolve(doc, create["responses"]["422"]["$ref"])
    assert "application/problem+json" in problem["content"]

    put = doc["paths"]["/org-units/{unit_id}"]["put"]
    if_match = [p for p in put["parameters"] if p["in"] == "header"]
    assert if_match and if_match[0]["name"] == "If-Match" and if_match[0]["required"]
    assert {"412", "428"} <= set(put["responses"])
    assert "ETag" in put["responses"]["200"]["headers"]


def test_every_api_route_is_in_the_document(app: Flask, client):
    doc = client.get("/api/v1/openapi.json").json
    documented = {(m.upper(), "/api/v1" + p) for p, item in doc["paths"].items() for m in item}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint not in ("api.openapi", "api.docs"):
            path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
            routed |= {(m, path) for m in rule.methods or () if m not in ("HEAD", "OPTIONS")}
    assert routed == documented


def test_docs_page_needs_a_signed_in_user(client):
    resp = client.get("/api/v1/docs")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_docs_page_lists_every_operation_and_schema(client, login_as):
    login_as("viewer")
    doc = client.get("/api/v1/openapi.json").json
    resp = client.get("/api/v1/docs")
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    html = resp.text
    for path, item in doc["paths"].items():
        for op in item.values():
            assert f'id="op-{op["operationId"]}"' in html
            assert f"<code>{path}</code>" in html
    for name in doc["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    assert 'href="#schema-OrgUnitIn"' in html  # request bodies link to their schema
    assert "If-Match" in html and "per_page" in html
    # The CSP allows scripts by source with a nonce only: the page adds no inline script.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "cdn" not in html.lower()
