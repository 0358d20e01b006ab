"""What every `eagov` command group shares: a session, importing a YAML library file with
its errors reported line by line, and writing a text result to a file or standard output."""

from __future__ import annotations

import os
import sys
import tempfile
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
        write_atomic(Path(output), text.encode("utf-8"))
        click.echo(done)
    else:
        click.echo(text, nl=False)


def write_atomic(target: Path, data: bytes) -> None:
    """Write to a temporary file beside ``target`` and rename it: a failure part-way leaves
    neither a partial ``target`` nor the temporary file."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as a plain open() would (mkstemp makes it 0600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
