"""The architecture skills framework: import a versioned YAML library (levels, categories,
skills, roles with their profiles), read the framework in use, edit role profiles, export.

The framework in use is the one imported last. Profile edits change that framework only;
importing a newer version starts again from its file (export first to carry edits over).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, func, select

from ..errors import Conflict, Invalid, NotFound
from ..models import RoleRequirement, Skill, SkillCategory, SkillFramework, SkillRole
from ..permissions import SYSTEM, Actor, require
from ..schemas.skills import LEVELS, FrameworkFile, ProfileIn, RequirementIn
from ..yaml_source import SourceError, SourceInvalid, parse
from . import audit
from .common import check_version, commit, flush

SHIPPED = Path(__file__).resolve().parents[1] / "library" / "skills" / "architecture-skills.yaml"
LANGUAGES = ("en", "zh_Hans")


# --- import --------------------------------------------------------------------------------------


def import_framework(session: Session, actor: Actor, source: str | bytes) -> SkillFramework:
    """Store one version of a framework, all or nothing; it becomes the framework in use.
    A key and version already imported is a Conflict."""
    require(actor, "skills.manage")
    _refuse_duplicate_keys(source)
    data = parse(source, FrameworkFile)
    exists = session.exec(
        select(SkillFramework.id).where(
            SkillFramework.key == data.key, SkillFramework.version == data.version
        )
    ).first()
    if exists is not None:
        raise Conflict(
            _l(
                "Version %(version)s of skills framework %(key)s is already imported.",
                version=data.version,
                key=data.key,
            )
        )
    framework = SkillFramework(
        key=data.key,
        version=data.version,
        name=_texts(data.name),
        description=_texts(data.description),
        levels=[
            {"value": lv.value, "name": _texts(lv.name), "summary": _texts(lv.summary)}
            for lv in data.levels
        ],
        imported_by_id=actor.user_id,
    )
    session.add(framework)
    flush(session)
    fid = framework.id
    assert fid is not None
    categories = [
        SkillCategory(framework_id=fid, key=c.key, position=pos, name=_texts(c.name))
        for pos, c in enumerate(data.categories, start=1)
    ]
    session.add_all(categories)
    flush(session)
    skills: dict[str, Skill] = {}
    position = 0
    for category, row in zip(data.categories, categories, strict=True):
        assert row.id is not None
        for s in category.skills:
            position += 1
            skills[s.key] = Skill(
                framework_id=fid,
                category_id=row.id,
                key=s.key,
                position=position,
                name=_texts(s.name),
                description=_texts(s.description),
            )
    session.add_all(skills.values())
    roles = [
        SkillRole(
            framework_id=fid,
            key=str(r.key),
            position=pos,
            name=_texts(r.name),
            description=_texts(r.description),
        )
        for pos, r in enumerate(data.roles, start=1)
    ]
    session.add_all(roles)
    flush(session)
    session.add_all(
        RoleRequirement(role_id=row.id, skill_id=skills[key].id, level=level)  # type: ignore[arg-type]
        for r, row in zip(data.roles, roles, strict=True)
        for key, level in r.profile.items()
    )
    flush(session)
    audit.record(
        session,
        actor,
        "import",
        "skill_framework",
        fid,
        {
            "key": data.key,
            "version": data.version,
            "categories": len(categories),
            "skills": len(skills),
            "roles": len(roles),
        },
    )
    commit(session)
    return framework


def import_shipped(session: Session, actor: Actor) -> SkillFramework:
    """Import the library shipped with eagov (a Conflict when that version is imported)."""
    return import_framework(session, actor, SHIPPED.read_bytes())


def ensure_shipped_framework(session: Session) -> SkillFramework:
    """The framework in use; the shipped library is imported first when there is none (a new
    installation, the demo)."""
    framework = current_framework(session)
    if framework is None:
        framework = import_framework(session, SYSTEM, SHIPPED.read_bytes())
    return framework


def _refuse_duplicate_keys(source: str | bytes) -> None:
    """YAML loaders keep the last of two equal keys silently; a library must not."""
    try:
        text = source.decode("utf-8-sig") if isinstance(source, bytes) else source
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (UnicodeDecodeError, yaml.YAMLError):
        return  # parse() reports these with their position
    errors: list[SourceError] = []
    stack: list[tuple[yaml.Node | None, str]] = [(root, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                name = str(key.value)
                where = f"{path}.{name}" if path else name
                if name in seen:
                    errors.append(
                        SourceError(key.start_mark.line + 1, where, f"Duplicate key {name}.")
                    )
                seen.add(name)
                stack.append((value, where))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, f"{path}.{i}") for i, child in enumerate(node.value))
    if errors:
        raise SourceInvalid(sorted(errors, key=lambda e: e.line or 0))


# --- reading -------------------------------------------------------------------------------------


def current_framework(session: Session) -> SkillFramework | None:
    """The framework in use: the one imported last (no permission check; for services)."""
    return session.exec(select(SkillFramework).order_by(col(SkillFramework.id).desc())).first()


def framework_in_use(session: Session, actor: Actor) -> SkillFramework:
    require(actor, "skills.read")
    framework = current_framework(session)
    if framework is None:
        raise NotFound(_l("No skills framework has been imported yet."))
    return framework


def list_frameworks(session: Session, actor: Actor) -> list[SkillFramework]:
    """Every imported version, the one in use first."""
    require(actor, "skills.read")
    return list(session.exec(select(SkillFramework).order_by(col(SkillFramework.id).desc())))


def get_framework(session: Session, actor: Actor, version: str | None = None) -> SkillFramework:
    """The framework in use, or the version given (of the key in use, else of any key)."""
    if version is None:
        return framework_in_use(session, actor)
    found = [f for f in list_frameworks(session, actor) if f.version == version]
    current = current_framework(session)
    found.sort(key=lambda f: current is None or f.key != current.key)
    if not found:
        raise NotFound(_l("There is no skills framework version %(version)s.", version=version))
    return found[0]


def contents(session: Session, framework_id: int) -> list[tuple[SkillCategory, list[Skill]]]:
    """The categories in order, each with its skills in order (two statements)."""
    categories = session.exec(
        select(SkillCategory)
        .where(SkillCategory.framework_id == framework_id)
        .order_by(col(SkillCategory.position))
    ).all()
    skills = session.exec(
        select(Skill).where(Skill.framework_id == framework_id).order_by(col(Skill.position))
    ).all()
    by_category: dict[int, list[Skill]] = {}
    for skill in skills:
        by_category.setdefault(skill.category_id, []).append(skill)
    return [(c, by_category.get(c.id or 0, [])) for c in categories]


def skills_query(framework_id: int, category: str | None = None) -> Any:
    """The skills of a framework in order, optionally of one category (by key)."""
    stmt = select(Skill).where(Skill.framework_id == framework_id)
    if category is not None:
        stmt = stmt.join(SkillCategory, col(SkillCategory.id) == Skill.category_id).where(
            SkillCategory.key == category
        )
    return stmt.order_by(col(Skill.position))


def get_skill(session: Session, actor: Actor, key: str) -> tuple[Skill, SkillCategory]:
    """A skill of the framework in use, by key, with its category."""
    framework = framework_in_use(session, actor)
    row = session.exec(
        select(Skill, SkillCategory)
        .join(SkillCategory, col(SkillCategory.id) == Skill.category_id)
        .where(Skill.framework_id == framework.id, Skill.key == key)
    ).first()
    if row is None:
        raise NotFound(_l("There is no skill %(key)s in the framework in use.", key=key))
    return row[0], row[1]


def roles_of(session: Session, framework_id: int) -> list[SkillRole]:
    return list(
        session.exec(
            select(SkillRole)
            .where(SkillRole.framework_id == framework_id)
            .order_by(col(SkillRole.position))
        )
    )


def get_role(session: Session, actor: Actor, key: str) -> SkillRole:
    """A role of the framework in use, by key."""
    framework = framework_in_use(session, actor)
    role = session.exec(
        select(SkillRole).where(SkillRole.framework_id == framework.id, SkillRole.key == key)
    ).first()
    if role is None:
        raise NotFound(_l("There is no role %(key)s in the skills framework.", key=key))
    return role


def shapes(session: Session, framework_id: int) -> dict[int, dict[int, int]]:
    """Per role id: how many skills it needs at each level (one statement)."""
    rows = session.exec(
        select(RoleRequirement.role_id, RoleRequirement.level, func.count())
        .join(SkillRole, col(SkillRole.id) == RoleRequirement.role_id)
        .where(SkillRole.framework_id == framework_id)
        .group_by(col(RoleRequirement.role_id), col(RoleRequirement.level))
    ).all()
    out: dict[int, dict[int, int]] = {}
    for role_id, level, count in rows:
        out.setdefault(role_id, dict.fromkeys(LEVELS, 0))[level] = count
    return out


def shape_of(requirements: dict[int, RoleRequirement]) -> dict[int, int]:
    counts = Counter(r.level for r in requirements.values())
    return {level: counts.get(level, 0) for level in LEVELS}


def requirements_of(session: Session, role_id: int) -> dict[int, RoleRequirement]:
    """A role's profile: skill id -> requirement."""
    rows = session.exec(select(RoleRequirement).where(RoleRequirement.role_id == role_id)).all()
    return {r.skill_id: r for r in rows}


