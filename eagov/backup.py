"""Backup and restore of the database and the evidence files, as one tar archive.

The archive holds ``manifest.json`` (format, database kind, migration revision, time),
``database.sqlite3`` (SQLite, copied with the online backup API, so the app may keep running)
or ``database.pgdump`` (PostgreSQL, ``pg_dump -Fc``), and ``evidence/`` (the uploaded files).
A restore refuses an archive made by a newer version of the schema than this code knows, and
refuses to go back over a database whose schema is newer than the archive's.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from glob import glob
from pathlib import Path
from urllib.parse import unquote

from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from .migrations_info import alembic_config, current_revision

FORMAT = 1
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
EVIDENCE = "evidence"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the operator."""


@dataclass(frozen=True)
class Manifest:
    dialect: str
    revision: str | None
    created_at: str
    evidence_files: int

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, **self.__dict__}, indent=2).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        raw = json.loads(data)
        if raw.get("format") != FORMAT:
            raise BackupError(f"Unknown backup format {raw.get('format')!r}.")
        return cls(raw["dialect"], raw["revision"], raw["created_at"], raw["evidence_files"])


def backup(engine: Engine, evidence_root: Path, target: Path) -> Manifest:
    """Write the archive to ``target`` (through a temporary file: never a partial archive)."""
    with engine.connect() as conn:
        revision = current_revision(conn)
    files = (
        sorted(p for p in evidence_root.rglob("*") if p.is_file()) if evidence_root.is_dir() else []
    )
    manifest = Manifest(
        engine.dialect.name, revision, datetime.now(UTC).isoformat(timespec="seconds"), len(files)
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".eagov-backup-") as work:
        dump = Path(work) / "dump"
        if manifest.dialect == "sqlite":
            _sqlite_copy(_sqlite_path(engine), dump)
            member = SQLITE_MEMBER
        elif manifest.dialect == "postgresql":
            _pg_dump(engine, dump)
            member = PG_MEMBER
        else:
            raise BackupError(f"Backups of {manifest.dialect} databases are not supported.")
        partial = Path(work) / "archive.tar"
        with tarfile.open(partial, "w") as tar:
            _add_bytes(tar, "manifest.json", manifest.to_json())
            tar.add(dump, arcname=member)
            for path in files:
                tar.add(path, arcname=f"{EVIDENCE}/{path.relative_to(evidence_root).as_posix()}")
        os.replace(partial, target)
    return manifest


def read_manifest(archive: Path) -> Manifest:
    with tarfile.open(archive, "r") as tar:
        member = tar.extractfile("manifest.json")
        if member is None:
            raise BackupError(f"{archive} is not an eagov backup (no manifest).")
        return Manifest.from_json(member.read())


def restore(engine: Engine, evidence_root: Path, archive: Path) -> Manifest:
    """Replace the database's content and the evidence files with the archive's."""
    try:
        manifest = read_manifest(archive)
    except (tarfile.TarError, KeyError) as exc:
        raise BackupError(f"{archive} is not an eagov backup: {exc}") from exc
    if manifest.dialect != engine.dialect.name:
        raise BackupError(
            f"The backup is of a {manifest.dialect} database; this one is {engine.dialect.name}."
        )
    with engine.connect() as conn:
        present = current_revision(conn)
    check_revisions(manifest.revision, present)
    with (
        tempfile.TemporaryDirectory(prefix=".eagov-restore-") as work,
        tarfile.open(archive) as tar,
    ):
        tar.extractall(work, filter="data")
        engine.dispose()  # no pooled connection may hold the old content
        if manifest.dialect == "sqlite":
            _sqlite_copy(Path(work) / SQLITE_MEMBER, _sqlite_path(engine))
        else:
            _pg_restore(engine, Path(work) / PG_MEMBER)
        _replace_dir(Path(work) / EVIDENCE, evidence_root)
    engine.dispose()
    return manifest


def check_revisions(backup_rev: str | None, present_rev: str | None) -> None:
    """Refuse a backup newer than this code, or a database newer than the backup."""
    script = ScriptDirectory.from_config(alembic_config())
    order = [rev.revision for rev in script.walk_revisions()]  # newest first
    if backup_rev is not None and backup_rev not in order:
        raise BackupError(
            f"The backup is at migration {backup_rev}, which this version of eagov does not "
            "know: restore it with the version that made it (or a newer one)."
        )
    if present_rev is None or backup_rev == present_rev:
        return
    if backup_rev is None or order.index(present_rev) < order.index(backup_rev):
        raise BackupError(
            f"The database is at migration {present_rev}, newer than the backup's "
            f"({backup_rev or 'empty'}): restore into an empty database or one at "
            f"{backup_rev or 'no migration'}, then run `eagov db upgrade`."
        )


# --- SQLite ------------------------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """The online backup API: a consistent copy even while the app writes."""
    if not source.is_file():
        raise BackupError(f"The database file {source} does not exist.")
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


# --- PostgreSQL --------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore`` from PATH, else the newest under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_major, reverse=True)
    if candidates:
        return candidates[0]
    raise BackupError(f"{name} was not found (install the PostgreSQL client tools).")


def _major(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def _libpq(engine: Engine) -> tuple[str, list[str]]:
    """The libpq address of the engine's database, and a schema filter when the address
    pins a search_path (as the test databases do)."""
    url = engine.url.set(drivername="postgresql")
    options = unquote(str(url.query.get("options", "")))
    schemas = [opt.split("=", 1)[1] for opt in options.split() if opt.startswith("-csearch_path=")]
    return url.render_as_string(hide_password=False), [f"--schema={s}" for s in schemas]


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _pg_dump(engine: Engine, target: Path) -> None:
    address, schemas = _libpq(engine)
    _run([pg_tool("pg_dump"), "-Fc", "--no-owner", *schemas, "-f", str(target), address])


def _pg_restore(engine: Engine, dump: Path) -> None:
    address, _schemas = _libpq(engine)
    _run(
        [
            pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "-d",
            address,
            str(dump),
        ]
    )


# --- evidence ----------------------------------------------------------------------------------


def _replace_dir(source: Path, target: Path) -> None:
    """Swap the restored evidence in; the old folder is removed only once the new is there."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-restore-"))
    if source.is_dir():
        shutil.copytree(source, staged, dirs_exist_ok=True)
    old = target.with_name(f".{target.name}-old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(staged, target)
    shutil.rmtree(old, ignore_errors=True)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))
