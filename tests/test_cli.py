"""The `eagov` command through Flask's CLI runner, on a database that only migrations built
(SQLite, or a fresh PostgreSQL schema when EAGOV_TEST_DATABASE_URL is set)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from conftest import login, make_app
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlmodel import Session, col, func, select

from eagov.demo import DEMO_DOMAIN, DEMO_PASSWORD
from eagov.migrations_info import head_revision
from eagov.models import AuditEvent, Board, OrgLink, OrgUnit, Person, User
from eagov.services import accounts

ROLES = {
    "admin",
    "board_chair",
    "board_member",
    "review_coordinator",
    "architect",
    "sponsor",
    "contributor",
    "viewer",
}


@pytest.fixture
def bare_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty database: no create_all, no stamp (unlike the ``app`` fixture)."""
    app = make_app(database_url, tmp_path)
    yield app
    from eagov.db import engine

    with app.app_context():
        engine().dispose()


@pytest.fixture
def runner(bare_app: Flask) -> FlaskCliRunner:
    return bare_app.test_cli_runner()


@pytest.fixture
def migrated(runner: FlaskCliRunner) -> FlaskCliRunner:
    ok(runner, "db", "upgrade")
    return runner


@pytest.fixture
def db(bare_app: Flask, migrated: FlaskCliRunner) -> Iterator[Session]:
    from eagov.db import engine

    with bare_app.app_context(), Session(engine(), expire_on_commit=False) as s:
        yield s


def ok(runner: FlaskCliRunner, *args: str, input: str | None = None) -> Result:
    result = runner.invoke(args=list(args), input=input)
    assert result.exit_code == 0, f"eagov {' '.join(args)} failed:\n{result.output}"
    return result


def test_db_upgrade_and_current(runner: FlaskCliRunner) -> None:
    before = ok(runner, "db", "current")
    assert "(empty)" in before.output
    assert f"head is {head_revision()}" in before.output

    assert "Database at head." in ok(runner, "db", "upgrade").output
    after = ok(runner, "db", "current")
    assert after.output.strip() == f"{head_revision()} (head)"

    # Idempotent: a second upgrade (every `make run` does one) changes nothing.
    ok(runner, "db", "upgrade")
    assert ok(runner, "db", "current").output.strip() == f"{head_revision()} (head)"


def test_db_downgrade_then_upgrade(migrated: FlaskCliRunner) -> None:
    ok(migrated, "db", "downgrade", "base")
    assert "(empty)" in ok(migrated, "db", "current").output
    ok(migrated, "db", "upgrade")
    assert "(head)" in ok(migrated, "db", "current").output


def test_readyz_waits_for_migrations_healthz_does_not(bare_app: Flask) -> None:
    client = bare_app.test_client()
    assert client.get("/healthz").status_code == 200
    before = client.get("/readyz")
    assert before.status_code == 503
    assert before.json is not None and before.json["status"] == "unavailable"

    ok(bare_app.test_cli_runner(), "db", "upgrade")

    after = client.get("/readyz")
    assert after.status_code == 200, after.text
    assert after.json == {"status": "ok", "database": "reachable", "revision": head_revision()}
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_reports_an_unreachable_database(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}", tmp_path)
    resp = app.test_client().get("/readyz")
    assert resp.status_code == 503
    assert resp.json is not None and resp.json["database"] == "unreachable"


def test_user_create_with_password_from_stdin(
    bare_app: Flask, migrated: FlaskCliRunner, db: Session
) -> None:
    out = ok(
        migrated,
        "user",
        "create",
        "--email",
        "Boss@Example.com",
        "--role",
        "admin",
        "--role",
        "architect",
        "--password-stdin",
        input="a-long-enough-secret\n",
    ).output
    assert "Created user boss@example.com" in out
    assert "Invitation" not in out
    user = db.exec(select(User).where(User.email == "boss@example.com")).one()
    assert user.role_names == {"admin", "architect"}
    assert user.name == "Boss"
    # The password works for signing in on the web.
    resp = login(bare_app.test_client(), "boss@example.com", "a-long-enough-secret")
    assert resp.status_code == 302


