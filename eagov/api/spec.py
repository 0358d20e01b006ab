"""The operation registry: ``@endpoint`` routes a view, parses its input and describes it, so
the OpenAPI document and the docs page are generated from what the views really accept."""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, request
from flask_babel import gettext as _
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from werkzeug.exceptions import UnsupportedMediaType

from ..errors import Conflict
from ..schemas.api_read import Page, Problem
from .inputs import MAX_INT, PreconditionFailed, expected_version, json_body, query_args

View = Callable[..., Response]
REF = "#/components/schemas/{model}"
_RULE_ARG = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")

# tag -> description, in the order the docs page shows them.
TAGS: dict[str, str] = {
    "Organisation units": "The unit tree and the dotted-line (matrix) links between units.",
    "People": "People in the organisation (not necessarily users of eagov).",
    "Positions": "Job descriptions: duties, requirements and how performance is judged.",
    "Boards": "Architecture Boards and the terms of their members.",
    "Users": "Accounts that sign in (administrators only, except /users/me).",
    "Tokens": "Your personal API tokens.",
    "Audit": "The hash-chained audit trail (needs the audit.read permission).",
    "Contracts": "Architecture contracts: versions, the review and signing lifecycle, "
    "amendments, closing, and the Word document.",
    "Deliverables": "Deliverables and metrics of contracts: commitments in drafts, progress "
    "and evidence while a contract is in force.",
    "Checklist libraries": "Versioned checklist libraries for compliance reviews: import "
    "(YAML), read, export.",
    "Reviews": "Architecture compliance reviews: the workflow, tailored checklists, answers, "
    "the overall level and re-reviews.",
    "Findings": "Findings of compliance reviews and their way to a verified closure.",
    "Dispensations": "Time-bound waivers of review items or standards, granted by the board.",
    "Meetings": "Architecture Board meetings: scheduling, the agenda (proposed from pending "
    "business), papers, attendance and quorum, minutes, and the Word pack and minutes.",
    "Decisions": "The boards' decision log: rationale, meeting, subjects, supersedes; recording "
    "a decision on an agenda item applies its effect.",
    "Actions": "The board's action tracker: raise, edit, move through its statuses.",
    "Requests": "Governance requests to the architecture function: intake, triage, conversion "
    "into reviews and dispensation requests, notes, resolution, and the service targets.",
    "KPIs": "Governance KPIs over a period, for all boards and units or one board and/or unit.",
    "Maturity models": "Versioned maturity model libraries (levels, elements, descriptors, "
    "weights, scoring method): import, read, export.",
    "Maturity assessments": "Assessments of an org unit's architecture maturity: assessors' "
    "hidden scores, consolidation, targets, publication, results and reports.",
    "Skills": "The architecture skills framework: categories, skills and proficiency levels.",
    "Roles": "The framework's roles and their profiles (the level each role needs per skill).",
    "Skill assessments": "People's assessed skills (self, manager, board), roles held and "
    "targeted, and gap analyses.",
    "Notifications": "Your in-app notifications (the inbox) and how you want reminders delivered.",
    "Reminders": "Reminder rules, the scheduler's status and the preview of what it will send.",
    "Calendar": "The governance calendar (meetings, review sessions, due dates, expiries, "
    "contract ends) and your personal iCalendar feed addresses.",
}

