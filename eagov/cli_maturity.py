"""`eagov maturity ...`: maturity model libraries."""

from __future__ import annotations

import click


@click.group("maturity", help="Maturity model libraries.")
def maturity_group() -> None:
    pass
