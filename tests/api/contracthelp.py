"""Contracts over the API in tests: an API client per member of the cast, and request bodies."""

from __future__ import annotations

from typing import Any

from apihelp import Api
from contract_factory import Cast, contract_data
from flask.testing import FlaskClient
from sqlmodel import Session

from eagov.permissions import SYSTEM
from eagov.schemas.accounts import TokenCreate
from eagov.schemas.contracts import VersionContent
from eagov.services import accounts

ROLES = ("coordinator", "chair", "sponsor", "lead", "partner", "viewer", "outsider")


def clients(client: FlaskClient, session: Session, cast: Cast) -> dict[str, Api]:
    """One API client per person of the cast, each with a token of its own."""
    out = {}
    for name in ROLES:
        user = getattr(cast, name)
        _tok, secret = accounts.create_token(
            session, SYSTEM, TokenCreate(name="t"), user_id=user.id
        )
        out[name] = Api(client, {"Authorization": f"Bearer {secret}"})
    return out


def create_body(cast: Cast, contract_type: str = "soaw", **over: Any) -> dict[str, Any]:
    return contract_data(cast, contract_type, **over).model_dump(mode="json")


def content_of(version: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The PUT body for a version, from its GET answer."""
    return {k: version[k] for k in VersionContent.model_fields} | changes


def etag(resp: Any) -> str:
    assert resp.status_code == 200, resp.text
    return str(resp.headers["ETag"])


def action(detail: dict[str, Any], name: str) -> dict[str, Any]:
    return next(a for a in detail["actions"] if a["name"] == name)
