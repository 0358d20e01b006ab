"""YAML documents whose validation errors name the line and the field.

PyYAML's composed node tree keeps each node's position; we walk it beside the loaded data
so that a pydantic error location (``categories.2.items.0.weight``) maps to a line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import Invalid, error_message

M = TypeVar("M", bound=BaseModel)
MAX_YAML_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class SourceError:
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}, {self.field or 'document'}: {self.message}"


class SourceInvalid(Invalid):
    """The document could not be read or does not follow its format; each error names its
    line and field (``source_errors``; ``errors`` maps "line N, field" to the message)."""

    def __init__(self, errors: list[SourceError]) -> None:
        super().__init__(
            "; ".join(str(e) for e in errors),
            errors={f"line {e.line or '-'}, {e.field or 'document'}": e.message for e in errors},
        )
        self.source_errors = errors


def parse(text: str | bytes, model: type[M]) -> M:
    """Load YAML and validate it with ``model``; errors carry line numbers."""
    if isinstance(text, bytes):
        if len(text) > MAX_YAML_BYTES:
            raise SourceInvalid([SourceError(None, "", "The file is larger than 2 MB.")])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceInvalid([SourceError(None, "", "The file is not UTF-8 text.")]) from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise SourceInvalid([SourceError(line, "", f"Not valid YAML: {problem}.")]) from exc
    if not isinstance(data, dict):
        raise SourceInvalid([SourceError(1, "", "The document must be a mapping of fields.")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            loc = tuple(err.get("loc") or ())
            errors.append(
                SourceError(_line_of(node, loc), ".".join(map(str, loc)), str(error_message(err)))
            )
        raise SourceInvalid(errors) from exc


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest node on ``loc`` that exists (1-based)."""
    best = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    child = value
                    best = key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
            best = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return best
