"""`eagov org ...`: organisation templates and people import."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlmodel import select

from .cli_support import session
from .permissions import SYSTEM


@click.group("org", help="Organisation structure.")
def org_group() -> None:
    pass


@org_group.command("templates")
def list_templates() -> None:
    """List the org structure templates that ship with eagov."""
    from .services.org_templates import TemplateError
    from .services.org_templates import list_templates as load_all

    try:
        templates = load_all()
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from exc
    for t in templates:
        click.echo(
            f"{t.id:<28} v{t.version}  {t.unit_count:>3} units  "
            f"{t.position_count:>3} positions  {t.name.en}"
        )


@org_group.command("apply-template")
@click.argument("name")
@click.option("--under", "under_code", default=None, help="Code of the unit to place it under.")
@click.option(
    "--locale",
    type=click.Choice(["en", "zh_Hans"]),
    default="en",
    show_default=True,
    help="Language of the unit names and position texts.",
)
@with_appcontext
def apply_template(name: str, under_code: str | None, locale: str) -> None:
    """Create the units and positions of template NAME (see `eagov org templates`)."""
    from .errors import DomainError, Invalid
    from .models import OrgUnit
    from .services.org_templates import TemplateError
    from .services.org_templates import apply_template as apply

    with session() as s:
        under_id = None
        if under_code:
            under_id = s.exec(select(OrgUnit.id).where(OrgUnit.code == under_code)).first()
            if under_id is None:
                raise click.ClickException(f"There is no unit with the code {under_code!r}.")
        try:
            result = apply(s, SYSTEM, name, under_unit_id=under_id, locale=locale)
        except Invalid as exc:
            details = "; ".join(f"{k}: {v}" for k, v in exc.errors.items())
            raise click.ClickException(f"{exc.detail} {details}".strip()) from exc
        except (DomainError, TemplateError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Applied template {name}: {len(result.unit_ids)} units, "
        f"{len(result.position_ids)} positions created."
    )


@org_group.command("import-people")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_people(file: Path) -> None:
    """Create the people listed in FILE (CSV: name, email, org_unit_code, phone).

    Every row is checked first; if any row is wrong nothing is imported and each problem
    is listed with its row number (the header is row 1).
    """
    from .services.people_import import ImportRejected
    from .services.people_import import import_people as run

    with session() as s:
        try:
            created = run(s, SYSTEM, file.read_bytes())
        except ImportRejected as exc:
            for err in exc.row_errors:
                where = f"row {err.row}" if err.row else "file"
                column = f", {err.column}" if err.column else ""
                value = f" [{err.value}]" if err.value else ""
                click.echo(f"{file.name}: {where}{column}: {err.message}{value}", err=True)
            raise click.ClickException(str(exc.detail)) from exc
    click.echo(f"Imported {len(created)} people from {file.name}.")
