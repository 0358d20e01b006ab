"""What every `eagov` command group shares: a session, importing a YAML library file with
its errors reported line by line, and writing a text result to a file or standard output."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
from sqlmodel import Session

T = TypeVar("T")


def session() -> Session:
    from .db import engine

    return Session(engine(), expire_on_commit=False)


def import_file(file: str, importer: Callable[[Session, bytes], T]) -> T:
    """Run ``importer`` on the file's bytes; a refused file prints every error with its line
    and exits with status 1, any other refusal is a click error."""
    from .errors import DomainError
    from .yaml_source import SourceInvalid

    with session() as s:
        try:
            return importer(s, Path(file).read_bytes())
        except SourceInvalid as exc:
            for err in exc.source_errors:
                click.echo(f"{file}: {err}", err=True)
            sys.exit(1)
        except DomainError as exc:
            raise click.ClickException(str(exc.detail)) from exc


def domain_call(action: Callable[[Session], T]) -> T:
    """Run ``action`` in a session; a domain refusal becomes a click error."""
    from .errors import DomainError

    with session() as s:
        try:
            return action(s)
        except DomainError as exc:
            raise click.ClickException(str(exc.detail)) from exc


def write_text(text: str, output: str | None, done: str) -> None:
    """Write ``text`` to ``output`` (then say ``done``) or to standard output."""
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(done)
    else:
        click.echo(text, nl=False)
