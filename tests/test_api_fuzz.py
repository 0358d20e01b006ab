"""Schemathesis over the whole OpenAPI document, as an administrator with a valid token, on a
database holding the demo data (so generated ids often hit real rows): no server error and no
response that breaks its own schema.

This is the bounded run of the suite (a few examples per operation, derandomized so it is the
same run every time). scripts/fuzz.sh runs the long one: EAGOV_FUZZ_EXAMPLES=100 and random
seeds; see docs/security.md.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import schemathesis
import sqlalchemy as sa
from conftest import PASSWORD, PG_URL, _stamp_head, login, make_app
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
)
from sqlmodel import Session

from eagov.api.inputs import MAX_INT
from eagov.api.reminders import JobRead
from eagov.demo import load_demo
from eagov.models import Role, metadata
from eagov.permissions import SYSTEM
from eagov.schemas.accounts import TokenCreate, UserCreate
from eagov.services import accounts

EXAMPLES = int(os.environ.get("EAGOV_FUZZ_EXAMPLES", "3"))
RANDOM = os.environ.get("EAGOV_FUZZ_RANDOM", "") == "1"
# The coverage phase (boundary values of every parameter) is the slow one: long run only.
PHASES = os.environ.get("EAGOV_FUZZ_PHASES", "examples,fuzzing").split(",")


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("fuzz")
    if not PG_URL:
        yield f"sqlite:///{tmp / 'fuzz.db'}", tmp
        return
    schema = f"f_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}", tmp
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="module")
def fuzz_app(fuzz_db: tuple[str, Path]) -> Iterator[tuple[Flask, dict[str, str]]]:
    url, tmp = fuzz_db
    app = make_app(url, tmp)
    eng = app.extensions["eagov.engine"]
    metadata.create_all(eng)
    _stamp_head(eng)
    with Session(eng, expire_on_commit=False) as s:
        load_demo(s)
        user, _ = accounts.create_user(
            s,
            SYSTEM,
            UserCreate(
                email="fuzz@example.com",
                name="Fuzz Admin",
                roles=list(Role),
                password=PASSWORD,
            ),
        )
        _tok, secret = accounts.create_token(s, SYSTEM, TokenCreate(name="fuzz"), user_id=user.id)
    APP.target = app
    yield app, {"Authorization": f"Bearer {secret}"}
    APP.target = None
    eng.dispose()


def _document() -> dict[str, Any]:
    """The document as the app serves it; no database is touched to build it."""
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(f"sqlite:///{tmp}/doc.db", Path(tmp))
        doc = app.test_client().get("/api/v1/openapi.json").json
        app.extensions["eagov.engine"].dispose()
    assert isinstance(doc, dict)
    return doc


# Loaded at collection so each operation is its own test item (xdist spreads them).
class _App:
    """The WSGI app schemathesis calls: the module's fuzz app, bound once it exists (every
    request, its own probes included, must reach the app rather than the network)."""

    target: Flask | None = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        assert self.target is not None
        return self.target(environ, start_response)


APP = _App()
# Checks whose expectation the API deliberately does not meet (docs/security.md):
# - a missing If-Match is a 428 Precondition Required (RFC 6585), not a 4xx it lists;
# - schema-valid bodies can break business rules (422: "a local board reports to a parent
#   board") that JSON Schema does not express;
# - pydantic's lax parsing accepts some values the schema's formats do not (a number for a
#   date-time, as a Unix time).
NOT_OUR_CONTRACT = [missing_required_header, positive_data_acceptance, negative_data_rejection]
DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app = APP
schema.config.phases.update(phases=PHASES)
# The WSGI transport ignores the host; the path prefix (/api/v1) comes from the servers entry.
schema.config.update(base_url=urljoin("http://localhost/", DOCUMENT["servers"][0]["url"]))


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi_document(
    case: Any, fuzz_app: tuple[Flask, dict[str, str]]
) -> None:
    _app, headers = fuzz_app
    case.call_and_validate(headers=headers, excluded_checks=NOT_OUR_CONTRACT)


# --- regressions for what the fuzzer found --------------------------------------------------


def test_an_id_out_of_range_is_not_found_whatever_the_method(
    client: FlaskClient, api_token: Any
) -> None:
    """Werkzeug checks methods before converters: POST to /boards/0/members was a 405 (the GET
    rule of the path matched); pages overflowed the database driver on huge ids (a 500)."""
    _user, headers = api_token("admin")
    for path in ("/boards/0/members", "/meetings/0/papers", f"/boards/{MAX_INT + 1}/members"):
        resp = client.post("/api/v1" + path, json={}, headers=headers)
        assert resp.status_code == 404, (path, resp.status_code)
    login(client, api_token("admin")[0].email)
    for url in ("/org/boards/99999999999999999999", f"/meetings/papers/{MAX_INT + 1}"):
        assert client.get(url).status_code == 404, url


def test_method_not_allowed_names_the_allowed_methods(client: FlaskClient, api_token: Any) -> None:
    _user, headers = api_token("admin")
    resp = client.open("/api/v1/contracts", method="TRACE", headers=headers)
    assert resp.status_code == 405 and resp.mimetype == "application/problem+json"
    assert {"GET", "POST"} <= {m.strip() for m in resp.headers["Allow"].split(",")}
    page = client.put("/login")
    assert page.status_code == 405 and "POST" in page.headers["Allow"]


def test_scheduler_times_carry_their_time_zone() -> None:
    naive = datetime(2026, 1, 2, 3, 4, 5)
    job = JobRead(
        job="j",
        every="1h",
        next_run=naive,
        last_started_at=naive,
        last_finished_at=naive,
        last_result={},
        last_error="",
        lease_owner=None,
        lease_until=naive,
    ).model_dump(mode="json")
    for key in ("next_run", "last_started_at", "last_finished_at", "lease_until"):
        assert job[key] in {"2026-01-02T03:04:05Z", "2026-01-02T03:04:05+00:00"}, job[key]


def test_the_document_lists_what_the_operations_answer(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    # DELETEs without a body answer 204, If-Match or not.
    assert set(paths["/tokens/{token_id}"]["delete"]["responses"]) >= {"204"}
    assert "200" not in paths["/org-links/{link_id}"]["delete"]["responses"]
    # A body or a query can name a row that does not exist.
    assert "404" in paths["/dispensations"]["post"]["responses"]
    assert "404" in paths["/person-roles"]["get"]["responses"]
    # Files are any bytes: no string schema that a YAML export would be parsed against.
    export = paths["/maturity-models/{model_id}/export"]["get"]["responses"]["200"]["content"]
    assert all("schema" not in media for media in export.values())
