"""Checklist libraries: import a versioned YAML file, list, read, export."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from ..errors import Conflict, NotFound
from ..models import ChecklistCategory, ChecklistItem, ChecklistLibrary
from ..permissions import Actor, require
from ..schemas.checklists import LibraryFile
from ..yaml_source import parse
from . import audit
from .common import commit, flush


def import_library(session: Session, actor: Actor, source: str | bytes) -> ChecklistLibrary:
    """Store one version of a library. Versions already imported are refused; a newer version
    is stored beside the older ones, so reviews keep the version they were tailored from."""
    require(actor, "checklists.manage")
    data = parse(source, LibraryFile)
    text = source.decode("utf-8-sig") if isinstance(source, bytes) else source
    exists = session.exec(
        select(ChecklistLibrary.id).where(
            ChecklistLibrary.identifier == data.identifier,
            ChecklistLibrary.version == data.version,
        )
    ).first()
    if exists is not None:
        raise Conflict(
            _l(
                "Version %(version)s of library %(identifier)s is already imported.",
                version=data.version,
                identifier=data.identifier,
            )
        )
    library = ChecklistLibrary(
        identifier=data.identifier,
        version=data.version,
        languages=list(data.languages),
        title=_texts(data.title),
        description=_texts(data.description),
        source=text,
        imported_by_id=actor.user_id,
    )
    session.add(library)
    flush(session)
    assert library.id is not None
    count = 0
    for c_pos, category in enumerate(data.categories, start=1):
        row = ChecklistCategory(
            library_id=library.id, key=category.key, position=c_pos, title=_texts(category.title)
        )
        session.add(row)
        flush(session)
        assert row.id is not None
        for i_pos, item in enumerate(category.items, start=1):
            session.add(
                ChecklistItem(
                    library_id=library.id,
                    category_id=row.id,
                    reference=item.reference,
                    position=i_pos,
                    weight=item.weight,
                    question=_texts(item.question),
                    guidance=_texts(item.guidance),
                    principle=_texts(item.principle),
                )
            )
            count += 1
    flush(session)
    audit.record(
        session,
        actor,
        "import",
        "checklist_library",
        library.id,
        {"identifier": data.identifier, "version": data.version, "items": count},
    )
    commit(session)
    return library


def list_libraries(session: Session, actor: Actor) -> list[ChecklistLibrary]:
    """Every imported version, newest first within each library."""
    require(actor, "checklists.read")
    rows = session.exec(select(ChecklistLibrary)).all()
    return sorted(
        rows,
        key=lambda lib: (lib.identifier, tuple(-int(p) for p in lib.version.split("."))),
    )


def get_library(
    session: Session, actor: Actor, identifier: str, version: str | None = None
) -> ChecklistLibrary:
    """A given version, or the newest one."""
    require(actor, "checklists.read")
    candidates = [lib for lib in list_libraries(session, actor) if lib.identifier == identifier]
    if version is not None:
        candidates = [lib for lib in candidates if lib.version == version]
    if not candidates:
        raise NotFound(_l("There is no checklist library %(identifier)s.", identifier=identifier))
    return candidates[0]


def contents(
    session: Session, library_id: int
) -> list[tuple[ChecklistCategory, list[ChecklistItem]]]:
    categories = session.exec(
        select(ChecklistCategory)
        .where(ChecklistCategory.library_id == library_id)
        .order_by(col(ChecklistCategory.position))
    ).all()
    items = session.exec(
        select(ChecklistItem)
        .where(ChecklistItem.library_id == library_id)
        .order_by(col(ChecklistItem.position))
    ).all()
    by_category: dict[int, list[ChecklistItem]] = {}
    for item in items:
        by_category.setdefault(item.category_id, []).append(item)
    return [(c, by_category.get(c.id or 0, [])) for c in categories]


def export_library(session: Session, actor: Actor, library_id: int) -> str:
    """The YAML of a library version, exactly as imported."""
    require(actor, "checklists.read")
    library = session.get(ChecklistLibrary, library_id)
    if library is None:
        raise NotFound(_l("There is no checklist library with the id %(id)s.", id=library_id))
    return library.source


def _texts(texts: dict[Any, str]) -> dict[str, str]:
    return {str(lang): text for lang, text in texts.items()}
