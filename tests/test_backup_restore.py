"""`eagov backup` / `eagov restore`: a database full of demo data and some evidence files go
into one archive and come back, table by table and row by row, into a fresh database."""

from __future__ import annotations

import sqlite3
import tarfile
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import PG_URL, make_app
from flask import Flask
from sqlmodel import Session

from eagov.backup import BackupError, check_revisions, read_manifest
from eagov.demo import load_demo
from eagov.migrations_info import alembic_config, head_revision
from eagov.models import metadata


def every_row(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    eng = app.extensions["eagov.engine"]
    tables = {}
    with eng.connect() as conn:
        for table in metadata.sorted_tables:
            order = [*table.primary_key.columns] or [*table.columns]
            rows = conn.execute(sa.select(table).order_by(*order)).all()
            tables[table.name] = [tuple(r) for r in rows]
        tables["alembic_version"] = [
            tuple(r) for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))
        ]
    return tables


def filled(app: Flask) -> Flask:
    with app.app_context(), Session(app.extensions["eagov.engine"]) as s:
        load_demo(s, people=12)
    evidence = Path(app.instance_path) / "evidence"
    (evidence / "nested").mkdir(parents=True)
    (evidence / "a1b2c3").write_bytes(b"%PDF-1.4 evidence")
    (evidence / "nested" / "d4e5").write_bytes(b"more")
    return app


def fresh_app(url: str, tmp_path: Path, name: str) -> Flask:
    """An app on an empty database (no tables at all) with its own instance folder."""
    return make_app(url, tmp_path / name)


def run(app: Flask, *args: str) -> Any:
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def round_trip(app: Flask, target: Flask, archive: Path) -> None:
    before = every_row(app)
    assert sum(len(rows) for rows in before.values()) > 500  # the demo fills the tables

    done = run(app, "backup", str(archive))
    assert done.exit_code == 0, done.output
    assert "evidence files" in done.output and archive.is_file()
    assert read_manifest(archive).revision == head_revision()

    done = run(target, "restore", "--yes", str(archive))
    assert done.exit_code == 0, done.output
    after = every_row(target)
    for table, rows in before.items():
        assert after[table] == rows, table
    restored = Path(target.instance_path) / "evidence"
    assert (restored / "a1b2c3").read_bytes() == b"%PDF-1.4 evidence"
    assert (restored / "nested" / "d4e5").read_bytes() == b"more"
    # The restored app works: the audit chain the demo wrote still verifies.
    verified = run(target, "audit", "verify")
    assert verified.exit_code == 0, verified.output


def test_sqlite_round_trip_keeps_every_row_of_every_table(app, tmp_path):
    if PG_URL:
        pytest.skip("the SQLite round trip runs when the suite is on SQLite")
    target = fresh_app(f"sqlite:///{tmp_path / 'restored.db'}", tmp_path, "restored")
    try:
        round_trip(filled(app), target, tmp_path / "backups" / "eagov.tar")
    finally:
        target.extensions["eagov.engine"].dispose()


@pytest.mark.postgres
def test_postgres_round_trip_keeps_every_row_of_every_table(app, tmp_path):
    # The target is a second schema of the same server, empty like a new installation.
    schema = f"r_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    target = fresh_app(f"{PG_URL}{sep}options=-csearch_path%3D{schema}", tmp_path, "restored")
    try:
        round_trip(filled(app), target, tmp_path / "eagov.tar")
        source = schema_of(app)
        assert read_manifest(tmp_path / "eagov.tar").schema == source != schema
        # The source schema, which sat in the way of the dump's name, is as it was.
        assert schema_of(target) == schema and schema_exists(admin, source)
        assert not schemas_like(admin, "eagov_restore_%")
    finally:
        target.extensions["eagov.engine"].dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def schema_of(app: Flask) -> str:
    with app.extensions["eagov.engine"].connect() as conn:
        return str(conn.execute(sa.text("SELECT current_schema()")).scalar())


def schema_exists(eng: sa.Engine, name: str) -> bool:
    return bool(schemas_like(eng, name))


def schemas_like(eng: sa.Engine, pattern: str) -> list[str]:
    with eng.connect() as conn:
        query = sa.text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p")
        return list(conn.execute(query, {"p": pattern}).scalars())


