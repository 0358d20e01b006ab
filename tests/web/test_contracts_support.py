"""Helpers shared by the contract page tests (no tests here): signed-in clients per person of
the cast, CSRF-protected posts, and a statement counter."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from conftest import csrf_from, login
from flask import Flask
from flask.testing import FlaskClient

from eagov.models import User


def client_for(app: Flask, user: User) -> FlaskClient:
    """A new test client signed in as ``user`` (one client per person, like browsers)."""
    client = app.test_client()
    resp = login(client, user.email)
    assert resp.status_code == 302, resp.text[:300]
    return client


def send(client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    """POST ``data`` to ``url`` with the session's CSRF token."""
    token = csrf_from(client.get("/contracts/").text)
    return client.post(url, data={**(data or {}), "csrf_token": token}, **kw)


def text_of(html: str) -> str:
    """The visible text of a page, tags removed and spaces collapsed (for assertions)."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
