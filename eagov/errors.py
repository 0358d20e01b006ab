"""Domain errors raised by services; only the entry points turn them into HTTP.

Messages are lazy (``flask_babel.lazy_gettext``): a service does not know who will read
them. They turn into text in the reader's language when shown (``str()``, a page, a problem
document); outside a request, and outside an app context, that is English. Entry points
convert them with ``str()`` before they reach a template: flask_babel's lazy strings claim
to be HTML (``__html__``), so Jinja would not escape the values formatted into them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_babel.speaklater import LazyString
from pydantic import ValidationError

# A message for people: plain text, or a lazy one translated when it is shown.
Message: TypeAlias = "str | LazyString"


class DomainError(Exception):
    status = 400
    title = "Bad request"  # English on purpose: problem documents keep a stable title

    def __init__(self, detail: Message = "", **extra: Any) -> None:
        detail = detail or self.title
        super().__init__(detail)
        self.detail: Message = detail
        self.extra = extra

    def __str__(self) -> str:
        return str(self.detail)


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

    def __init__(self, detail: Message = "", errors: Mapping[str, Message] | None = None) -> None:
        super().__init__(detail or _l("Some fields need attention."))
        self.errors: dict[str, Message] = dict(errors or {})


def texts(messages: Mapping[str, Message]) -> dict[str, str]:
    """Field messages as text in the current language (for a page or a JSON body)."""
    return {key: str(message) for key, message in messages.items()}


def lazy_join(separator: str, parts: Iterable[Message]) -> LazyString:
    """Messages joined, translated when the result is shown (not when it is built)."""
    items = list(parts)
    return LazyString(lambda: separator.join(str(p) for p in items))


def field_errors(exc: ValidationError) -> dict[str, Message]:
    """Pydantic errors as one message per field (the form shows them inline)."""
    out: dict[str, Message] = {}
    for err in exc.errors():
        loc = err.get("loc") or ("__root__",)
        key = ".".join(str(p) for p in loc)
        out.setdefault(key, error_message(err))
    return out


def invalid_from(exc: ValidationError) -> Invalid:
    return Invalid(errors=field_errors(exc))


# --- pydantic's error types in our words -------------------------------------------------------

_NUMBER_TYPES = frozenset({"int_parsing", "int_type", "int_from_float", "int_parsing_size"})
_DATE_TYPES = frozenset(
    {
        "date_parsing",
        "date_type",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
        "date_future",
        "date_past",
    }
)
_DATETIME_TYPES = frozenset(
    {"datetime_parsing", "datetime_type", "datetime_from_date_parsing", "datetime_object_invalid"}
)


def error_message(err: Mapping[str, Any]) -> Message:
    """One pydantic error as a translatable message, from its ``type`` and ``ctx``.

    Types we do not know keep pydantic's own (English) message.
    """
    kind = str(err.get("type", ""))
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    msg = str(err.get("msg", "Invalid value"))
    if kind == "missing":
        return _l("This field is required.")
    if kind == "string_too_short":
        least = int(ctx.get("min_length", 1))
        if least <= 1:
            return _l("This field must not be empty.")
        return lazy_ngettext(
            "Enter at least %(num)s character.", "Enter at least %(num)s characters.", least
        )
    if kind == "string_too_long":
        most = int(ctx.get("max_length", 0))
        return lazy_ngettext(
            "Enter at most %(num)s character.", "Enter at most %(num)s characters.", most
        )
    if kind == "string_pattern_mismatch":
        return _l("The value does not match the pattern %(pattern)s.", pattern=ctx.get("pattern"))
    if kind in ("string_type", "string_sub_type"):
        return _l("Enter text.")
    if kind in _NUMBER_TYPES:
        return _l("Enter a whole number.")
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type"):
        return _l("Enter a number.")
    if kind == "greater_than_equal":
        return _l("Enter a value of at least %(limit)s.", limit=ctx.get("ge", ""))
    if kind == "greater_than":
        return _l("Enter a value greater than %(limit)s.", limit=ctx.get("gt", ""))
    if kind == "less_than_equal":
        return _l("Enter a value of at most %(limit)s.", limit=ctx.get("le", ""))
    if kind == "less_than":
        return _l("Enter a value less than %(limit)s.", limit=ctx.get("lt", ""))
    if kind in ("enum", "literal_error"):
        return _l("Choose one of: %(values)s.", values=_expected(str(ctx.get("expected", ""))))
    if kind in ("bool_parsing", "bool_type"):
        return _l("Enter true or false.")
    if kind in _DATE_TYPES:
        return _l("Enter a date as YYYY-MM-DD.")
    if kind in _DATETIME_TYPES:
        return _l("Enter a date and time, such as 2025-03-01T09:30:00Z.")
    if kind == "list_type":
        return _l("Enter a list.")
    if kind == "too_short":
        least = int(ctx.get("min_length", 1))
        if least <= 1:
            return _l("Choose at least one.")
        return lazy_ngettext("Give at least %(num)s item.", "Give at least %(num)s items.", least)
    if kind == "too_long":
        most = int(ctx.get("max_length", 0))
        return lazy_ngettext("Give at most %(num)s item.", "Give at most %(num)s items.", most)
    if kind == "extra_forbidden":
        return _l("Unknown field.")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _l("Send an object with named fields.")
    if kind == "value_error":
        if "reason" in ctx and msg.startswith("value is not a valid email address"):
            return _l("This is not a valid e-mail address.")
        error = ctx.get("error")
        if isinstance(error, Exception) and error.args and isinstance(error.args[0], LazyString):
            return error.args[0]  # our own validators' messages are lazy already
    return msg.removeprefix("Value error, ")


def _expected(expected: str) -> str:
    """Pydantic's "'a', 'b' or 'c'" as "a, b, c" (its "or" is English)."""
    values = re.findall(r"'([^']*)'", expected)
    return ", ".join(values) if values else expected