PROBLEMS: dict[int, str] = {
    400: "Malformed request: the body is not valid JSON, or a header is malformed.",
    401: "No valid token: missing, unknown, revoked or expired, or the user is disabled.",
    403: "Your roles do not allow this.",
    404: "No such resource.",
    409: "The change conflicts with the current state (a duplicate, or rows still using it).",
    412: "If-Match names an older version: someone changed the resource since you read it.",
    413: "The upload is larger than the server accepts.",
    415: "The body is not JSON (send Content-Type: application/json); for an upload, it is "
    "not multipart/form-data.",
    422: "Invalid input; errors maps each field (or query parameter) to a message.",
    428: "If-Match is missing: send the ETag of your last GET.",
}


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    endpoint: str
    summary: str
    tag: str
    description: str
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    if_match: bool
    # A multipart/form-data body (uploads), described by ``form``; the view reads the files.
    form: type[BaseModel] | None = None
    # The media type (or range) of a non-JSON success response, e.g. a file download.
    produces: str | None = None
    # Media types also accepted as a raw file body beside the multipart ``form``.
    raw_types: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return _RULE_ARG.sub(r"{\2}", self.rule)

    @property
    def path_params(self) -> list[tuple[str, str]]:
        """(name, converter) for each variable part of the rule."""
        return [(name, conv or "default") for conv, name in _RULE_ARG.findall(self.rule)]

    @property
    def problems(self) -> list[int]:
        codes = {401, 403}
        # A body or query can name other rows (a review, a person...) that do not exist.
        if self.path_params or self.body or self.query:
            codes.add(404)
        if self.query or self.body:
            codes.add(422)
        if self.body:
            codes |= {400, 415}
        if self.method != "GET":
            codes.add(409)
        if self.if_match:
            codes |= {400, 412, 428}
        if self.form:
            codes |= {413, 415, 422}
        return sorted(codes)


OPERATIONS: list[Operation] = []


def endpoint(
    bp: Blueprint,
    rule: str,
    *,
    summary: str,
    tag: str,
    method: str = "GET",
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    if_match: bool = False,
    description: str = "",
    form: type[BaseModel] | None = None,
    produces: str | None = None,
    raw_types: tuple[str, ...] = (),
) -> Callable[[View], View]:
    """Route ``view`` on ``bp`` and record it for the OpenAPI document.

    The view receives its path arguments plus ``query``, ``body`` and ``version`` (from
    If-Match) as keyword arguments, already validated.
    """
    assert tag in TAGS, f"unknown tag {tag!r}"
    assert body is None or form is None, "a body is JSON or a form, not both"

    # A DELETE with nothing to return answers 204 (responses.no_content); say so.
    if method == "DELETE" and response is None and produces is None:
        status = 204

    def deco(view: View) -> View:
        op = Operation(
            method=method,
            rule=rule,
            endpoint=view.__name__,
            summary=summary,
            tag=tag,
            description=description or inspect.cleandoc(view.__doc__ or ""),
            query=query,
            body=body,
            response=response,
            status=status,
            if_match=if_match,
            form=form,
            produces=produces,
            raw_types=raw_types,
        )

        @functools.wraps(view)
        def handle(**kwargs: Any) -> Response:
            # If-Match first: a client that forgot it should learn that before anything else.
            if if_match:
                kwargs["version"] = expected_version()
            if body is not None:
                kwargs["body"] = json_body(body)
            if form is not None and request.mimetype not in raw_types:
                _require_multipart()
            if query is not None:
                kwargs["query"] = query_args(query)
            try:
                return view(**kwargs)
            except Conflict as exc:
                # The services report a stale version as a Conflict naming the current one;
                # for a conditional request that is the precondition failing.
                if if_match and "current_version" in exc.extra:
                    raise PreconditionFailed(exc.detail, **exc.extra) from exc
                raise

        bp.add_url_rule(rule, endpoint=view.__name__, view_func=handle, methods=[method])
        OPERATIONS.append(op)
        return handle

    return deco


def _require_multipart() -> None:
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType(_("Send the file as multipart/form-data."))


def openapi_document() -> dict[str, Any]:
    return _build(len(OPERATIONS))


