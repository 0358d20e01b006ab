"""Backup and restore of the database and the evidence files, as one tar archive.

The archive holds ``manifest.json`` (format, database kind, migration revision, PostgreSQL
schema, time), ``database.sqlite3`` (SQLite, copied with the online backup API, so the app may
keep running) or ``database.pgdump`` (PostgreSQL, ``pg_dump -Fc`` of one schema), and
``evidence/`` (the uploaded files). A restore refuses an archive made by a newer version of
the schema than this code knows, and refuses to go back over a database whose schema is newer
than the archive's.

PostgreSQL: eagov keeps every table in one schema, the first existing one of the connection's
``search_path`` (``public`` by default, another when the URL sets libpq ``options``, a role or
database setting, or ``$user``). The server is asked for it (``current_schema()``) rather than
the URL parsed, because that is the schema the app really reads and writes. That schema, and
only it, is dumped (``pg_dump -n``): other schemas of the database belong to someone else.

``pg_restore`` writes every object under the schema name stored in the dump (the SQL it
emits is fully qualified and has no option to map names), and the target installation may use
another schema, perhaps next to the source schema in the same database. So the restore runs,
through ``psql`` in one transaction:

1. when the dump's schema S is not the target's schema T: rename a schema S of the target
   database, if there is one, out of the way, then rename T to S;
2. the dump, minus its schema entry (the schema exists: it is T, keeping its owner and
   grants), with ``--clean --if-exists`` so the objects already there are replaced;
3. rename S back to T, and the stepped-aside schema back to S.

Other sessions never see the intermediate names (catalog changes are transactional), any
failure rolls the whole of it back, and nothing but the names is rewritten: no text of the
dump is edited. Renaming needs the app's database user to own T (and the stepped-aside S).
Ownership and grants are not restored: the objects belong to the user the app connects as.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from glob import glob
from pathlib import Path
from uuid import uuid4

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Connection, Engine

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
    schema: str | None = None  # PostgreSQL: the schema that was dumped

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, **self.__dict__}, indent=2).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        raw = json.loads(data)
        if raw.get("format") != FORMAT:
            raise BackupError(f"Unknown backup format {raw.get('format')!r}.")
        return cls(
            raw["dialect"],
            raw["revision"],
            raw["created_at"],
            raw["evidence_files"],
            raw.get("schema"),
        )


def backup(engine: Engine, evidence_root: Path, target: Path) -> Manifest:
    """Write the archive to ``target`` (through a temporary file: never a partial archive)."""
    with engine.connect() as conn:
        revision = current_revision(conn)
        schema = _current_schema(conn) if engine.dialect.name == "postgresql" else None
    files = (
        sorted(p for p in evidence_root.rglob("*") if p.is_file()) if evidence_root.is_dir() else []
    )
    manifest = Manifest(
        engine.dialect.name,
        revision,
        datetime.now(UTC).isoformat(timespec="seconds"),
        len(files),
        schema,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".eagov-backup-") as work:
        dump = Path(work) / "dump"
        if manifest.dialect == "sqlite":
            _sqlite_copy(_sqlite_path(engine), dump)
            member = SQLITE_MEMBER
        elif manifest.dialect == "postgresql":
            _pg_dump(engine, schema or "public", dump)
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
        schema = _current_schema(conn) if manifest.dialect == "postgresql" else None
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
            # An archive without a schema predates the field: it is a dump of the whole
            # database, whose eagov tables are in public.
            source = manifest.schema or "public"
            _pg_restore(engine, Path(work) / PG_MEMBER, source, schema or "public")
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


def _current_schema(conn: Connection) -> str:
    """The schema the app's unqualified table names resolve to."""
    schema = conn.execute(sa.text("SELECT current_schema()")).scalar()
    if schema is None:
        path = conn.execute(sa.text("SHOW search_path")).scalar()
        raise BackupError(
            f"No schema of the search_path ({path}) exists in the database: create it first."
        )
    return str(schema)


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """The libpq address of the engine's database (with its query, so the same ``options``),
    and the environment for the tools: the password goes there, not on a command line that
    every user of the machine can read."""
    url = engine.url
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    address = URL.create(
        "postgresql", url.username, None, url.host, url.port, url.database, url.query
    )
    return address.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, capture_output=True, text=True, check=False, env=env)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def _quote(name: str) -> str:
    """``name`` as an SQL identifier, and as a pg_dump pattern that matches exactly it (in
    double quotes wildcards and case folding do not apply)."""
    return '"' + name.replace('"', '""') + '"'


def _pg_dump(engine: Engine, schema: str, target: Path) -> None:
    address, env = _libpq(engine)
    _run(
        [
            pg_tool("pg_dump"),
            "-Fc",
            "--no-owner",
            "-n",
            _quote(schema),
            "-f",
            str(target),
            address,
        ],
        env,
    )


# A line of ``pg_restore -l``: "<id>; <catalog oid> <oid> <kind> <schema> <name> <owner>". The
# schema itself, and a comment, grant or label on it, is left out of the restore: the target
# schema is already there.
_SCHEMA_ENTRY = re.compile(r"^\d+; \d+ \d+ (SCHEMA - |(COMMENT|ACL|SECURITY LABEL) - SCHEMA )")


def _pg_restore(engine: Engine, dump: Path, source: str, target: str) -> None:
    """Replace the objects of schema ``target`` with the dump of schema ``source`` (see the
    module docstring for the renames)."""
    address, env = _libpq(engine)
    restore_tool = pg_tool("pg_restore")
    # psql from the same installation understands what that pg_restore writes.
    psql = Path(restore_tool).with_name("psql")
    work = dump.parent
    toc = _run([restore_tool, "-l", str(dump)], env)
    (work / "toc.list").write_text(
        "".join(line for line in toc.splitlines(True) if not _SCHEMA_ENTRY.match(line))
    )
    _run(
        [
            restore_tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            "-n",
            source,
            "-L",
            str(work / "toc.list"),
            "-f",
            str(work / "restore.sql"),
            str(dump),
        ],
        env,
    )
    before: list[str] = []
    after: list[str] = []
    if source != target:
        with engine.connect() as conn:
            taken = conn.execute(
                sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :n"), {"n": source}
            ).first()
        if taken:
            aside = f"eagov_restore_{uuid4().hex}"
            before.append(f"ALTER SCHEMA {_quote(source)} RENAME TO {_quote(aside)};")
            after.append(f"ALTER SCHEMA {_quote(aside)} RENAME TO {_quote(source)};")
        before.append(f"ALTER SCHEMA {_quote(target)} RENAME TO {_quote(source)};")
        after.insert(0, f"ALTER SCHEMA {_quote(source)} RENAME TO {_quote(target)};")
    (work / "before.sql").write_text("\n".join(before) + "\n")
    (work / "after.sql").write_text("\n".join(after) + "\n")
    _run(
        [
            str(psql if psql.is_file() else pg_tool("psql")),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "--single-transaction",
            "-d",
            address,
            "-f",
            str(work / "before.sql"),
            "-f",
            str(work / "restore.sql"),
            "-f",
            str(work / "after.sql"),
        ],
        env,
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
