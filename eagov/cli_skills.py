"""`eagov skills ...`: the skills framework library."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlmodel import Session

from .cli_support import domain_call, import_file, session, write_text
from .permissions import SYSTEM


@click.group("skills", help="The skills framework library.")
def skills_group() -> None:
    pass


@skills_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def skills_import(file: str) -> None:
    """Import one version of a skills framework from a YAML file; it becomes the one in use."""
    from .services.skill_frameworks import import_framework

    framework = import_file(file, lambda s, data: import_framework(s, SYSTEM, data))
    click.echo(f"Imported {framework.key} version {framework.version}; it is now in use.")


@skills_group.command("list")
@with_appcontext
def skills_list() -> None:
    """Every imported framework version; the one in use is marked with *."""
    from .services.skill_frameworks import list_frameworks

    with session() as s:
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
    from .services.skill_frameworks import export_framework, get_framework

    def export(s: Session) -> tuple[str, str]:
        framework = get_framework(s, SYSTEM, version)
        text = export_framework(s, SYSTEM, framework.id)  # type: ignore[arg-type]
        return f"{framework.key} version {framework.version}", text

    what, text = domain_call(export)
    write_text(text, output, f"Wrote {what} to {output}.")
