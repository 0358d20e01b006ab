"""The skills framework: the library file format ``eagov-skills/1`` (docs/skills-framework.md),
the inputs that edit role profiles, and what the API returns."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from ..models import ArchitectureRole
from .api_read import ReadModel, UtcDateTime
from .common import Schema

LEVELS = (1, 2, 3, 4)
Level = Annotated[int, Field(ge=1, le=4)]
Lang = Literal["en", "zh_Hans"]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Texts = dict[str, str]


# --- the library file ----------------------------------------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LevelFile(Strict):
    value: Level
    name: dict[Lang, Name]
    summary: dict[Lang, Text]


class SkillFile(Strict):
    key: Key
    name: dict[Lang, Name]
    description: dict[Lang, Text]


class CategoryFile(Strict):
    key: Key
    name: dict[Lang, Name]
    skills: list[SkillFile] = Field(min_length=1, max_length=100)


class RoleFile(Strict):
    key: ArchitectureRole
    name: dict[Lang, Name]
    description: dict[Lang, Text]
    # skill key -> required level; every skill of the framework, nothing else
    profile: dict[str, Level]


class FrameworkFile(Strict):
    format: Literal["eagov-skills/1"]
    key: Key
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+(\.\d+)?$")]
    languages: list[Lang] = Field(min_length=1)
    name: dict[Lang, Name]
    description: dict[Lang, Text] = Field(default_factory=dict)
    levels: list[LevelFile] = Field(min_length=4, max_length=4)
    categories: list[CategoryFile] = Field(min_length=1, max_length=30)
    roles: list[RoleFile] = Field(min_length=1, max_length=30)

    @model_validator(mode="after")
    def _consistent(self) -> FrameworkFile:
        """Cross-references, each error located where it is (so it gets a line number)."""
        problems: list[InitErrorDetails] = []

        def fail(loc: tuple[str | int, ...], message: str, value: Any) -> None:
            problems.append(
                InitErrorDetails(
                    type=PydanticCustomError("framework", message), loc=loc, input=value
                )
            )

        wanted = set(self.languages)

        def translated(loc: tuple[str | int, ...], texts: dict[Lang, str]) -> None:
            missing = sorted(wanted - set(texts))
            if missing:
                fail(loc, f"Missing the text in {', '.join(missing)}.", texts)

        translated(("name",), self.name)
        if self.description:
            translated(("description",), self.description)
        for i, level in enumerate(self.levels):
            if level.value != i + 1:
                fail(("levels", i, "value"), f"Expected level {i + 1} here.", level.value)
            translated(("levels", i, "name"), level.name)
            translated(("levels", i, "summary"), level.summary)
        categories: set[str] = set()
        skills: dict[str, tuple[int, int]] = {}
        for c, category in enumerate(self.categories):
            if category.key in categories:
                fail(("categories", c, "key"), f"Duplicate category key {category.key}.", None)
            categories.add(category.key)
            translated(("categories", c, "name"), category.name)
            for s, skill in enumerate(category.skills):
                where = ("categories", c, "skills", s)
                if skill.key in skills:
                    fail((*where, "key"), f"Duplicate skill key {skill.key}.", skill.key)
                skills.setdefault(skill.key, (c, s))
                translated((*where, "name"), skill.name)
                translated((*where, "description"), skill.description)
        roles: set[str] = set()
        for r, role in enumerate(self.roles):
            if role.key in roles:
                fail(("roles", r, "key"), f"Duplicate role key {role.key}.", role.key)
            roles.add(role.key)
            translated(("roles", r, "name"), role.name)
            translated(("roles", r, "description"), role.description)
            for key in role.profile:
                if key not in skills:
                    fail(("roles", r, "profile", key), f"Unknown skill {key}.", key)
            missing = [key for key in skills if key not in role.profile]
            if missing:
                fail(
                    ("roles", r, "profile"),
                    f"No level for {len(missing)} skill(s): {', '.join(missing[:10])}"
                    + (", ..." if len(missing) > 10 else "")
                    + ".",
                    None,
                )
        if problems:
            raise ValidationError.from_exception_data("FrameworkFile", problems)
        return self

    def skill_keys(self) -> list[str]:
        return [s.key for c in self.categories for s in c.skills]


# --- editing role profiles -----------------------------------------------------------------------


class RequirementIn(Schema):
    level: Level = Field(description="The required level: 1 Background to 4 Expert.")


class ProfileIn(Schema):
    levels: dict[str, Level] = Field(
        description="Skill key -> required level (1-4), for every skill of the framework."
    )


# --- what the API returns ------------------------------------------------------------------------


class LevelRead(BaseModel):
    value: int
    name: Texts
    summary: Texts


class FrameworkRead(ReadModel):
    """One imported version of a skills framework. The version is the library's own (not an
    ETag): a framework version is never replaced, only its role profiles are edited."""

    id: int
    key: str
    version: str
    name: Texts
    description: Texts
    levels: list[LevelRead]
    imported_at: UtcDateTime
    imported_by_id: int | None
    in_use: bool = Field(description="The framework in use (the one imported last).")


class SkillRead(ReadModel):
    key: str
    category: str = Field(description="The key of the skill's category.")
    name: Texts
    description: Texts


class CategoryRead(ReadModel):
    key: str
    name: Texts
    skills: list[SkillRead]


class FrameworkDetail(FrameworkRead):
    categories: list[CategoryRead]


class RequirementRead(BaseModel):
    role: str
    skill: str
    category: str
    level: int
    version: int = Field(description="Send it back in If-Match to change this requirement.")


class RoleRead(ReadModel):
    key: str
    name: Texts
    description: Texts
    version: int = Field(description="The profile's version; any change to it bumps it.")
    shape: dict[str, int] = Field(
        description='How many skills the role needs at each level: {"1": n, ..., "4": n}.'
    )


class RoleDetail(RoleRead):
    profile: list[RequirementRead]


class FrameworkVersionsRead(BaseModel):
    items: list[FrameworkRead]
