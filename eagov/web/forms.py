"""HTML forms go through the same schemas as JSON: parse, validate, keep what was typed."""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError
from werkzeug.datastructures import MultiDict

from ..errors import Conflict, Forbidden, Invalid, field_errors, texts

S = TypeVar("S", bound=BaseModel)


@dataclass
class FormState:
    """What a form shows: the values (as typed), field messages and a message for the whole form.

    Messages are kept as text in the request's language: lazy messages from services and
    schemas are converted here, so templates escape them like any other text.
    """

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""

    @classmethod
    def from_request(
        cls, form: MultiDict[str, str], list_fields: tuple[str, ...] = ()
    ) -> FormState:
        values: dict[str, Any] = {}
        for key in form:
            values[key] = form.getlist(key) if key in list_fields else form.get(key)
        for key in list_fields:
            values.setdefault(key, [])
        return cls(values=values)

    def value(self, name: str, default: Any = "") -> Any:
        val = self.values.get(name)
        return default if val is None else val

    def validate(self, schema: type[S]) -> S:
        try:
            return schema.model_validate(_coerce(schema, self.values))
        except ValidationError as exc:
            self.errors = texts(field_errors(exc))
            raise Invalid(errors=self.errors) from exc

    def fail(self, exc: Invalid) -> None:
        self.errors.update(texts(exc.errors))
        self.message = str(exc.detail)

    def version(self) -> int | None:
        raw = self.values.get("version")
        return int(raw) if isinstance(raw, str) and raw.isdigit() else None


def _coerce(schema: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """Browsers send strings: empty optional fields become None, checkboxes become booleans."""
    out: dict[str, Any] = {}
    hints = typing.get_type_hints(schema)
    for name, info in schema.model_fields.items():
        hint = hints.get(name)
        is_bool = hint is bool
        if is_bool:
            out[name] = values.get(name) in ("on", "1", "true", "yes", True)
            continue
        if name not in values:
            continue
        raw = values[name]
        if raw == "" and not info.is_required() and info.default is None:
            out[name] = None
        elif raw == "" and not info.is_required():
            continue
        else:
            out[name] = raw
    return out


T = TypeVar("T")


def attempt(form: FormState, action: Callable[[], T]) -> tuple[T | None, int]:
    """Run ``action``; on a refusal keep the form's input, say why, and give the status."""
    try:
        return action(), 200
    except Invalid as exc:
        form.fail(exc)
        if not form.message:
            form.message = str(_("Please correct the marked fields."))
        return None, 422
    except Conflict as exc:
        form.message = str(exc.detail)
        return None, 409
    except Forbidden as exc:
        form.message = str(exc.detail)
        return None, 403


def parse(schema: type[S], payload: dict[str, Any]) -> S:
    """Validate ``payload`` (strings as typed); a required field left empty counts as
    missing, so it says "required" rather than "enter a number"."""
    fields = schema.model_fields
    form = FormState(
        values={
            k: v
            for k, v in payload.items()
            if not (v == "" and k in fields and fields[k].is_required())
        }
    )
    return form.validate(schema)
