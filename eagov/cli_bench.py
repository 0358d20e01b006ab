"""``eagov bench``: the benchmark suite (eagov/bench), written up in docs/performance.md."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("bench")
@click.option("--scale", type=float, default=None, help="One scale factor (default 1).")
@click.option(
    "--scales", default=None, help="Comma-separated scale factors, e.g. 1,10 (latency growth)."
)
@click.option("--compare", type=float, default=None, help="A second scale: --scale 1 --compare 10.")
@click.option(
    "--only",
    multiple=True,
    type=click.Choice(["pages", "audit", "docx", "sweep"]),
    help="Run only these measures (repeatable).",
)
@click.option(
    "--out", type=click.Path(dir_okay=False), default=None, help="Markdown file to update."
)
@click.option("--database-url", default=None, help="Generate into this (empty) database instead.")
@click.option("--seconds", type=float, default=3.0, show_default=True, help="Per throughput test.")
@click.option("--json-out", type=click.Path(dir_okay=False), default=None, help="Raw numbers.")
def bench_command(
    scale: float | None,
    scales: str | None,
    compare: float | None,
    only: tuple[str, ...],
    out: str | None,
    database_url: str | None,
    seconds: float,
    json_out: str | None,
) -> None:
    """Generate synthetic data at scale factors in a fresh database and measure pages, API
    lists, SQL statements, the Word document, audit verification and the reminder sweep."""
    from .bench import runner

    if scales:
        factors = [float(x) for x in scales.split(",") if x.strip()]
    else:
        factors = [scale if scale is not None else 1.0]
        if compare is not None:
            factors.append(compare)
    if database_url and len(factors) > 1:
        raise click.UsageError("--database-url takes one scale (the database must be empty).")
    result = runner.run(
        factors, only=set(only) or None, database_url=database_url, seconds=seconds, log=click.echo
    )
    click.echo(runner.render(result))
    if out:
        runner.write(result, Path(out))
        click.echo(f"Updated {out}.")
    if json_out:
        Path(json_out).write_text(json.dumps(runner.summary(result), indent=2, default=str))
