"""`eagov export ...`: reports written to files."""

from __future__ import annotations

import click


@click.group("export", help="Reports written to files.")
def export_group() -> None:
    pass
