"""The API's description: /api/v1/openapi.json for tools, /api/v1/docs for people.

The page is rendered from the OpenAPI document itself, so the two cannot disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask import Response, jsonify, render_template, request
from flask_login import login_required

from . import bp
from .spec import PROBLEMS, openapi_document

# A type, as pieces: (name, anchor) links to a schema on the page, (name, None) is a plain
# type, and (words, "") joins pieces ("array of", "or").
Part = tuple[str, str | None]


@bp.route("/openapi.json")
def openapi() -> Response:
    return jsonify({**openapi_document(), "servers": [{"url": _base_url()}]})


@bp.route("/docs")
@login_required
def docs() -> str:
    doc = openapi_document()
    return render_template(
        "api/docs.html",
        info=doc["info"],
        base_url=_base_url(),
        groups=_groups(doc),
        schemas=[_schema(name, s) for name, s in sorted(doc["components"]["schemas"].items())],
        problems=PROBLEMS,
    )


def _base_url() -> str:
    # Relative to where the app is mounted, so it stays right behind a path prefix.
    return request.script_root + (bp.url_prefix or "")


@dataclass
class Row:
    name: str
    type: list[Part]
    required: bool
    description: str = ""
    constraints: str = ""
    location: str = ""


@dataclass
class Op:
    id: str
    method: str
    path: str
    summary: str
    description: str
    params: list[Row]
    body: list[Part] | None
    responses: list[tuple[str, str, list[Part] | None, list[str]]]
    body_type: str = "application/json"


@dataclass
class Group:
    name: str
    description: str
    ops: list[Op] = field(default_factory=list)


@dataclass
class SchemaView:
    name: str
    description: str
    rows: list[Row]
    values: list[str]


def _groups(doc: dict[str, Any]) -> list[Group]:
    groups = {t["name"]: Group(t["name"], t.get("description", "")) for t in doc["tags"]}
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            groups[op["tags"][0]].ops.append(_op(path, method, op))
    return list(groups.values())


def _op(path: str, method: str, op: dict[str, Any]) -> Op:
    params = [
        Row(
            p["name"],
            type_parts(p["schema"]),
            p.get("required", False),
            p.get("description", ""),
            constraints(p["schema"]),
            p["in"],
        )
        for p in op.get("parameters", [])
    ]
    body = None
    body_type = "application/json"
    if "requestBody" in op:
        # JSON for most operations; multipart/form-data for uploads.
        body_type, content = next(iter(op["requestBody"]["content"].items()))
        body = type_parts(content["schema"])
    responses: list[tuple[str, str, list[Part] | None, list[str]]] = []
    for code, resp in op["responses"].items():
        if "$ref" in resp:
            responses.append((code, PROBLEMS[int(code)], [("Problem", "Problem")], []))
            continue
        content = resp.get("content", {}).get("application/json")
        schema = type_parts(content["schema"]) if content else None
        responses.append((code, resp["description"], schema, sorted(resp.get("headers", {}))))
    return Op(
        op["operationId"],
        method.upper(),
        path,
        op["summary"],
        op.get("description", ""),
        params,
        body,
        responses,
        body_type,
    )


def _schema(name: str, schema: dict[str, Any]) -> SchemaView:
    required = set(schema.get("required", []))
    rows = [
        Row(
            prop_name,
            type_parts(prop),
            prop_name in required,
            prop.get("description", ""),
            constraints(prop),
        )
        for prop_name, prop in schema.get("properties", {}).items()
    ]
    values = [json.dumps(v, ensure_ascii=False) for v in schema.get("enum", [])]
    return SchemaView(name, schema.get("description", ""), rows, values)


def type_parts(schema: dict[str, Any]) -> list[Part]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return [(name, name)]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            parts: list[Part] = []
            for i, sub in enumerate(schema[key]):
                if i:
                    parts.append((" or " if key != "allOf" else " and ", ""))
                parts += type_parts(sub)
            return parts
    if "enum" in schema:
        return [(" | ".join(json.dumps(v, ensure_ascii=False) for v in schema["enum"]), None)]
    kind = schema.get("type", "any")
    if kind == "array":
        return [("array of ", ""), *type_parts(schema.get("items", {}))]
    extra = schema.get("additionalProperties")
    if kind == "object" and isinstance(extra, dict) and extra:
        return [("object of ", ""), *type_parts(extra)]
    fmt = schema.get("format")
    return [(f"{kind} ({fmt})" if fmt else str(kind), None)]


_LIMITS = (
    ("minLength", "min length {}"),
    ("maxLength", "max length {}"),
    ("minimum", "≥ {}"),
    ("maximum", "≤ {}"),
    ("minItems", "at least {} items"),
    ("pattern", "pattern {}"),
)


def constraints(schema: dict[str, Any]) -> str:
    bits = []
    for sub in [schema, *schema.get("anyOf", [])]:
        bits += [text.format(sub[key]) for key, text in _LIMITS if key in sub]
    if "default" in schema and schema["default"] is not None:
        bits.append(f"default {json.dumps(schema['default'], ensure_ascii=False)}")
    return "; ".join(bits)
