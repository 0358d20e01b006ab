"""The maturity model file format, ``eagov-maturity/1`` (docs/maturity-models.md), and what
the API returns for a model."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from ..models.maturity import ScoringMethod
from .api_read import ReadModel, UtcDateTime

FORMAT = "eagov-maturity/1"
Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$")]
Version = Annotated[str, StringConstraints(pattern=r"^\d{1,6}\.\d{1,6}(\.\d{1,6})?$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Texts(Strict):
    """A text in both interface languages: a model is read in either."""

    en: Text
    zh_Hans: Text


class Names(Strict):
    en: Name
    zh_Hans: Name


class LevelFile(Strict):
    value: int = Field(ge=0, le=10)
    name: Names
    summary: Texts


class ElementFile(Strict):
    key: Key
    name: Names
    description: Texts | None = None
    weight: float = Field(default=1.0, gt=0, le=100)
    # level value -> what the element looks like at that level
    descriptors: dict[int, Texts]


class ModelFile(Strict):
    format: Literal["eagov-maturity/1"]
    key: Key
    version: Version
    name: Names
    description: Texts | None = None
    method: ScoringMethod
    levels: list[LevelFile] = Field(min_length=2, max_length=11)
    elements: list[ElementFile] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _consistent(self) -> ModelFile:
        # Each problem is reported at the field it concerns, so the error names its line.
        problems: list[InitErrorDetails] = []

        def problem(loc: tuple[str | int, ...], message: str, value: Any) -> None:
            problems.append(
                InitErrorDetails(
                    type=PydanticCustomError("maturity_model", "{message}", {"message": message}),
                    loc=loc,
                    input=value,
                )
            )

        first = self.levels[0].value
        for i, level in enumerate(self.levels):
            if level.value != first + i:
                problem(
                    ("levels", i, "value"),
                    f"Levels must be listed in ascending order without gaps: expected "
                    f"{first + i}, found {level.value}.",
                    level.value,
                )
        values = [level.value for level in self.levels]
        seen: dict[str, int] = {}
        for i, element in enumerate(self.elements):
            if element.key in seen:
                problem(
                    ("elements", i, "key"),
                    f"The key {element.key} is already used by element {seen[element.key] + 1}.",
                    element.key,
                )
            seen.setdefault(element.key, i)
            missing = [v for v in values if v not in element.descriptors]
            if missing:
                problem(
                    ("elements", i, "descriptors"),
                    f"Element {element.key} has no descriptor for level "
                    f"{', '.join(map(str, missing))}: every level needs one.",
                    sorted(element.descriptors),
                )
            for value in element.descriptors:
                if value not in values:
                    problem(
                        ("elements", i, "descriptors", value),
                        f"There is no level {value} in this model.",
                        value,
                    )
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self

    @property
    def version_key(self) -> tuple[int, ...]:
        return version_key(self.version)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


# --- what the API returns ------------------------------------------------------------------


class MaturityLevelRead(BaseModel):
    value: int
    name: dict[str, str] = Field(description="Language code -> text.")
    summary: dict[str, str]


class MaturityModelRead(ReadModel):
    """One imported version of a maturity model. Models never change once imported (a newer
    version is a new model row), so they carry no ETag."""

    id: int
    key: str
    version: str = Field(description="The model's own version, e.g. 1.0.0 (not an ETag).")
    name: dict[str, str] = Field(description="Language code -> text.")
    description: dict[str, str]
    method: ScoringMethod = Field(
        description="How element levels combine into the overall result: weighted_mean, "
        "lowest (gated) or high_water."
    )
    levels: list[MaturityLevelRead] = Field(description="In ascending order.")
    element_count: int
    imported_at: UtcDateTime
    imported_by_id: int | None


class MaturityElementRead(ReadModel):
    id: int
    key: str
    position: int
    name: dict[str, str]
    description: dict[str, str]
    weight: float
    descriptors: dict[str, dict[str, str]] = Field(
        description="Level value (as text) -> language code -> what the element looks like "
        "at that level."
    )


class MaturityModelDetail(MaturityModelRead):
    elements: list[MaturityElementRead] = Field(description="In the model's order.")