@pytest.mark.postgres
def test_postgres_restore_over_the_same_schema_replaces_its_rows(app, tmp_path, make_user):
    make_user("viewer")
    before = every_row(app)
    assert run(app, "backup", str(tmp_path / "b.tar")).exit_code == 0
    make_user("admin")
    with app.extensions["eagov.engine"].begin() as conn:
        conn.execute(sa.text("UPDATE \"user\" SET name = 'changed'"))

    done = run(app, "restore", "--yes", str(tmp_path / "b.tar"))
    assert done.exit_code == 0, done.output
    assert every_row(app) == before


@pytest.mark.postgres
def test_postgres_restore_that_fails_changes_nothing(app, tmp_path):
    """A failure in the middle rolls the whole restore back, the schema renames included."""
    assert run(app, "backup", str(tmp_path / "b.tar")).exit_code == 0
    schema = f"r_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        # A view on a table of the dump: dropping that table to replace it fails.
        conn.execute(sa.text(f'SET LOCAL search_path TO "{schema}"'))
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num text)"))
        conn.execute(sa.text("CREATE VIEW mine AS SELECT * FROM alembic_version"))
    sep = "&" if "?" in PG_URL else "?"
    target = fresh_app(f"{PG_URL}{sep}options=-csearch_path%3D{schema}", tmp_path, "restored")
    try:
        done = run(target, "restore", "--yes", str(tmp_path / "b.tar"))
        assert done.exit_code != 0 and "psql failed" in done.output
        assert schema_of(target) == schema and schema_exists(admin, schema_of(app))
        assert not schemas_like(admin, "eagov_restore_%")
        with admin.connect() as conn:
            tables = sa.text(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = :s"
            )
            assert set(conn.execute(tables, {"s": schema}).scalars()) == {"alembic_version", "mine"}
    finally:
        target.extensions["eagov.engine"].dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_sqlite_backup_while_the_app_writes(app, client, tmp_path, make_user):
    """The online backup API copies a consistent database while requests keep writing."""
    if PG_URL:
        pytest.skip("SQLite only")
    make_user("viewer")
    stop = threading.Event()
    eng = app.extensions["eagov.engine"]

    def write() -> None:
        while not stop.is_set():
            with eng.begin() as conn:
                conn.execute(
                    sa.text("UPDATE user SET name = :n WHERE id = 1"), {"n": uuid.uuid4().hex}
                )

    writer = threading.Thread(target=write)
    writer.start()
    try:
        done = run(app, "backup", str(tmp_path / "live.tar"))
    finally:
        stop.set()
        writer.join()
    assert done.exit_code == 0, done.output
    with tarfile.open(tmp_path / "live.tar") as tar:
        tar.extract("database.sqlite3", tmp_path, filter="data")
    copy = sqlite3.connect(tmp_path / "database.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()


def test_restore_refuses_a_database_newer_than_the_backup(app, tmp_path):
    if PG_URL:
        pytest.skip("SQLite only")
    script = alembic_config()
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(script).get_current_head()
    older = ScriptDirectory.from_config(script).get_revision(head).down_revision
    assert isinstance(older, str)
    old_db = tmp_path / "old.db"
    old_app = fresh_app(f"sqlite:///{old_db}", tmp_path, "old")
    eng = old_app.extensions["eagov.engine"]
    metadata.create_all(eng)
    with eng.begin() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS alembic_version (version_num TEXT)"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES (:r)"), {"r": older})
    assert run(old_app, "backup", str(tmp_path / "old.tar")).exit_code == 0
    eng.dispose()

    before = every_row(app)
    done = run(app, "restore", "--yes", str(tmp_path / "old.tar"))
    assert done.exit_code != 0
    assert "newer than the backup" in done.output
    assert every_row(app) == before  # untouched


def test_revision_rules():
    head = head_revision()
    check_revisions(head, None)  # into an empty database
    check_revisions(head, head)
    with pytest.raises(BackupError, match="does not know"):
        check_revisions("ffffffffffff", head)
    with pytest.raises(BackupError, match="newer than the backup"):
        check_revisions(None, head)


def test_restore_refuses_what_is_not_a_backup(app, tmp_path):
    junk = tmp_path / "junk.tar"
    with tarfile.open(junk, "w") as tar:
        tar.add(__file__, arcname="notes.txt")
    done = run(app, "restore", "--yes", str(junk))
    assert done.exit_code != 0 and "not an eagov backup" in done.output


def test_restore_asks_before_replacing_everything(app, tmp_path):
    done = run(app, "backup", str(tmp_path / "b.tar"))
    assert done.exit_code == 0
    refused = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "b.tar")], input="n\n")
    assert refused.exit_code != 0 and "Aborted" in refused.output