def matrix(session: Session, framework_id: int) -> dict[tuple[int, int], int]:
    """(role id, skill id) -> required level, for every role of a framework (one statement)."""
    rows = session.exec(
        select(RoleRequirement.role_id, RoleRequirement.skill_id, RoleRequirement.level)
        .join(SkillRole, col(SkillRole.id) == RoleRequirement.role_id)
        .where(SkillRole.framework_id == framework_id)
    ).all()
    return {(role_id, skill_id): level for role_id, skill_id, level in rows}


@dataclass(frozen=True)
class ProfileLine:
    skill: Skill
    category: SkillCategory
    requirement: RoleRequirement | None


def profile(session: Session, role: SkillRole) -> list[ProfileLine]:
    """Every skill of the role's framework in order, with the role's requirement."""
    required = requirements_of(session, role.id)  # type: ignore[arg-type]
    return [
        ProfileLine(skill, category, required.get(skill.id))  # type: ignore[arg-type]
        for category, skills in contents(session, role.framework_id)
        for skill in skills
    ]


# --- editing role profiles -----------------------------------------------------------------------


def set_requirement(
    session: Session,
    actor: Actor,
    role_key: str,
    skill_key: str,
    data: RequirementIn,
    expected: int | None,
) -> RoleRequirement:
    """Change the level one role needs in one skill (of the framework in use). The role's
    version moves too, so an edit of the whole profile made before this one is refused."""
    require(actor, "skills.manage")
    role = get_role(session, actor, role_key)
    skill, _category = get_skill(session, actor, skill_key)
    requirement = session.exec(
        select(RoleRequirement).where(
            RoleRequirement.role_id == role.id, RoleRequirement.skill_id == skill.id
        )
    ).first()
    if requirement is None:  # a framework always has one; created here for robustness
        requirement = RoleRequirement(role_id=role.id, skill_id=skill.id, level=data.level)  # type: ignore[arg-type]
        before = None
    else:
        check_version(requirement, expected)
        before = requirement.level
        if before == data.level:
            return requirement
        requirement.level = data.level
    session.add(requirement)
    _touch(session, role)
    flush(session)
    audit.record(
        session,
        actor,
        "update",
        "role_requirement",
        requirement.id,
        {"role": role.key, "skill": skill.key, "level": [before, data.level]},
    )
    commit(session)
    return requirement


