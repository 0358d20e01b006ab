"""Building blocks every service uses: load-or-404, version checks, audited writes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel, select

from ..errors import Conflict, Message, NotFound
from ..labels import ENTITY_LABELS
from ..permissions import Actor
from . import audit

M = TypeVar("M", bound=SQLModel)
_STALE = _l("Someone else changed this record meanwhile. Reload and retry.")


def entity_name(model: type[SQLModel] | SQLModel) -> str:
    return str(model.__tablename__)


def entity_text(model: type[SQLModel] | SQLModel) -> Message:
    """The record type for a message (translated when shown), e.g. "org unit"."""
    name = entity_name(model)
    return ENTITY_LABELS.get(name, name.replace("_", " "))


def get_or_404(session: Session, model: type[M], ident: Any) -> M:
    obj = session.get(model, ident)
    if obj is None:
        raise NotFound(
            _l("There is no %(entity)s with the id %(id)s.", entity=entity_text(model), id=ident)
        )
    return obj


def check_version(obj: SQLModel, expected: int | None) -> None:
    """Refuse an edit made against an older copy of the row."""
    current = getattr(obj, "version", None)
    if expected is not None and current is not None and expected != current:
        raise Conflict(
            _l(
                "Someone else changed this %(entity)s (you edited version %(yours)s, it is "
                "now version %(current)s). Reload to see their changes.",
                entity=entity_text(obj),
                yours=expected,
                current=current,
            ),
            current_version=current,
        )


_DEFERRED = "eagov.deferred_commit"


@contextmanager
def one_transaction(session: Session) -> Iterator[None]:
    """Run several use cases as one: inside the block their commits only flush; the whole is
    committed when the block ends, or rolled back when anything in it fails. A board decision
    uses it to apply its effect (approve a contract, grant a dispensation) together with the
    decision record."""
    depth = session.info.get(_DEFERRED, 0)
    session.info[_DEFERRED] = depth + 1
    try:
        yield
    except BaseException:
        session.info[_DEFERRED] = depth
        if depth == 0:
            session.rollback()
        raise
    session.info[_DEFERRED] = depth
    if depth == 0:
        commit(session)


def deferred(session: Session) -> bool:
    return bool(session.info.get(_DEFERRED))


def commit(session: Session) -> None:
    """Commit, turning lost races and constraint violations into Conflicts. Inside
    ``one_transaction`` this only flushes."""
    if deferred(session):
        flush(session)
        return
    try:
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise Conflict(_STALE) from exc
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(_integrity_message(exc)) from exc


def _integrity_message(exc: IntegrityError) -> Message:
    text = str(exc.orig).lower()
    if "unique" in text or "duplicate" in text:
        return _l("A record with the same unique value already exists.")
    if "foreign key" in text:
        return _l(
            "This record is still referenced by others, or refers to one that does not exist."
        )
    return _l("The change breaks a data rule and was not saved.")


def add_numbered(
    session: Session, model: type[M], year: int, build: Callable[[int], M], attempts: int = 5
) -> M:
    """Add a row numbered within its year (the year's highest number plus one). A number
    another writer took meanwhile is retried with the next one; inside ``one_transaction``
    a retry would lose the other work of the block, so the race is a Conflict instead."""
    column: Any = model.number  # type: ignore[attr-defined]
    year_column: Any = model.year  # type: ignore[attr-defined]
    for attempt in range(attempts):
        number = (session.exec(select(func.max(column)).where(year_column == year)).one() or 0) + 1
        obj = build(number)
        session.add(obj)
        try:
            session.flush()
        except IntegrityError as exc:
            session.rollback()
            if deferred(session) or attempt == attempts - 1:
                raise Conflict(_l("Someone else saved a record at the same time. Retry.")) from exc
            continue
        return obj
    raise AssertionError("unreachable")


def flush(session: Session) -> None:
    """Flush, with the same translation of races and constraint violations as ``commit``."""
    try:
        session.flush()
    except StaleDataError as exc:
        session.rollback()
        raise Conflict(_STALE) from exc
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(_integrity_message(exc)) from exc


def create(session: Session, actor: Actor, obj: M, *, action: str = "create") -> M:
    session.add(obj)
    flush(session)
    audit.record(session, actor, action, entity_name(obj), obj.id, audit.snapshot(obj))  # type: ignore[attr-defined]
    commit(session)
    return obj


def update(
    session: Session,
    actor: Actor,
    obj: M,
    values: dict[str, Any],
    expected_version: int | None,
    *,
    action: str = "update",
) -> M:
    check_version(obj, expected_version)
    before = audit.snapshot(obj)
    for key, value in values.items():
        setattr(obj, key, value)
    changes = audit.diff(before, audit.snapshot(obj))
    if not changes:
        return obj
    session.add(obj)
    flush(session)
    audit.record(session, actor, action, entity_name(obj), obj.id, changes)  # type: ignore[attr-defined]
    commit(session)
    return obj


def delete(
    session: Session, actor: Actor, obj: SQLModel, expected_version: int | None = None
) -> None:
    stage_delete(session, actor, obj, expected_version)
    commit(session)


def stage_delete(
    session: Session, actor: Actor, obj: SQLModel, expected_version: int | None = None
) -> None:
    """Delete and audit without committing, for use cases that remove several rows at once."""
    check_version(obj, expected_version)
    ident = obj.id  # type: ignore[attr-defined]
    before = audit.snapshot(obj)
    session.delete(obj)
    flush(session)
    audit.record(session, actor, "delete", entity_name(obj), ident, before)
