"""`eagov maturity ...`: maturity model libraries."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlmodel import Session

from .permissions import SYSTEM


def _session() -> Session:
    from .db import engine

    return Session(engine(), expire_on_commit=False)


@click.group("maturity", help="Maturity model libraries.")
def maturity_group() -> None:
    pass


@maturity_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def maturity_import(file: str) -> None:
    """Import one version of a maturity model from a YAML file."""
    from .errors import DomainError
    from .services.maturity_models import import_model
    from .yaml_source import SourceInvalid

    with _session() as s:
        try:
            model = import_model(s, SYSTEM, Path(file).read_bytes())
        except SourceInvalid as exc:
            for err in exc.source_errors:
                click.echo(f"{file}: {err}", err=True)
            sys.exit(1)
        except DomainError as exc:
            raise click.ClickException(str(exc.detail)) from exc
    click.echo(f"Imported {model.key} version {model.version}.")


@maturity_group.command("list")
@with_appcontext
def maturity_list() -> None:
    """Every imported model version, newest first within each model."""
    from .services.maturity_models import element_counts, list_models

    with _session() as s:
        models = list_models(s, SYSTEM)
        counts = element_counts(s, [m.id for m in models if m.id is not None])
        for m in models:
            click.echo(
                f"{m.key}  {m.version}  {m.method}  {counts.get(m.id or 0, 0)} elements"
                f"  {m.name.get('en', '')}"
            )


@maturity_group.command("export")
@click.argument("key")
@click.option("--version", "version", default=None, help="Default: the newest version.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None)
@with_appcontext
def maturity_export(key: str, version: str | None, output: str | None) -> None:
    """Write a model version as YAML in the import format (standard output by default)."""
    from .errors import DomainError
    from .services.maturity_models import export_model, find_model

    with _session() as s:
        try:
            model = find_model(s, SYSTEM, key, version)
            assert model.id is not None
            text = export_model(s, SYSTEM, model.id)
        except DomainError as exc:
            raise click.ClickException(str(exc.detail)) from exc
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {key} version {model.version} to {output}.")
    else:
        click.echo(text, nl=False)