def set_profile(
    session: Session, actor: Actor, role_key: str, data: ProfileIn, expected: int | None
) -> SkillRole:
    """Replace a role's whole profile: a level for every skill of the framework in use."""
    require(actor, "skills.manage")
    role = get_role(session, actor, role_key)
    check_version(role, expected)
    lines = profile(session, role)
    known = {line.skill.key for line in lines}
    errors: dict[str, Any] = {
        f"levels.{key}": _l("There is no skill %(key)s in the framework.", key=key)
        for key in data.levels
        if key not in known
    }
    missing = [line.skill.key for line in lines if line.skill.key not in data.levels]
    if missing:
        errors["levels"] = _l(
            "Give a level for every skill; missing: %(keys)s.", keys=", ".join(missing)
        )
    if errors:
        raise Invalid(errors=errors)
    changes: dict[str, list[int | None]] = {}
    for line in lines:
        level = data.levels[line.skill.key]
        req = line.requirement
        if req is None:
            session.add(RoleRequirement(role_id=role.id, skill_id=line.skill.id, level=level))  # type: ignore[arg-type]
            changes[f"level.{line.skill.key}"] = [None, level]
        elif req.level != level:
            changes[f"level.{line.skill.key}"] = [req.level, level]
            req.level = level
            session.add(req)
    if not changes:
        return role
    _touch(session, role)
    flush(session)
    audit.record(session, actor, "update", "skill_role", role.id, {"role": role.key, **changes})
    commit(session)
    return role


def _touch(session: Session, role: SkillRole) -> None:
    """Bump the role's version: its profile changed."""
    flag_modified(role, "position")
    session.add(role)


# --- export --------------------------------------------------------------------------------------


