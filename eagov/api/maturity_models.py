"""Maturity model libraries: import a version (YAML), list, read, export."""

from __future__ import annotations

from flask import Response, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field
from sqlmodel import select

from ..auth import current_actor
from ..db import get_session
from ..errors import Invalid
from ..models import MaturityModel
from ..permissions import require
from ..schemas.api_read import Page
from ..schemas.common import Schema
from ..schemas.maturity_models import (
    MaturityElementRead,
    MaturityModelDetail,
    MaturityModelRead,
)
from ..services import maturity_models as svc
from ..web.pagination import Page as ListPage
from . import bp
from .listing import ListQuery, ordered, page_of, sort_by
from .responses import attachment, read_from, respond, respond_page
from .spec import endpoint

TAG = "Maturity models"
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
YAML = "application/yaml"


def model_detail(model_id: int) -> MaturityModelDetail:
    session, actor = get_session(), current_actor()
    model = svc.get_model(session, actor, model_id)
    rows = svc.elements(session, model_id)
    return read_from(
        MaturityModelDetail,
        model,
        element_count=len(rows),
        elements=[MaturityElementRead.model_validate(row) for row in rows],
    )


class ModelQuery(ListQuery):
    key: str | None = Field(default=None, max_length=60, description="Only this model's versions.")
    sort: str = sort_by("key", "imported_at", "id", default="key")


@endpoint(
    bp,
    "/maturity-models",
    summary="List maturity model versions",
    tag=TAG,
    query=ModelQuery,
    response=Page[MaturityModelRead],
)
def list_maturity_models(query: ModelQuery) -> Response:
    """Every imported version, optionally of one model (key). Sorted by key, the newest
    version of each model comes first (versions compare as numbers: 1.10.0 is newer than
    1.9.0)."""
    session, actor = get_session(), current_actor()
    page: ListPage[MaturityModel]
    if query.sort.lstrip("-") == "key":
        # Versions are ordered as numbers, which SQL cannot do on a text column; there are
        # few models, so they are paged here.
        rows = svc.list_models(session, actor)
        if query.key is not None:
            rows = [m for m in rows if m.key == query.key]
        if query.sort.startswith("-"):
            rows = sorted(rows, key=lambda m: m.key, reverse=True)  # stable
        per_page = min(query.per_page, current_app.config["MAX_PAGE_SIZE"])
        start = (query.page - 1) * per_page
        page = ListPage(rows[start : start + per_page], len(rows), query.page, per_page)
    else:
        require(actor, "maturity.read")
        stmt = select(MaturityModel)
        if query.key is not None:
            stmt = stmt.where(MaturityModel.key == query.key)
        page = page_of(session, ordered(stmt, MaturityModel, query.sort), query)
    counts = svc.element_counts(session, [m.id for m in page.items if m.id is not None])
    return respond_page(
        page,
        lambda m: read_from(MaturityModelRead, m, element_count=counts.get(m.id, 0)),
    )


class ModelUpload(Schema):
    """The model file as the part named ``file`` of a multipart/form-data body; or send the
    file itself as the body, with Content-Type application/yaml."""

    file: bytes = Field(description="The YAML file, format eagov-maturity/1, UTF-8.")


@endpoint(
    bp,
    "/maturity-models",
    method="POST",
    summary="Import a maturity model version",
    tag=TAG,
    response=MaturityModelDetail,
    status=201,
    form=ModelUpload,
    raw_types=YAML_TYPES,
)
def import_maturity_model() -> Response:
    """Send the file in the format eagov-maturity/1 as the raw body with Content-Type
    application/yaml (or application/x-yaml, text/yaml), or as the part named file of a
    multipart/form-data body. Other media types are refused with 415. A file that is not
    valid YAML or breaks the format (a level without a descriptor, a repeated key, an
    unknown method, a weight of 0) is refused with 422: each key of errors names the line
    and the field (e.g. "line 42, elements.2.descriptors"); nothing is stored. A version of
    a model that is already imported is a 409: publish a newer version instead. Needs a
    review co-ordinator or an administrator."""
    if request.mimetype in YAML_TYPES:
        data = request.get_data()
    else:  # multipart (the endpoint refuses anything else)
        upload = request.files.get("file")
        if upload is None:
            raise Invalid(errors={"file": _l("Send the file as the form part named file.")})
        data = upload.stream.read()
    model = svc.import_model(get_session(), current_actor(), data)
    assert model.id is not None
    location = url_for(".get_maturity_model", model_id=model.id)
    return respond(model_detail(model.id), 201, location)


@endpoint(
    bp,
    "/maturity-models/<id:model_id>",
    summary="Get a maturity model version",
    tag=TAG,
    response=MaturityModelDetail,
)
def get_maturity_model(model_id: int) -> Response:
    """With its levels and its elements in order, each with a descriptor per level in
    English and Simplified Chinese."""
    return respond(model_detail(model_id))


@endpoint(
    bp,
    "/maturity-models/<id:model_id>/export",
    summary="Export a maturity model version",
    tag=TAG,
    produces=YAML,
)
def export_maturity_model(model_id: int) -> Response:
    """The model as a YAML file in the format eagov-maturity/1; importing it elsewhere gives
    the same model."""
    session, actor = get_session(), current_actor()
    text = svc.export_model(session, actor, model_id)
    model = svc.get_model(session, actor, model_id)
    return attachment(text, f"{YAML}; charset=utf-8", f"{model.key}-{model.version}.yaml")
