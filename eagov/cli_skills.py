"""`eagov skills ...`: the skills framework library."""

from __future__ import annotations

import click


@click.group("skills", help="The skills framework library.")
def skills_group() -> None:
    pass
