"""`eagov maturity ...`: maturity model libraries."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlmodel import Session

from .cli_support import domain_call, import_file, session, write_text
from .permissions import SYSTEM


@click.group("maturity", help="Maturity model libraries.")
def maturity_group() -> None:
    pass


@maturity_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def maturity_import(file: str) -> None:
    """Import one version of a maturity model from a YAML file."""
    from .services.maturity_models import import_model

    model = import_file(file, lambda s, data: import_model(s, SYSTEM, data))
    click.echo(f"Imported {model.key} version {model.version}.")


@maturity_group.command("list")
@with_appcontext
def maturity_list() -> None:
    """Every imported model version, newest first within each model."""
    from .services.maturity_models import element_counts, list_models

    with session() as s:
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
    from .services.maturity_models import export_model, find_model

    def export(s: Session) -> tuple[str, str]:
        model = find_model(s, SYSTEM, key, version)
        assert model.id is not None
        return model.version, export_model(s, SYSTEM, model.id)

    found_version, text = domain_call(export)
    write_text(text, output, f"Wrote {key} version {found_version} to {output}.")
