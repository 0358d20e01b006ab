"""`eagov skills ...`: the skills framework library."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from .permissions import SYSTEM


@click.group("skills", help="The skills framework library.")
def skills_group() -> None:
    pass


@skills_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def skills_import(file: str) -> None:
    """Import one version of a skills framework from a YAML file; it becomes the one in use."""
    from .cli import _session
    from .errors import DomainError
    from .services.skill_frameworks import import_framework
    from .yaml_source import SourceInvalid

    with _session() as s:
        try:
            framework = import_framework(s, SYSTEM, Path(file).read_bytes())
        except SourceInvalid as exc:
            for err in exc.source_errors:
                click.echo(f"{file}: {err}", err=True)
            sys.exit(1)
        except DomainError as exc:
            raise click.ClickException(str(exc.detail)) from exc
    click.echo(f"Imported {framework.key} version {framework.version}; it is now in use.")


@skills_group.command("list")
@with_appcontext
def skills_list() -> None:
    """Every imported framework version; the one in use is marked with *."""
    from .cli import _session
    from .services.skill_frameworks import list_frameworks

    with _session() as s:
        rows = list_frameworks(s, SYSTEM)
        if not rows:
            click.echo("No skills framework imported.")
        for i, fw in enumerate(rows):
            mark = "*" if i == 0 else " "
            click.echo(f"{mark} {fw.key}  {fw.version}  {fw.name.get('en', '')}")


@skills_group.command("export")
@click.option("--version", "version", default=None, help="Default: the framework in use.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None)
@with_appcontext
def skills_export(version: str | None, output: str | None) -> None:
    """Write a framework version, with its role profiles as they are now, to YAML
    (standard output by default)."""
    from .cli import _session
    from .errors import DomainError
    from .services.skill_frameworks import export_framework, get_framework

    with _session() as s:
        try:
            framework = get_framework(s, SYSTEM, version)
            text = export_framework(s, SYSTEM, framework.id)  # type: ignore[arg-type]
        except DomainError as exc:
            raise click.ClickException(str(exc.detail)) from exc
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {framework.key} version {framework.version} to {output}.")
    else:
        click.echo(text, nl=False)
