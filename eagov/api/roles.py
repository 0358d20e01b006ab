"""/api/v1 roles: the roles of the skills framework in use and their profiles (the level
each role needs per skill). Editing a profile changes the framework in use only."""

from __future__ import annotations

from flask import Response
from sqlmodel import select

from ..auth import current_actor
from ..db import get_session
from ..models import SkillRole
from ..schemas.api_read import Page
from ..schemas.skills import ProfileIn, RequirementIn, RequirementRead, RoleDetail, RoleRead
from ..services import skill_frameworks as svc
from . import bp
from .listing import ListQuery, ordered, page_of, sort_by
from .responses import read_from, respond, respond_page
from .spec import endpoint

TAG = "Roles"


def _shape(shape: dict[int, int]) -> dict[str, int]:
    return {str(level): count for level, count in shape.items()}


def role_detail(role_key: str) -> RoleDetail:
    session = get_session()
    role = svc.get_role(session, current_actor(), role_key)
    lines = svc.profile(session, role)
    profile = [
        RequirementRead(
            role=role.key,
            skill=line.skill.key,
            category=line.category.key,
            level=line.requirement.level,
            version=line.requirement.version,
        )
        for line in lines
        if line.requirement is not None
    ]
    shape = svc.shape_of({i: ln.requirement for i, ln in enumerate(lines) if ln.requirement})
    return read_from(RoleDetail, role, shape=_shape(shape), profile=profile)


def requirement_read(role_key: str, skill_key: str) -> RequirementRead:
    session, actor = get_session(), current_actor()
    role = svc.get_role(session, actor, role_key)
    skill, category = svc.get_skill(session, actor, skill_key)
    requirement = svc.requirements_of(session, role.id).get(skill.id)  # type: ignore[arg-type]
    return RequirementRead(
        role=role.key,
        skill=skill.key,
        category=category.key,
        level=requirement.level if requirement else 0,
        version=requirement.version if requirement else 0,
    )


class RoleQuery(ListQuery):
    sort: str = sort_by("position", default="position")


@endpoint(bp, "/roles", summary="List the roles", tag=TAG, query=RoleQuery, response=Page[RoleRead])
def list_roles(query: RoleQuery) -> Response:
    """The roles of the framework in use, in its order, each with the shape of its profile
    (how many skills it needs at each level)."""
    session = get_session()
    framework = svc.framework_in_use(session, current_actor())
    assert framework.id is not None
    shapes = svc.shapes(session, framework.id)
    stmt = ordered(
        select(SkillRole).where(SkillRole.framework_id == framework.id), SkillRole, query.sort
    )
    return respond_page(
        page_of(session, stmt, query),
        lambda role: read_from(RoleRead, role, shape=_shape(shapes.get(role.id, {}))),
    )


@endpoint(bp, "/roles/<key>", summary="Get a role with its profile", tag=TAG, response=RoleDetail)
def get_role(key: str) -> Response:
    """The role (key as in positions' architecture_role) and its required level per skill,
    in the framework's order. The ETag is the profile's version: send it in If-Match to
    replace the profile."""
    return respond(role_detail(key))


@endpoint(
    bp,
    "/roles/<key>/profile",
    method="PUT",
    summary="Replace a role's profile",
    tag=TAG,
    body=ProfileIn,
    response=RoleDetail,
    if_match=True,
)
def put_profile(key: str, body: ProfileIn, version: int) -> Response:
    """levels gives a level (1 Background to 4 Expert) for every skill of the framework in
    use; a missing or unknown skill is a 422. If-Match is the role's ETag (412 when someone
    changed the profile, or one of its requirements, meanwhile). Needs a review co-ordinator
    or an administrator."""
    svc.set_profile(get_session(), current_actor(), key, body, version)
    return respond(role_detail(key))


@endpoint(
    bp,
    "/roles/<key>/requirements/<skill_key>",
    summary="Get one requirement of a role",
    tag=TAG,
    response=RequirementRead,
)
def get_requirement(key: str, skill_key: str) -> Response:
    """The level the role needs in the skill; the ETag is the requirement's version."""
    return respond(requirement_read(key, skill_key))


@endpoint(
    bp,
    "/roles/<key>/requirements/<skill_key>",
    method="PATCH",
    summary="Change one requirement of a role",
    tag=TAG,
    body=RequirementIn,
    response=RequirementRead,
    if_match=True,
)
def patch_requirement(key: str, skill_key: str, body: RequirementIn, version: int) -> Response:
    """Set the level (1-4) the role needs in one skill. If-Match is the requirement's ETag
    (412 when stale). The role's version moves as well. Needs a review co-ordinator or an
    administrator."""
    svc.set_requirement(get_session(), current_actor(), key, skill_key, body, version)
    return respond(requirement_read(key, skill_key))
