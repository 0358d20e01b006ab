"""/api/v1 skills: the skills framework in use (levels, categories, skills), its imported
versions, importing a version (YAML) and exporting one."""

from __future__ import annotations

from flask import Response, request, url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field
from sqlmodel import col

from ..auth import current_actor
from ..db import get_session
from ..errors import Invalid
from ..models import Skill, SkillCategory, SkillFramework
from ..schemas.api_read import Page
from ..schemas.common import Schema
from ..schemas.skills import (
    CategoryRead,
    FrameworkDetail,
    FrameworkRead,
    FrameworkVersionsRead,
    LevelRead,
    SkillRead,
)
from ..services import skill_frameworks as svc
from . import bp
from .listing import ListQuery, page_of, sort_by
from .responses import attachment, read_from, respond, respond_page
from .spec import endpoint

TAG = "Skills"
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
YAML = "application/yaml"


def framework_read(framework: SkillFramework, in_use_id: int | None) -> FrameworkRead:
    return read_from(
        FrameworkRead,
        framework,
        levels=[LevelRead.model_validate(lv) for lv in framework.levels],
        in_use=framework.id == in_use_id,
    )


def skill_read(skill: Skill, category: SkillCategory | str) -> SkillRead:
    key = category if isinstance(category, str) else category.key
    return read_from(SkillRead, skill, category=key)


def framework_detail(framework: SkillFramework) -> FrameworkDetail:
    session = get_session()
    current = svc.current_framework(session)
    assert framework.id is not None
    categories = [
        read_from(CategoryRead, category, skills=[skill_read(skill, category) for skill in skills])
        for category, skills in svc.contents(session, framework.id)
    ]
    base = framework_read(framework, current.id if current else None)
    return FrameworkDetail(**base.model_dump(), categories=categories)


class SkillQuery(ListQuery):
    category: str | None = Field(
        default=None, max_length=60, description="Only the skills of this category (its key)."
    )
    per_page: int = Field(default=100, ge=1, le=200, description="Items per page (at most 200).")
    sort: str = sort_by("position", default="position")


@endpoint(
    bp, "/skills", summary="List the skills", tag=TAG, query=SkillQuery, response=Page[SkillRead]
)
def list_skills(query: SkillQuery) -> Response:
    """The skills of the framework in use, in the framework's order (404 when no framework is
    imported yet). An unknown category is a 422."""
    session = get_session()
    framework = svc.framework_in_use(session, current_actor())
    assert framework.id is not None
    categories = {c.id: c.key for c, _skills in svc.contents(session, framework.id)}
    if query.category is not None and query.category not in categories.values():
        raise Invalid(errors={"category": _l("There is no such category in the framework.")})
    stmt = svc.skills_query(framework.id, query.category)
    if query.sort.startswith("-"):
        stmt = stmt.order_by(None).order_by(col(Skill.position).desc())
    page = page_of(session, stmt, query)
    return respond_page(page, lambda skill: skill_read(skill, categories[skill.category_id]))


@endpoint(bp, "/skills/<key>", summary="Get a skill", tag=TAG, response=SkillRead)
def get_skill(key: str) -> Response:
    """A skill of the framework in use, by its key."""
    skill, category = svc.get_skill(get_session(), current_actor(), key)
    return respond(skill_read(skill, category))


@endpoint(
    bp,
    "/skills/framework",
    summary="Get the skills framework in use",
    tag=TAG,
    response=FrameworkDetail,
)
def get_framework() -> Response:
    """The framework imported last, with its proficiency levels, categories and skills
    (404 when none is imported yet)."""
    framework = svc.framework_in_use(get_session(), current_actor())
    return respond(framework_detail(framework))


@endpoint(
    bp,
    "/skills/framework/versions",
    summary="List the imported framework versions",
    tag=TAG,
    response=FrameworkVersionsRead,
)
def list_framework_versions() -> Response:
    """Every imported version, the one in use first."""
    rows = svc.list_frameworks(get_session(), current_actor())
    in_use = rows[0].id if rows else None
    return respond(FrameworkVersionsRead(items=[framework_read(f, in_use) for f in rows]))


class FrameworkUpload(Schema):
    """The library file as the part named ``file`` of a multipart/form-data body; or send the
    file itself as the body, with Content-Type application/yaml."""

    file: bytes = Field(description="The YAML file, format eagov-skills/1, UTF-8.")


@endpoint(
    bp,
    "/skills/framework",
    method="POST",
    summary="Import a skills framework version",
    tag=TAG,
    response=FrameworkDetail,
    status=201,
    form=FrameworkUpload,
    raw_types=YAML_TYPES,
)
def import_framework() -> Response:
    """Send the file in the format eagov-skills/1 as the raw body with Content-Type
    application/yaml (or application/x-yaml, text/yaml), or as the part named file of a
    multipart/form-data body; other media types are a 415. The import is all or nothing: a
    file that is not valid YAML or breaks the format is a 422 whose errors name the line and
    the field (e.g. "line 512, roles.4.profile.data-desing"). A key and version already
    imported is a 409. The imported version becomes the framework in use. Needs a review
    co-ordinator or an administrator."""
    if request.mimetype in YAML_TYPES:
        data = request.get_data()
    else:
        upload = request.files.get("file")
        if upload is None:
            raise Invalid(errors={"file": _l("Send the file as the form part named file.")})
        data = upload.stream.read()
    framework = svc.import_framework(get_session(), current_actor(), data)
    return respond(framework_detail(framework), 201, url_for(".get_framework"))


class ExportQuery(Schema):
    version: str | None = Field(
        default=None, max_length=20, description="A version number; default: the one in use."
    )


@endpoint(
    bp,
    "/skills/framework/export",
    summary="Export a skills framework version",
    tag=TAG,
    query=ExportQuery,
    produces=YAML,
)
def export_framework(query: ExportQuery) -> Response:
    """The version as a library file (eagov-skills/1) with its role profiles as they are now,
    edits included. Import it elsewhere as it is, or here after raising its version."""
    session, actor = get_session(), current_actor()
    framework = svc.get_framework(session, actor, query.version)
    assert framework.id is not None
    text = svc.export_framework(session, actor, framework.id)
    return attachment(text, f"{YAML}; charset=utf-8", f"{framework.key}-{framework.version}.yaml")
