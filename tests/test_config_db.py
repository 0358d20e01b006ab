"""Configuration and the data layer: secret key, EAGOV_* variables, SQLite pragmas."""

from __future__ import annotations

import stat

from sqlalchemy import text

from eagov import create_app
from eagov.db import make_engine


def test_secret_key_is_generated_once_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("EAGOV_SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    first = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": "sqlite://"})
    key_file = instance / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 40
    second = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": "sqlite://"})
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_environment_variables_configure_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("EAGOV_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("EAGOV_DEFAULT_TIMEZONE", "Asia/Shanghai")
    monkeypatch.setenv("EAGOV_SMTP_PORT", "2525")
    monkeypatch.setenv("EAGOV_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance")})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["DEFAULT_TIMEZONE"] == "Asia/Shanghai"
    assert app.config["SMTP_PORT"] == 2525
    assert app.config["DATABASE_URL"].endswith("env.db")
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_default_database_is_a_sqlite_file_under_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("EAGOV_DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path / "inst")})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'inst' / 'eagov.db'}"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
