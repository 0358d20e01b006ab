"""`eagov org ...`: organisation templates and people import."""

from __future__ import annotations

import click


@click.group("org", help="Organisation structure.")
def org_group() -> None:
    pass
