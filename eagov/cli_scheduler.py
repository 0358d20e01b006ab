"""``eagov scheduler``: run the scheduler process, run its jobs once, show its state."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import select

from .cli_support import session


@click.group("scheduler", invoke_without_command=True, help="The reminder scheduler process.")
@click.pass_context
@with_appcontext
def scheduler_group(ctx: click.Context) -> None:
    """Without a sub-command: run the scheduler until SIGTERM/SIGINT (run exactly one per
    database; see docs/operations.md)."""
    if ctx.invoked_subcommand is not None:
        return
    from .scheduler import configure_logging, run_forever

    configure_logging()
    run_forever(current_app._get_current_object())  # type: ignore[attr-defined]


@scheduler_group.command("sweep-now")
@with_appcontext
def sweep_now() -> None:
    """Sweep for due reminders and deliver e-mail once, now (beside a running scheduler too:
    the job lease keeps the two from overlapping)."""
    from .scheduler import DELIVER, SWEEP, run_job

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for job in (SWEEP, DELIVER):
        outcome = run_job(app, job)
        if not outcome.ran:
            click.echo(f"{job}: skipped, another scheduler is running it.")
        elif outcome.error:
            raise click.ClickException(f"{job} failed: {outcome.error}")
        else:
            click.echo(f"{job}: {outcome.result}")


@scheduler_group.command("status")
@with_appcontext
def status() -> None:
    """When each job last ran, how it went, and who holds it now."""
    from .models.reminders import SchedulerState
    from .scheduler import JOBS

    with session() as s:
        rows = {r.job: r for r in s.exec(select(SchedulerState)).all()}
    for job in JOBS:
        row = rows.get(job)
        if row is None:
            click.echo(f"{job:<15} never ran")
            continue
        held = f" running in {row.lease_owner} until {row.lease_until}" if row.lease_owner else ""
        outcome = f"error: {row.last_error}" if row.last_error else f"result: {row.last_result}"
        click.echo(
            f"{job:<15} started {row.last_started_at} finished {row.last_finished_at} "
            f"{outcome}{held}"
        )
