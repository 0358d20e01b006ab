"""The ``eagov`` command: the Flask CLI of the app plus our own groups."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlmodel import Session, select

from .cli_support import domain_call, import_file, session, write_text
from .permissions import SYSTEM


def _create() -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create, add_default_commands=True)
def main() -> None:
    """eagov: architecture governance repository."""


def register(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(user_group)
    app.cli.add_command(token_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(demo_group)

    from .cli_org import org_group

    app.cli.add_command(org_group)
    app.cli.add_command(contracts_group)
    app.cli.add_command(library_group)
    app.cli.add_command(dispensations_group)

    from .cli_export import export_group
    from .cli_maturity import maturity_group
    from .cli_skills import skills_group

    app.cli.add_command(maturity_group)
    app.cli.add_command(skills_group)
    app.cli.add_command(export_group)

    from .cli_scheduler import scheduler_group

    app.cli.add_command(scheduler_group)

    from .cli_backup import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)

    from .cli_bench import bench_command

    app.cli.add_command(bench_command)


# --- db ------------------------------------------------------------------------------------


@click.group("db", help="Database migrations.")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    from alembic import command

    from .migrations_info import alembic_config

    command.upgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)
    click.echo(f"Database at {revision}.")


@db_group.command("downgrade")
@click.argument("revision", default="-1")
@with_appcontext
def db_downgrade(revision: str) -> None:
    from alembic import command

    from .migrations_info import alembic_config

    command.downgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)
    click.echo(f"Database at {revision}.")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    from .db import engine
    from .migrations_info import current_revision, head_revision

    with engine().connect() as conn:
        rev = current_revision(conn)
    head = head_revision()
    click.echo(f"{rev or '(empty)'}{' (head)' if rev == head else f' (head is {head})'}")


# --- users and tokens ------------------------------------------------------------------------


@click.group("user", help="User accounts.")
def user_group() -> None:
    pass


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--name", default=None, help="Display name (default: the e-mail's local part).")
@click.option("--role", "roles", multiple=True, required=True, help="Repeat for several roles.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def user_create(email: str, name: str | None, roles: tuple[str, ...], password_stdin: bool) -> None:
    from pydantic import ValidationError

    from .errors import Invalid, field_errors
    from .schemas.accounts import UserCreate
    from .services import accounts

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        data = UserCreate(
            email=email, name=name or email.split("@")[0], roles=list(roles), password=password
        )
        with session() as s:
            user, invite = accounts.create_user(s, SYSTEM, data)
    except ValidationError as exc:
        raise click.ClickException(_fmt(field_errors(exc))) from exc
    except Invalid as exc:
        raise click.ClickException(_fmt(exc.errors) or str(exc.detail)) from exc
    click.echo(f"Created user {user.email} (id {user.id}).")
    if invite:
        click.echo(f"Invitation link: {current_app.config['BASE_URL']}/invite/{invite}")


def _fmt(errors: dict[str, str]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in errors.items())


@click.group("token", help="Personal API tokens.")
def token_group() -> None:
    pass


@token_group.command("create")
@click.argument("email")
@click.option("--name", default="cli", show_default=True)
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 3650))
@with_appcontext
def token_create(email: str, name: str, days: int) -> None:
    from .models import User
    from .schemas.accounts import TokenCreate
    from .services import accounts

    with session() as s:
        user = s.exec(select(User).where(User.email == email.lower())).first()
        if user is None:
            raise click.ClickException(f"No user with e-mail {email}.")
        _tok, secret = accounts.create_token(
            s, SYSTEM, TokenCreate(name=name, expires_in_days=days), user_id=user.id
        )
    click.echo(secret)


# --- audit -----------------------------------------------------------------------------------


@click.group("audit", help="The audit trail.")
def audit_group() -> None:
    pass


@audit_group.command("verify")
@click.option(
    "--anchor",
    default=None,
    help="A tip hash printed by an earlier run: also proves the chain was not cut back since.",
)
@with_appcontext
def audit_verify(anchor: str | None) -> None:
    """Check the whole hash chain; exit 1 and name the first broken event if it was tampered."""
    from .services.audit import verify_chain

    with session() as s:
        report = verify_chain(s, anchor=anchor)
    if report.ok:
        click.echo(f"OK: {report.checked} events, chain intact. Tip: {report.tip}")
        return
    click.echo(f"BROKEN after {report.checked} good events: {report.problem}", err=True)
    sys.exit(1)


# --- demo ------------------------------------------------------------------------------------


@click.group("demo", help="Demonstration data.")
def demo_group() -> None:
    pass


@demo_group.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@with_appcontext
def demo_load(if_empty: bool) -> None:
    from .demo import DEMO_PASSWORD, load_demo
    from .models import User

    with session() as s:
        if if_empty and s.exec(select(User.id)).first() is not None:
            click.echo("The database already has data; demo data not loaded.")
            return
        logins = load_demo(s)
    click.echo(f"Demo data loaded. Sign in at {current_app.config['BASE_URL']} with one of:")
    for role, email in logins:
        click.echo(f"  {role:<20} {email:<34} password: {DEMO_PASSWORD}")


# --- contracts -------------------------------------------------------------------------------


@click.group("contracts", help="Architecture contracts.")
def contracts_group() -> None:
    pass


@contracts_group.command("expire-due")
@with_appcontext
def contracts_expire_due() -> None:
    """Mark active contracts whose time window has ended as expired (run daily)."""
    from .services.contracts import expire_due

    with session() as s:
        refs = expire_due(s, SYSTEM)
    click.echo(f"Expired: {', '.join(refs)}" if refs else "No contract has passed its end date.")


# --- checklist libraries -----------------------------------------------------------------------


@click.group("library", help="Checklist libraries for compliance reviews.")
def library_group() -> None:
    pass


@library_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def library_import(file: str) -> None:
    """Import one version of a checklist library from a YAML file."""
    from .services.checklists import import_library

    library = import_file(file, lambda s, data: import_library(s, SYSTEM, data))
    click.echo(f"Imported {library.identifier} version {library.version}.")


@library_group.command("list")
@with_appcontext
def library_list() -> None:
    """Every imported library version."""
    from .services.checklists import list_libraries

    with session() as s:
        for lib in list_libraries(s, SYSTEM):
            click.echo(f"{lib.identifier}  {lib.version}  {lib.title.get('en', '')}")


@library_group.command("export")
@click.argument("identifier")
@click.option("--version", "version", default=None, help="Default: the newest version.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None)
@with_appcontext
def library_export(identifier: str, version: str | None, output: str | None) -> None:
    """Write a library version back to YAML (standard output by default)."""
    from .services.checklists import export_library, get_library

    def export(s: Session) -> tuple[str, str]:
        library = get_library(s, SYSTEM, identifier, version)
        return library.version, export_library(s, SYSTEM, library.id)  # type: ignore[arg-type]

    found_version, text = domain_call(export)
    write_text(text, output, f"Wrote {identifier} version {found_version} to {output}.")


# --- dispensations -------------------------------------------------------------------------------


@click.group("dispensations", help="Dispensations (waivers) of compliance reviews.")
def dispensations_group() -> None:
    pass


@dispensations_group.command("expire-due")
@with_appcontext
def dispensations_expire_due() -> None:
    """Expire granted dispensations past their date; each expiry requests a new review."""
    from .services.dispensations import expire_due

    with session() as s:
        refs = expire_due(s, SYSTEM)
    click.echo(f"Expired: {', '.join(refs)}" if refs else "No dispensation has passed its expiry.")
