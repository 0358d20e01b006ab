"""Checklist libraries for compliance reviews: import a version (YAML), list, read, export."""

from __future__ import annotations

from flask import Response, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field
from sqlmodel import select

from ..auth import current_actor
from ..db import get_session
from ..errors import Invalid, NotFound
from ..models import ChecklistLibrary
from ..permissions import require
from ..schemas.api_read import (
    ChecklistCategoryRead,
    ChecklistItemRead,
    ChecklistLibraryDetail,
    ChecklistLibraryRead,
    Page,
)
from ..schemas.common import Schema
from ..services import checklists as svc
from ..web.pagination import Page as ListPage
from . import bp
from .listing import ListQuery, ordered, page_of, sort_by
from .responses import attachment, read_from, respond, respond_page
from .spec import endpoint

TAG = "Checklist libraries"
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
YAML = "application/yaml"


def library_detail(library_id: int) -> ChecklistLibraryDetail:
    session, actor = get_session(), current_actor()
    require(actor, "checklists.read")
    library = session.get(ChecklistLibrary, library_id)
    if library is None:
        raise NotFound(_l("There is no checklist library with the id %(id)s.", id=library_id))
    categories = [
        read_from(
            ChecklistCategoryRead,
            category,
            items=[ChecklistItemRead.model_validate(item) for item in items],
        )
        for category, items in svc.contents(session, library_id)
    ]
    return read_from(ChecklistLibraryDetail, library, categories=categories)


class LibraryQuery(ListQuery):
    sort: str = sort_by("identifier", "imported_at", "id", default="identifier")


@endpoint(
    bp,
    "/checklist-libraries",
    summary="List checklist library versions",
    tag=TAG,
    query=LibraryQuery,
    response=Page[ChecklistLibraryRead],
)
def list_checklist_libraries(query: LibraryQuery) -> Response:
    """Every imported version. Sorted by identifier, the newest version of each library comes
    first (versions compare as numbers: 1.10.0 is newer than 1.9.0)."""
    session, actor = get_session(), current_actor()
    if query.sort.lstrip("-") == "identifier":
        rows = svc.list_libraries(session, actor)
        if query.sort.startswith("-"):
            rows = sorted(rows, key=lambda lib: lib.identifier, reverse=True)  # stable
        per_page = min(query.per_page, current_app.config["MAX_PAGE_SIZE"])
        start = (query.page - 1) * per_page
        page = ListPage(rows[start : start + per_page], len(rows), query.page, per_page)
        return respond_page(page, lambda lib: read_from(ChecklistLibraryRead, lib))
    require(actor, "checklists.read")
    stmt = ordered(select(ChecklistLibrary), ChecklistLibrary, query.sort)
    return respond_page(
        page_of(session, stmt, query), lambda lib: read_from(ChecklistLibraryRead, lib)
    )


class LibraryUpload(Schema):
    """The library file as the part named ``file`` of a multipart/form-data body; or send the
    file itself as the body, with Content-Type application/yaml."""

    file: bytes = Field(description="The YAML file, format eagov-checklist/1, UTF-8.")


@endpoint(
    bp,
    "/checklist-libraries",
    method="POST",
    summary="Import a checklist library version",
    tag=TAG,
    response=ChecklistLibraryDetail,
    status=201,
    form=LibraryUpload,
    raw_types=YAML_TYPES,
)
def import_checklist_library() -> Response:
    """Send the file in the format eagov-checklist/1 as the raw body with Content-Type
    application/yaml (or application/x-yaml, text/yaml), or as the part named file of a
    multipart/form-data body. Other media types are refused with 415. A file that is not
    valid YAML or breaks the format is refused with 422: each key of errors names the line
    and the field (e.g. "line 42, categories.1.items.0.weight"). A version of a library
    that is already imported is a 409: publish a newer version instead. Needs a review
    co-ordinator or an administrator."""
    if request.mimetype in YAML_TYPES:
        data = request.get_data()
    else:  # multipart (the endpoint refuses anything else)
        upload = request.files.get("file")
        if upload is None:
            raise Invalid(errors={"file": _l("Send the file as the form part named file.")})
        data = upload.stream.read()
    library = svc.import_library(get_session(), current_actor(), data)
    assert library.id is not None
    location = url_for(".get_checklist_library", library_id=library.id)
    return respond(library_detail(library.id), 201, location)


@endpoint(
    bp,
    "/checklist-libraries/<id:library_id>",
    summary="Get a checklist library version",
    tag=TAG,
    response=ChecklistLibraryDetail,
)
def get_checklist_library(library_id: int) -> Response:
    """With its categories and items, in order."""
    return respond(library_detail(library_id))


@endpoint(
    bp,
    "/checklist-libraries/<id:library_id>/export",
    summary="Export a checklist library version",
    tag=TAG,
    produces=YAML,
)
def export_checklist_library(library_id: int) -> Response:
    """The YAML file exactly as it was imported."""
    session, actor = get_session(), current_actor()
    text = svc.export_library(session, actor, library_id)
    library = session.get(ChecklistLibrary, library_id)
    assert library is not None
    return attachment(
        text, f"{YAML}; charset=utf-8", f"{library.identifier}-{library.version}.yaml"
    )