def test_user_create_without_password_prints_an_invitation(migrated: FlaskCliRunner) -> None:
    out = ok(migrated, "user", "create", "--email", "new@example.com", "--role", "viewer").output
    assert "/invite/" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "x@example.com", "--role", "emperor"], "roles"),
        (["--email", "not-an-email", "--role", "viewer"], "email"),
    ],
)
def test_user_create_rejects_bad_input(
    migrated: FlaskCliRunner, args: list[str], message: str
) -> None:
    result = migrated.invoke(args=["user", "create", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_user_create_twice_is_refused(migrated: FlaskCliRunner) -> None:
    args = ["user", "create", "--email", "twice@example.com", "--role", "viewer"]
    ok(migrated, *args)
    result = migrated.invoke(args=args)
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_token_create(migrated: FlaskCliRunner, db: Session) -> None:
    ok(migrated, "user", "create", "--email", "bot@example.com", "--role", "architect")
    secret = ok(migrated, "token", "create", "bot@example.com", "--days", "5").output.strip()
    assert secret and "\n" not in secret
    user = accounts.user_for_token(db, secret)
    assert user is not None and user.email == "bot@example.com"

    missing = migrated.invoke(args=["token", "create", "nobody@example.com"])
    assert missing.exit_code != 0
    assert "No user" in missing.output


def test_demo_load(migrated: FlaskCliRunner, db: Session) -> None:
    out = ok(migrated, "demo", "load").output
    assert "Demo data loaded" in out
    assert DEMO_PASSWORD in out

    people = db.exec(select(func.count()).select_from(Person)).one()
    assert people >= 40

    units = db.exec(select(OrgUnit)).all()
    parent = {u.id: u.parent_id for u in units}

    def depth(uid: int | None) -> int:
        return 0 if uid is None else 1 + depth(parent[uid])

    assert max(depth(u.id) for u in units) >= 3
    assert db.exec(select(func.count()).select_from(OrgLink)).one() >= 1

    boards = db.exec(select(Board)).all()
    assert {b.level for b in boards} >= {"global", "local"}
    local = next(b for b in boards if b.level == "local")
    assert local.parent_board_id in {b.id for b in boards if b.level == "global"}

    demo_users = db.exec(select(User).where(col(User.email).endswith("@" + DEMO_DOMAIN))).all()
    roles = [r for u in demo_users for r in u.role_names]
    assert set(roles) == ROLES
    assert sorted(roles) == sorted(ROLES), "expected exactly one demo login per role"
    for role in ROLES:
        assert role in out, f"login for {role} not printed"

    # A demo login really signs in.
    resp = login(migrated.app.test_client(), f"admin@{DEMO_DOMAIN}", DEMO_PASSWORD)
    assert resp.status_code == 302

    again = ok(migrated, "demo", "load", "--if-empty").output
    assert "already has data" in again
    assert db.exec(select(func.count()).select_from(Person)).one() == people


def test_demo_load_if_empty_loads_into_an_empty_database(migrated: FlaskCliRunner) -> None:
    assert "Demo data loaded" in ok(migrated, "demo", "load", "--if-empty").output


def test_audit_verify_and_tamper_detection(migrated: FlaskCliRunner, db: Session) -> None:
    ok(migrated, "demo", "load")
    out = ok(migrated, "audit", "verify").output
    assert out.startswith("OK:")
    events = db.exec(select(func.count()).select_from(AuditEvent)).one()
    assert f"{events} events" in out

    # Change one recorded fact behind the application's back.
    seq = events // 2
    db.execute(
        sa.update(AuditEvent).where(col(AuditEvent.seq) == seq).values(actor_label="someone else")
    )
    db.commit()
    result = migrated.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"event {seq} was altered" in result.output
