"""Domain errors raised by services; only the entry points turn them into HTTP."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class Conflict(DomainError):
    """A stale edit, a duplicate, or a change the current state does not allow."""

    status = 409
    title = "Conflict"


class Invalid(DomainError):
    """Input that passed the schema but breaks a rule; ``errors`` maps field -> message."""

    status = 422
    title = "Invalid input"

    def __init__(self, detail: str = "", errors: dict[str, str] | None = None) -> None:
        super().__init__(detail or "Some fields need attention.")
        self.errors = errors or {}


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Pydantic errors as one message per top-level field (the form shows them inline)."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = err.get("loc") or ("__root__",)
        key = ".".join(str(p) for p in loc)
        msg = err.get("msg", "Invalid value")
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        out.setdefault(key, msg)
    return out


def invalid_from(exc: ValidationError) -> Invalid:
    return Invalid(errors=field_errors(exc))
