"""Reading a request: JSON body, query string and If-Match, all checked before a service runs."""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from ..errors import DomainError, Invalid, Message, invalid_from

M = TypeVar("M", bound=BaseModel)

# Ids and counts are INTEGER columns (32 bits on PostgreSQL). A larger number must be refused
# here: the database would reject it with an error that is not the client's to read.
MAX_INT = 2**31 - 1
_ETAG = re.compile(r'(?:W/)?"([^"]*)"')
_NUL = _l("Text must not contain NUL characters.")


class PreconditionRequired(DomainError):
    status = 428
    title = "Precondition required"


class PreconditionFailed(DomainError):
    status = 412
    title = "Precondition failed"


def json_body(model: type[M]) -> M:
    if not request.is_json:
        raise UnsupportedMediaType(_("Send the body as JSON, with Content-Type: application/json."))
    try:
        data = json.loads(request.get_data())
    except (ValueError, RecursionError) as exc:
        # ValueError covers bad JSON and bad encodings; RecursionError absurdly deep nesting.
        raise BadRequest(_("The body is not valid JSON: %(error)s", error=str(exc))) from exc
    errors = _unstorable(data)
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(errors=invalid_from(exc).errors | errors) from exc
    if errors:
        raise Invalid(errors=errors)
    return parsed


def _unstorable(data: Any) -> dict[str, Message]:
    """Integers beyond the columns' range and NUL characters pass the schemas but not the
    database (PostgreSQL refuses NUL in text): report them as field errors instead."""
    errors: dict[str, Message] = {}
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        key = path or "__root__"
        if isinstance(value, dict):
            stack.extend((f"{path}.{k}" if path else str(k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{path}.{i}" if path else str(i), v) for i, v in enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            if abs(value) > MAX_INT:
                errors[key] = _l(
                    "Number out of range; the limit is %(limit)s either way.", limit=MAX_INT
                )
        elif isinstance(value, str) and "\x00" in value:
            errors[key] = _NUL
    return errors


def query_args(model: type[M]) -> M:
    """The query string as ``model``; empty values count as absent (what HTML forms send)."""
    repeated = {k: _l("Give this parameter once.") for k, v in request.args.lists() if len(v) > 1}
    if repeated:
        raise Invalid(errors=repeated)
    raw = {k: v for k, v in request.args.items() if v != ""}
    nul = {k: _NUL for k, v in raw.items() if "\x00" in v}
    if nul:
        raise Invalid(errors=nul)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise invalid_from(exc) from exc


def expected_version() -> int:
    """The version the client last saw, from ``If-Match: "<version>"``.

    ``W/"<version>"`` is accepted as well: proxies that compress responses weaken ETags, and
    a client behind one could otherwise never write.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired(
            _l(
                "Send If-Match with the ETag of your last GET of this resource, so that a "
                "change made by someone else meanwhile is not overwritten."
            )
        )
    if header == "*":
        raise PreconditionRequired(_l("If-Match: * is not accepted; send the resource's ETag."))
    tags = _ETAG.findall(header)
    if len(tags) != 1:
        raise BadRequest(_('Send exactly one ETag in If-Match, quoted, for example If-Match: "3".'))
    if not tags[0].isdigit() or int(tags[0]) > MAX_INT:
        raise PreconditionFailed(_l("The ETag in If-Match is not a version of this resource."))
    return int(tags[0])
