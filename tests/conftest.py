"""Fixtures: an app per test on a fresh database (SQLite file, or PostgreSQL when
EAGOV_TEST_DATABASE_URL is set), a client, a session, users per role and login helpers."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from eagov import create_app
from eagov.models import User, metadata
from eagov.permissions import SYSTEM
from eagov.schemas.accounts import TokenCreate, UserCreate
from eagov.services import accounts

PASSWORD = "correct-horse-battery"
PG_URL = os.environ.get("EAGOV_TEST_DATABASE_URL", "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_pg = pytest.mark.skip(reason="EAGOV_TEST_DATABASE_URL is not set (no PostgreSQL server)")
    for item in items:
        if "postgres" in item.keywords and not PG_URL:
            item.add_marker(skip_pg)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for one test: a SQLite file, or a new PostgreSQL schema."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def make_app(database_url: str, tmp_path: Path, **overrides: Any) -> Flask:
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-" + uuid.uuid4().hex,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(database_url, tmp_path)
    from eagov.db import engine

    with app.app_context():
        metadata.create_all(engine())
        _stamp_head(engine())
    yield app
    with app.app_context():
        engine().dispose()


@pytest.fixture
def app_factory(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """``app_factory(**config)`` -> an app with its tables created; engines closed at teardown."""
    made: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        app = make_app(database_url, tmp_path, **overrides)
        made.append(app)
        metadata.create_all(app.extensions["eagov.engine"])
        return app

    yield build
    for app in made:
        app.extensions["eagov.engine"].dispose()


def _stamp_head(eng: sa.Engine) -> None:
    from alembic import command

    from eagov.migrations_info import alembic_config

    with eng.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.stamp(cfg, "head")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session of the test's own, outside any app context: requests made by the test
    client then get their own context (and their own ``g``), as in production."""
    with Session(app.extensions["eagov.engine"], expire_on_commit=False) as s:
        yield s


@pytest.fixture
def make_user(session: Session):  # type: ignore[no-untyped-def]
    """``make_user("architect", "admin")`` -> a User with those roles and the test password."""
    counter = iter(range(1, 10_000))

    def factory(*roles: str, email: str | None = None, name: str | None = None) -> User:
        n = next(counter)
        user, _ = accounts.create_user(
            session,
            SYSTEM,
            UserCreate(
                email=email or f"{'-'.join(roles) or 'user'}{n}@example.com",
                name=name or f"Test {' '.join(roles)} {n}",
                roles=list(roles) or ["viewer"],  # type: ignore[arg-type]
                password=PASSWORD,
            ),
        )
        return user

    return factory


@contextmanager
def count_statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs inside the block."""
    eng = app.extensions["eagov.engine"]
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sa.event.listen(eng, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(eng, "before_cursor_execute", before)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
    )


@pytest.fixture
def login_as(client: FlaskClient, make_user):  # type: ignore[no-untyped-def]
    """Sign the test client in as a new user with the given roles; returns the user."""

    def do(*roles: str) -> User:
        user = make_user(*roles)
        resp = login(client, user.email)
        assert resp.status_code == 302, resp.text
        return user

    return do


def post_form(client: FlaskClient, url: str, data: dict[str, Any], page: str | None = None) -> Any:
    """POST a form with the CSRF token taken from ``page`` (default: GET the same URL)."""
    html = client.get(page or url).text
    return client.post(url, data={**data, "csrf_token": csrf_from(html)})


@pytest.fixture
def api_token(session: Session, make_user):  # type: ignore[no-untyped-def]
    """``api_token("admin")`` -> (user, headers) for calling /api/v1 as a new user."""

    def do(*roles: str) -> tuple[User, dict[str, str]]:
        user = make_user(*roles)
        _tok, secret = accounts.create_token(
            session, SYSTEM, TokenCreate(name="t"), user_id=user.id
        )
        return user, {"Authorization": f"Bearer {secret}"}

    return do
