"""`eagov export ...`: reports written to files."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from .cli_support import session, write_atomic
from .permissions import SYSTEM


@click.group("export", help="Reports written to files.")
def export_group() -> None:
    pass


@export_group.command("maturity")
@click.argument("assessment_id", type=click.IntRange(min=1))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["docx", "xlsx", "csv", "json"]),
    default="docx",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Default: the report's own name (e.g. MA-2026-001-maturity-report.docx) here.",
)
@click.option("--locale", type=click.Choice(["en", "zh_Hans"]), default="en", show_default=True)
@with_appcontext
def export_maturity(assessment_id: int, fmt: str, output: str | None, locale: str) -> None:
    """Write the maturity report of assessment ASSESSMENT_ID (an unpublished assessment is
    written with a DRAFT mark)."""
    from .errors import DomainError
    from .exports import maturity_exports as mx

    with session() as s:
        try:
            report = mx.load_report(s, SYSTEM, assessment_id)
            data, _mimetype, name = mx.render(report, fmt, locale=locale)
        except DomainError as exc:
            raise click.ClickException(str(exc.detail)) from exc
    target = Path(output or name)
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise click.ClickException(f"Could not write {target}: {exc.strerror or exc}") from exc
    draft = " (DRAFT)" if report.draft else ""
    click.echo(f"Wrote {report.results.assessment.reference}{draft} to {target}.")
