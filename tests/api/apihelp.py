"""A thin client for /api/v1 in tests: the token header on every call, paths without prefix."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

PREFIX = "/api/v1"
PROBLEM = "application/problem+json"


class Api:
    def __init__(self, client: FlaskClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def _call(
        self, method: str, path: str, headers: dict[str, str] | None, **kw: Any
    ) -> TestResponse:
        return self.client.open(
            PREFIX + path, method=method, headers=self.headers | (headers or {}), **kw
        )

    def get(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> TestResponse:
        return self._call("GET", path, headers, **kw)

    def post(
        self, path: str, json: Any = None, headers: dict[str, str] | None = None, **kw: Any
    ) -> TestResponse:
        return self._call("POST", path, headers, json=json, **kw)

    def put(self, path: str, json: Any, etag: str | None = None, **kw: Any) -> TestResponse:
        return self._call("PUT", path, {"If-Match": etag} if etag else None, json=json, **kw)

    def delete(self, path: str, etag: str | None = None, **kw: Any) -> TestResponse:
        return self._call("DELETE", path, {"If-Match": etag} if etag else None, **kw)


def as_role(client: FlaskClient, api_token: Any, *roles: str) -> Api:
    _user, headers = api_token(*roles)
    return Api(client, headers)


def created(resp: TestResponse) -> dict[str, Any]:
    assert resp.status_code == 201, resp.text
    return resp.json  # type: ignore[return-value]


def assert_problem(resp: TestResponse, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.mimetype == PROBLEM
    body = resp.json
    assert body is not None and body["status"] == status
    return body


def links(resp: TestResponse) -> dict[str, dict[str, str]]:
    """The Link header as ``{rel: query parameters of the target}``."""
    out = {}
    for part in resp.headers.get("Link", "").split(","):
        url, rel = part.split(";")
        query = urlsplit(url.strip().strip("<>")).query
        out[rel.strip().removeprefix('rel="').removesuffix('"')] = dict(parse_qsl(query))
    return out