def export_framework(session: Session, actor: Actor, framework_id: int) -> str:
    """The framework as a library file, with the role profiles as they are now (edits
    included). Importing it elsewhere gives the same framework; change its version to
    import it here again."""
    require(actor, "skills.read")
    framework = session.get(SkillFramework, framework_id)
    if framework is None:
        raise NotFound(_l("There is no skills framework with the id %(id)s.", id=framework_id))
    parts = contents(session, framework_id)
    levels = matrix(session, framework_id)
    skill_names = {s.id: s.key for _c, skills in parts for s in skills}
    data: dict[str, Any] = {
        "format": "eagov-skills/1",
        "key": framework.key,
        "version": framework.version,
        "languages": [lang for lang in LANGUAGES if lang in framework.name],
        "name": framework.name,
        "description": framework.description,
        "levels": framework.levels,
        "categories": [
            {
                "key": c.key,
                "name": c.name,
                "skills": [
                    {"key": s.key, "name": s.name, "description": s.description} for s in skills
                ],
            }
            for c, skills in parts
        ],
        "roles": [
            {
                "key": r.key,
                "name": r.name,
                "description": r.description,
                "profile": {
                    skill_names[sid]: levels[(r.id, sid)]  # type: ignore[index]
                    for sid in skill_names
                    if (r.id, sid) in levels
                },
            }
            for r in roles_of(session, framework_id)
        ],
    }
    return dump(data)


HEADER = """\
# An eagov skills framework library: format eagov-skills/1 (docs/skills-framework.md).
# Levels: 1 Background, 2 Awareness, 3 Knowledge, 4 Expert. Each role's profile gives the
# level it needs in every skill, grouped by category.
"""


def dump(data: dict[str, Any]) -> str:
    """The library file for ``data`` (the shape of FrameworkFile), laid out for people: one
    text per line, and each role profile as one mapping with a line per category."""
    out = [HEADER.rstrip("\n")]
    out += [f"format: {data['format']}", f"key: {data['key']}", f"version: {_q(data['version'])}"]
    out.append(f"languages: [{', '.join(data['languages'])}]")
    out += _texts_block("name", data["name"], 0)
    if data.get("description"):
        out += _texts_block("description", data["description"], 0)
    out.append("levels:")
    for level in data["levels"]:
        out.append(f"  - value: {level['value']}")
        out.append(f"    name: {_inline(level['name'])}")
        out += _texts_block("summary", level["summary"], 4)
    out.append("categories:")
    names: dict[str, str] = {}
    order: list[tuple[str, list[str]]] = []
    for category in data["categories"]:
        out.append(f"  # {'-' * 90}")
        out.append(f"  - key: {category['key']}")
        out.append(f"    name: {_inline(category['name'])}")
        out.append("    skills:")
        order.append((category["key"], [s["key"] for s in category["skills"]]))
        names[category["key"]] = category["name"].get("en") or next(
            iter(category["name"].values()), ""
        )
        for skill in category["skills"]:
            out.append(f"      - key: {skill['key']}")
            out.append(f"        name: {_inline(skill['name'])}")
            out += _texts_block("description", skill["description"], 8)
    out.append("roles:")
    for role in data["roles"]:
        out.append(f"  # {'-' * 90}")
        out.append(f"  - key: {role['key']}")
        out.append(f"    name: {_inline(role['name'])}")
        out += _texts_block("description", role["description"], 4)
        out.append("    profile: {")
        written: set[str] = set()
        pairs_by_category: list[tuple[str, list[str]]] = []
        for key, keys in [*order, ("", list(role["profile"]))]:
            # Keys of no category (a hand-made file) go last; each key is written once.
            pairs = []
            for k in keys:
                if k in role["profile"] and k not in written:
                    written.add(k)
                    pairs.append(f"{k}: {role['profile'][k]}")
            if pairs:
                pairs_by_category.append((key, pairs))
        for i, (key, pairs) in enumerate(pairs_by_category):
            out.append(f"      # {names.get(key) or 'Other'}")
            lines = _wrap(pairs, 6, 96)
            if i < len(pairs_by_category) - 1:
                lines[-1] += ","
            out += lines
        out.append("    }")
    return "\n".join(out) + "\n"


def _wrap(pairs: list[str], indent: int, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for pair in pairs:
        candidate = f"{current}, {pair}" if current else pair
        if current and indent + len(candidate) + 1 > width:
            lines.append(" " * indent + current + ",")
            current = pair
        else:
            current = candidate
    lines.append(" " * indent + current)
    return lines


def _q(text: str) -> str:
    # A JSON string is a valid double-quoted YAML scalar.
    return json.dumps(text, ensure_ascii=False)


def _inline(texts: dict[str, str]) -> str:
    return "{" + ", ".join(f"{lang}: {_q(text)}" for lang, text in texts.items()) + "}"


def _texts_block(name: str, texts: dict[str, str], indent: int) -> list[str]:
    pad = " " * indent
    return [f"{pad}{name}:"] + [f"{pad}  {lang}: {_q(text)}" for lang, text in texts.items()]


def _texts(texts: dict[Any, str]) -> dict[str, str]:
    return {str(lang): text for lang, text in texts.items()}
