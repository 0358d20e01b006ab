"""`eagov backup FILE` and `eagov restore FILE`: the database and the evidence files."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import Engine


def _targets() -> tuple[Engine, Path]:
    from .db import engine
    from .uploads import upload_root

    return engine(), upload_root()


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write the database and the evidence files to FILE (a tar archive). Safe while the
    app runs: SQLite is copied with its online backup API, PostgreSQL's schema in use with
    pg_dump."""
    from .backup import BackupError, backup

    eng, evidence = _targets()
    try:
        manifest = backup(eng, evidence, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    schema = f"schema {manifest.schema}, " if manifest.schema else ""
    click.echo(
        f"Backed up the {manifest.dialect} database ({schema}migration "
        f"{manifest.revision or 'none'}) and {manifest.evidence_files} evidence files to {file}."
    )


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(file: Path, yes: bool) -> None:
    """Replace the database and the evidence files with the backup in FILE. Stop the app
    and the scheduler first."""
    from .backup import BackupError, restore

    if not yes:
        click.confirm(
            "This replaces every row of the database and every evidence file. Go on?",
            abort=True,
        )
    eng, evidence = _targets()
    try:
        manifest = restore(eng, evidence, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Restored the backup of {manifest.created_at} (migration {manifest.revision or 'none'},"
        f" {manifest.evidence_files} evidence files)."
    )
