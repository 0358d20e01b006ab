"""Org structure templates: shipped YAML starters for an architecture function.

A template is a tree of units (name in English and Simplified Chinese, kind, optional code)
with the positions each unit needs (title, duties, requirements, architecture role, how the
holder's performance is judged, optional reports-to). Files are validated with pydantic when
loaded; a mistake names the file and the field. Applying a template creates the units and
positions through the organisation services in one transaction: everything or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from flask_babel import lazy_gettext as _l
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from sqlmodel import Session, col, select

from ..errors import Invalid, Message, NotFound, error_message, lazy_join
from ..models import ArchitectureRole, OrgUnit, UnitKind
from ..permissions import Actor, require
from ..schemas.org import OrgUnitIn, PositionIn
from . import audit, common
from . import org as org_service

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "library" / "org_templates"
LOCALES = ("en", "zh_Hans")
_ID = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")

Code = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")]
Key = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]


class TemplateError(Exception):
    """A template file that cannot be used; the message names the file and the field.

    The message may be lazy (translated when shown): use ``str(exc)`` or ``exc.message``.
    """

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def _no_key(key: str) -> Message:
    return _l("reports_to %(key)s names no position key", key=repr(key))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class LocalText(_Strict):
    """A text in each interface language."""

    en: str = Field(min_length=1, max_length=20000)
    zh_Hans: str = Field(min_length=1, max_length=20000)

    def get(self, locale: str) -> str:
        return self.zh_Hans if str(locale) == "zh_Hans" else self.en


class TemplatePosition(_Strict):
    key: Key | None = None
    title: LocalText
    architecture_role: ArchitectureRole | None = None
    duties: LocalText
    requirements: LocalText
    performance_criteria: LocalText | None = None
    reports_to: Key | None = None


class TemplateUnit(_Strict):
    name: LocalText
    kind: UnitKind
    code: Code | None = None
    description: LocalText | None = None
    positions: list[TemplatePosition] = []
    units: list[TemplateUnit] = []


class OrgTemplate(_Strict):
    id: Annotated[str, StringConstraints(pattern=_ID.pattern)]
    version: int = Field(ge=1)
    name: LocalText
    description: LocalText
    units: list[TemplateUnit] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> OrgTemplate:
        codes: set[str] = set()
        keys: dict[str, TemplatePosition] = {}
        for unit in self.walk():
            if unit.code:
                if unit.code in codes:
                    raise ValueError(_l("unit code %(code)s is used twice", code=repr(unit.code)))
                codes.add(unit.code)
            for pos in unit.positions:
                if pos.key:
                    if pos.key in keys:
                        raise ValueError(
                            _l("position key %(key)s is used twice", key=repr(pos.key))
                        )
                    keys[pos.key] = pos
        for pos in keys.values():
            seen: set[str] = set()
            current: TemplatePosition | None = pos
            while current is not None and current.reports_to:
                if current.reports_to not in keys:
                    raise ValueError(_no_key(current.reports_to))
                if current.reports_to in seen:
                    raise ValueError(
                        _l("reports_to forms a loop at %(key)s", key=repr(current.reports_to))
                    )
                seen.add(current.reports_to)
                current = keys[current.reports_to]
        for unit in self.walk():
            for pos in unit.positions:
                if pos.reports_to and pos.reports_to not in keys:
                    raise ValueError(_no_key(pos.reports_to))
        return self

    def walk(self) -> Iterator[TemplateUnit]:
        stack = list(reversed(self.units))
        while stack:
            unit = stack.pop()
            yield unit
            stack.extend(reversed(unit.units))

    @property
    def unit_count(self) -> int:
        return sum(1 for _ in self.walk())

    @property
    def position_count(self) -> int:
        return sum(len(u.positions) for u in self.walk())

    @property
    def codes(self) -> list[str]:
        return [u.code for u in self.walk() if u.code]


# --- loading ---------------------------------------------------------------------------------


def load_template_file(path: Path) -> OrgTemplate:
    """Read and validate one template file; :class:`TemplateError` names file and field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TemplateError(
            _l("%(file)s: not valid YAML: %(error)s", file=path.name, error=str(exc))
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(
            _l("%(file)s: cannot be read: %(error)s", file=path.name, error=str(exc))
        ) from exc
    if not isinstance(raw, dict):
        raise TemplateError(
            _l("%(file)s: the file must hold a mapping (id, version, ...)", file=path.name)
        )
    try:
        template = OrgTemplate.model_validate(raw)
    except ValidationError as exc:
        problems = lazy_join(
            "; ",
            (
                lazy_join(
                    ": ",
                    [".".join(str(p) for p in err["loc"]) or "(top level)", error_message(err)],
                )
                for err in exc.errors()
            ),
        )
        raise TemplateError(lazy_join(": ", [path.name, problems])) from exc
    if template.id != path.stem:
        raise TemplateError(
            _l(
                "%(file)s: id: %(id)s does not match the file name",
                file=path.name,
                id=repr(template.id),
            )
        )
    return template


def list_templates(directory: Path | None = None) -> list[OrgTemplate]:
    folder = directory or TEMPLATE_DIR
    return [load_template_file(p) for p in sorted(folder.glob("*.yaml"))]


def get_template(template_id: str, directory: Path | None = None) -> OrgTemplate:
    folder = directory or TEMPLATE_DIR
    path = folder / f"{template_id}.yaml"
    if not _ID.match(template_id) or not path.is_file():
        raise NotFound(_l("There is no org structure template %(id)s.", id=repr(template_id)))
    return load_template_file(path)


# --- applying --------------------------------------------------------------------------------


@dataclass
class AppliedTemplate:
    template_id: str
    unit_ids: list[int] = field(default_factory=list)
    position_ids: list[int] = field(default_factory=list)
    root_ids: list[int] = field(default_factory=list)


def existing_codes(session: Session, template: OrgTemplate) -> list[str]:
    codes = template.codes
    if not codes:
        return []
    found = session.exec(select(OrgUnit.code).where(col(OrgUnit.code).in_(codes))).all()
    return sorted(c for c in found if c)


def apply_template(
    session: Session,
    actor: Actor,
    template_id: str,
    under_unit_id: int | None = None,
    locale: str = "en",
    *,
    directory: Path | None = None,
) -> AppliedTemplate:
    """Create the template's units and positions (below ``under_unit_id`` if given).

    Refused with :class:`Invalid` when one of its unit codes exists already (the usual
    reason: the template was applied before). All or nothing: any failure rolls back.
    """
    require(actor, "org.edit")
    template = get_template(template_id, directory)
    locale = locale if locale in LOCALES else "en"
    if under_unit_id is not None and session.get(OrgUnit, under_unit_id) is None:
        raise Invalid(errors={"under_unit_id": _l("The unit to place the template under is gone.")})
    clash = existing_codes(session, template)
    if clash:
        raise Invalid(
            _l(
                "The template %(id)s was not applied: unit codes %(codes)s exist already "
                "(was it applied before?). Nothing was created.",
                id=repr(template.id),
                codes=", ".join(clash),
            ),
            errors={
                "template": _l("Unit codes already in use: %(codes)s.", codes=", ".join(clash))
            },
        )
    result = AppliedTemplate(template.id)
    try:
        pending: list[tuple[TemplatePosition, int]] = []
        stack: list[tuple[TemplateUnit, int | None, bool]] = [
            (u, under_unit_id, True) for u in reversed(template.units)
        ]
        while stack:
            tu, parent_id, is_root = stack.pop()
            unit = org_service.stage_unit(
                session,
                actor,
                OrgUnitIn(
                    name=tu.name.get(locale),
                    code=tu.code,
                    kind=tu.kind,
                    parent_id=parent_id,
                    description=tu.description.get(locale) if tu.description else "",
                ),
            )
            assert unit.id is not None
            result.unit_ids.append(unit.id)
            if is_root:
                result.root_ids.append(unit.id)
            pending.extend((p, unit.id) for p in tu.positions)
            stack.extend((child, unit.id, False) for child in reversed(tu.units))
        by_key: dict[str, int] = {}
        for pos, unit_id in _reports_first(pending):
            created = org_service.stage_position(
                session,
                actor,
                PositionIn(
                    title=pos.title.get(locale),
                    org_unit_id=unit_id,
                    reports_to_id=by_key[pos.reports_to] if pos.reports_to else None,
                    architecture_role=pos.architecture_role,
                    duties=pos.duties.get(locale),
                    requirements=pos.requirements.get(locale),
                    performance_criteria=(
                        pos.performance_criteria.get(locale) if pos.performance_criteria else ""
                    ),
                ),
            )
            assert created.id is not None
            result.position_ids.append(created.id)
            if pos.key:
                by_key[pos.key] = created.id
        audit.record(
            session,
            actor,
            "apply_template",
            "org_template",
            template.id,
            {
                "version": template.version,
                "locale": locale,
                "under_unit_id": under_unit_id,
                "units": len(result.unit_ids),
                "positions": len(result.position_ids),
            },
        )
    except BaseException:
        session.rollback()
        raise
    common.commit(session)
    return result


def _reports_first(
    pending: list[tuple[TemplatePosition, int]],
) -> list[tuple[TemplatePosition, int]]:
    """Positions ordered so that each one comes after the position it reports to."""
    by_key = {p.key: (p, u) for p, u in pending if p.key}
    done: set[int] = set()
    out: list[tuple[TemplatePosition, int]] = []

    def visit(item: tuple[TemplatePosition, int]) -> None:
        if id(item[0]) in done:
            return
        if item[0].reports_to:
            visit(by_key[item[0].reports_to])
        done.add(id(item[0]))
        out.append(item)

    for item in pending:
        visit(item)
    return out


def preview(template: OrgTemplate, locale: str) -> list[dict[str, Any]]:
    """The unit tree as plain dicts in one language, for the preview page."""

    def one(unit: TemplateUnit, depth: int) -> dict[str, Any]:
        return {
            "name": unit.name.get(locale),
            "kind": unit.kind.value,
            "code": unit.code,
            "depth": depth,
            "description": unit.description.get(locale) if unit.description else "",
            "positions": [
                {
                    "title": p.title.get(locale),
                    "architecture_role": p.architecture_role.value if p.architecture_role else None,
                    "duties": p.duties.get(locale),
                    "requirements": p.requirements.get(locale),
                    "performance_criteria": p.performance_criteria.get(locale)
                    if p.performance_criteria
                    else "",
                }
                for p in unit.positions
            ],
            "units": [one(u, depth + 1) for u in unit.units],
        }

    return [one(u, 0) for u in template.units]
