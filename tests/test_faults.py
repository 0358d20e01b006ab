"""Faults: the database going away and coming back, storage that cannot be written, a crash
while a report is built. (SIGKILL of the scheduler mid-sweep, then exactly-once delivery after
a restart, is proved by tests/test_scheduler_process.py.)"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import login
from contract_factory import activate, make_cast, make_contract
from flask import Flask
from sqlmodel import Session, select

from eagov import storage
from eagov.models.contracts import ContractVersion, Deliverable

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@contextmanager
def database_down(app: Flask) -> Iterator[None]:
    """Every new connection fails as a server that went away would; pooled ones are closed."""
    eng = app.extensions["eagov.engine"]

    def refuse(*_args: Any) -> Any:
        if eng.dialect.name == "sqlite":
            raise sqlite3.OperationalError("unable to open database file")
        import psycopg

        raise psycopg.OperationalError("connection refused")

    sa.event.listen(eng, "do_connect", refuse)
    eng.dispose()
    try:
        yield
    finally:
        sa.event.remove(eng, "do_connect", refuse)


def assert_no_traceback(text: str) -> None:
    for marker in ("Traceback", "OperationalError", "sqlite3", "psycopg", 'File "'):
        assert marker not in text, marker


@pytest.mark.parametrize("path", ["/", "/contracts/"])
def test_a_page_answers_503_while_the_database_is_down_and_recovers(client, app, make_user, path):
    assert login(client, make_user("viewer").email).status_code == 302
    with database_down(app):
        resp = client.get(path)
        assert resp.status_code == 503, resp.text
        assert resp.mimetype == "text/html"
        assert "Service unavailable" in resp.text
        assert_no_traceback(resp.text)
    # Same process, no restart: the next request connects again and works.
    assert client.get(path).status_code == 200


def test_signing_in_answers_503_while_the_database_is_down(client, app, make_user):
    user = make_user("viewer")
    with database_down(app):
        resp = login(client, user.email)
        assert resp.status_code == 503
        assert_no_traceback(resp.text)
    assert login(client, user.email).status_code == 302


def test_the_api_answers_a_problem_document_while_the_database_is_down(client, app, api_token):
    _user, headers = api_token("viewer")
    with database_down(app):
        resp = client.get("/api/v1/contracts", headers=headers)
        assert resp.status_code == 503
        assert resp.mimetype == "application/problem+json"
        assert resp.json["status"] == 503 and resp.json["title"] == "Service unavailable"
        assert_no_traceback(resp.text)
    assert client.get("/api/v1/contracts", headers=headers).status_code == 200


def test_readiness_reports_the_database_and_recovers(client, app):
    with database_down(app):
        assert client.get("/readyz").status_code == 503
    assert client.get("/readyz").status_code == 200


# --- uploads that cannot be written ------------------------------------------------------------


@pytest.fixture
def deliverable(session: Session) -> tuple[int, dict[str, str]]:
    from eagov.permissions import SYSTEM
    from eagov.schemas.accounts import TokenCreate
    from eagov.services import accounts

    cast = make_cast(session)
    contract = activate(session, cast, make_contract(session, cast, deliverables_count=1))
    item = session.exec(
        select(Deliverable)
        .join(ContractVersion, ContractVersion.id == Deliverable.version_id)  # type: ignore[arg-type]
        .where(ContractVersion.contract_id == contract.id)
        .order_by(Deliverable.id.desc())  # type: ignore[union-attr]
    ).first()
    assert item is not None
    _tok, secret = accounts.create_token(
        session, SYSTEM, TokenCreate(name="t"), user_id=cast.lead.id
    )
    return item.id, {"Authorization": f"Bearer {secret}"}  # type: ignore[return-value]


def upload(client: Any, item_id: int, headers: dict[str, str]) -> Any:
    tag = client.get(f"/api/v1/deliverables/{item_id}", headers=headers).headers["ETag"]
    return client.open(
        f"/api/v1/deliverables/{item_id}/evidence",
        method="PUT",
        headers=headers | {"If-Match": tag},
        data={"file": (BytesIO(PDF), "evidence.pdf")},
    )


def assert_nothing_kept(session: Session, item_id: int, root: Path) -> None:
    session.expire_all()
    item = session.get(Deliverable, item_id)
    assert item is not None and item.evidence_file is None
    leftovers = [p.name for p in root.iterdir()] if root.is_dir() else []
    assert leftovers == []


def test_a_full_disk_gives_a_clear_error_and_keeps_nothing(
    client, app, session, deliverable, monkeypatch
):
    item_id, headers = deliverable
    root = Path(app.instance_path) / "evidence"

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, "fsync", full)
    resp = upload(client, item_id, headers)
    assert resp.status_code == 503, resp.text
    assert resp.mimetype == "application/problem+json"
    assert "could not be stored" in resp.json["detail"]
    assert_no_traceback(resp.text)
    assert_nothing_kept(session, item_id, root)

    monkeypatch.undo()
    assert upload(client, item_id, headers).status_code == 200


def test_a_storage_folder_that_cannot_be_made_gives_a_clear_error(
    client, app, session, deliverable, tmp_path
):
    item_id, headers = deliverable
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the evidence folder should be")
    app.config["EVIDENCE_DIR"] = str(blocker / "evidence")
    resp = upload(client, item_id, headers)
    assert resp.status_code == 503, resp.text
    assert "could not be stored" in resp.json["detail"]
    assert_nothing_kept(session, item_id, blocker.parent / "nowhere")


def test_save_leaves_no_temporary_file_when_writing_fails(tmp_path, monkeypatch):
    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, "fsync", full)
    with pytest.raises(storage.StorageUnavailable):
        storage.save(tmp_path, b"data")
    assert list(tmp_path.iterdir()) == []


# --- a crash while a document is built -----------------------------------------------------------


def test_a_crash_while_exporting_leaves_no_partial_file(app, session, tmp_path, monkeypatch):
    """The CLI writes to a temporary file beside the target and renames it: a failure while
    writing leaves neither a partial report nor the temporary file."""
    from maturity_factory import create_assessment, make_setup

    assessment_id = create_assessment(session, make_setup(session))
    target = tmp_path / "out" / "report.docx"
    target.parent.mkdir()
    runner = app.test_cli_runner()

    from eagov import cli_support

    real_fsync = cli_support.os.fsync

    def crash(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cli_support.os, "fsync", crash)
    result = runner.invoke(args=["export", "maturity", str(assessment_id), "-o", str(target)])
    assert result.exit_code != 0
    assert list(target.parent.iterdir()) == []

    monkeypatch.setattr(cli_support.os, "fsync", real_fsync)
    result = runner.invoke(args=["export", "maturity", str(assessment_id), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in target.parent.iterdir()] == ["report.docx"]
    assert target.read_bytes().startswith(b"PK")


def test_a_crash_while_building_a_download_sends_an_error_not_a_partial_file(
    client, login_as, monkeypatch
):
    """Downloads are built in memory before the first byte is sent."""
    from eagov.web import contracts

    login_as("viewer")

    def crash(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the document builder failed")

    monkeypatch.setattr(contracts, "table_download", crash)
    resp = client.get("/contracts/deliverables/export.csv")
    assert resp.status_code == 500
    assert resp.mimetype == "text/html"
    assert "Content-Disposition" not in resp.headers
    assert_no_traceback(resp.text)