@functools.cache
def _build(_count: int) -> dict[str, Any]:
    """The document, built once per set of operations (the argument keys the cache)."""
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {(Problem, "serialization"): None}
    for op in OPERATIONS:
        for model in (op.query, op.body, op.form):
            if model is not None:
                wanted[(model, "validation")] = None
        if op.response is not None:
            wanted[(op.response, "serialization")] = None
    refs, top = models_json_schema(list(wanted), ref_template=REF)
    schemas: dict[str, Any] = top.get("$defs", {})

    def ref(model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, str]:
        return dict(refs[(model, mode)])

    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, ref, schemas)
    # Query models become parameters; they are not payloads, so keep them out of the schemas.
    for op in OPERATIONS:
        if op.query is not None:
            schemas.pop(ref(op.query, "validation")["$ref"].rsplit("/", 1)[1], None)
    used_tags = {op.tag for op in OPERATIONS}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "eagov API",
            "version": "1",
            "description": (
                "Architecture governance repository. Authenticate with a personal token "
                "(Authorization: Bearer <token>). Lists are paged (page, per_page) and "
                "return a Link header; changes need If-Match with the ETag of the last GET."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "tags": [{"name": t, "description": d} for t, d in TAGS.items() if t in used_tags],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (Account > API tokens, or POST /tokens).",
                }
            },
            "responses": _problem_responses(ref(Problem, "serialization")),
            "headers": {
                "ETag": {
                    "description": 'The version, e.g. "3"; send it back in If-Match.',
                    "schema": {"type": "string"},
                },
                "Link": {
                    "description": "RFC 8288 links to the first, prev, next and last pages.",
                    "schema": {"type": "string"},
                },
                "Location": {
                    "description": "URL of the created resource.",
                    "schema": {"type": "string"},
                },
                "WWWAuthenticate": {
                    "description": "Bearer challenge.",
                    "schema": {"type": "string"},
                },
            },
        },
    }


def _problem_responses(problem: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for code, text in PROBLEMS.items():
        out[str(code)] = {
            "description": text,
            "content": {"application/problem+json": {"schema": problem}},
        }
    out["401"]["headers"] = {"WWW-Authenticate": {"$ref": "#/components/headers/WWWAuthenticate"}}
    return out


def _operation(
    op: Operation,
    ref: Callable[[type[BaseModel], JsonSchemaMode], dict[str, str]],
    schemas: dict[str, Any],
) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INT}
            if conv in ("id", "int")
            else {"type": "string"},
        }
        for name, conv in op.path_params
    ]
    if op.query is not None:
        params += _query_params(schemas[ref(op.query, "validation")["$ref"].rsplit("/", 1)[1]])
    if op.if_match:
        params.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": True,
                "description": 'The ETag of your last GET, e.g. "3".',
                "schema": {"type": "string"},
            }
        )
    out: dict[str, Any] = {
        "operationId": op.endpoint,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": params,
        "responses": {str(op.status): _success(op, ref)}
        | {str(code): {"$ref": f"#/components/responses/{code}"} for code in op.problems},
    }
    if op.description:
        out["description"] = op.description
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(op.body, "validation")}},
        }
    if op.form is not None:
        out["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {"schema": ref(op.form, "validation")},
                **{t: {"schema": {"type": "string"}} for t in op.raw_types},
            },
        }
    return out


def _success(
    op: Operation, ref: Callable[[type[BaseModel], JsonSchemaMode], dict[str, str]]
) -> dict[str, Any]:
    if op.produces is not None:
        return {
            "description": f"The file ({op.produces}).",
            # No schema: OpenAPI 3.1's way to say "any bytes"; a string schema made tools
            # parse a YAML export and validate the parsed mapping against it.
            "content": {op.produces: {}},
        }
    if op.response is None:
        return {"description": "Done; no content."}
    headers: dict[str, Any] = {}
    if "version" in op.response.model_fields:
        headers["ETag"] = {"$ref": "#/components/headers/ETag"}
    if issubclass(op.response, Page):
        headers["Link"] = {"$ref": "#/components/headers/Link"}
    if op.status == 201:
        headers["Location"] = {"$ref": "#/components/headers/Location"}
    out: dict[str, Any] = {
        "description": "Created." if op.status == 201 else "OK.",
        "content": {"application/json": {"schema": ref(op.response, "serialization")}},
    }
    if headers:
        out["headers"] = headers
    return out


def _query_params(model_schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(model_schema.get("required", []))
    params = []
    for name, prop in model_schema.get("properties", {}).items():
        schema = {k: v for k, v in prop.items() if k not in ("title", "description")}
        param: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": schema,
        }
        if prop.get("description"):
            param["description"] = prop["description"]
        params.append(param)
    return params
