"""The checklist library file format, ``eagov-checklist/1`` (docs/checklist-libraries.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Lang = Literal["en", "zh_Hans"]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$")]
Reference = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,4}-\d{2,3}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ItemFile(Strict):
    reference: Reference
    weight: int = Field(default=2, ge=1, le=3)
    question: dict[Lang, Text]
    guidance: dict[Lang, Text]
    principle: dict[Lang, Text]


class CategoryFile(Strict):
    key: Key
    title: dict[Lang, Text]
    items: list[ItemFile] = Field(min_length=1, max_length=100)


class LibraryFile(Strict):
    format: Literal["eagov-checklist/1"]
    identifier: Key
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+(\.\d+)?$")]
    languages: list[Lang] = Field(min_length=1)
    title: dict[Lang, Text]
    description: dict[Lang, Text] = Field(default_factory=dict)
    categories: list[CategoryFile] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _consistent(self) -> LibraryFile:
        keys = [c.key for c in self.categories]
        if len(keys) != len(set(keys)):
            raise ValueError("Category keys must be unique.")
        refs = [i.reference for c in self.categories for i in c.items]
        dupes = sorted({r for r in refs if refs.count(r) > 1})
        if dupes:
            raise ValueError(f"Item references must be unique: {', '.join(dupes)}.")
        wanted = set(self.languages)
        for c in self.categories:
            for i in c.items:
                for name in ("question", "guidance", "principle"):
                    missing = wanted - set(getattr(i, name))
                    if missing:
                        raise ValueError(
                            f"Item {i.reference}: {name} lacks {', '.join(sorted(missing))}."
                        )
        return self

    @property
    def version_key(self) -> tuple[int, ...]:
        return tuple(int(p) for p in self.version.split("."))
