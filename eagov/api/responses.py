"""Writing a response: one resource with its ETag, or a page with its Link header."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Response, jsonify, request
from pydantic import BaseModel

from ..services.audit import as_utc
from ..web.pagination import Page

M = TypeVar("M", bound=BaseModel)


def respond(model: BaseModel, status: int = 200, location: str | None = None) -> Response:
    resp = jsonify(model.model_dump(mode="json"))
    resp.status_code = status
    version = getattr(model, "version", None)
    if isinstance(version, int):
        resp.set_etag(str(version))  # strong: one version has exactly one representation
    if location:
        resp.headers["Location"] = location
    return resp


def no_content() -> Response:
    return Response(status=204)


def attachment(data: bytes | str, content_type: str, filename: str) -> Response:
    """A generated file as a download. Never cached: it depends on who asks and on data
    that changes."""
    resp = Response(data, content_type=content_type)
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def respond_page(page: Page[Any], convert: Callable[[Any], BaseModel]) -> Response:
    resp = jsonify(
        {
            "items": [convert(item).model_dump(mode="json") for item in page.items],
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
            "total_exact": page.exact,
        }
    )
    resp.headers["Link"] = page_links(page)
    return resp


def page_links(page: Page[Any]) -> str:
    """RFC 8288 links to the first, previous, next and last pages."""
    rels = {"first": 1}
    if page.has_prev:
        rels["prev"] = min(page.page - 1, page.pages)
    if page.has_next:
        rels["next"] = page.page + 1
    if page.exact:
        rels["last"] = page.pages
    return ", ".join(f'<{_page_url(number)}>; rel="{rel}"' for rel, number in rels.items())


def _page_url(number: int) -> str:
    args = request.args.copy()
    args["page"] = str(number)
    return f"{request.base_url}?{urlencode(list(args.items(multi=True)))}"


def read_from(model: type[M], obj: Any, **values: Any) -> M:
    """``model`` filled from ``obj``'s attributes (and ``values``), timestamps as UTC."""
    data = {name: getattr(obj, name) for name in model.model_fields if name not in values}
    data = {k: as_utc(v) if isinstance(v, datetime) else v for k, v in data.items()}
    return model.model_validate(data | values)
