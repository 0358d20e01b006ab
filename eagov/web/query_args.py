"""Reading list filters from the query string: a wrong value is left out or reported, never
an error page."""

from __future__ import annotations

from datetime import date

from flask import request
from flask_babel import gettext as _


def int_arg(name: str) -> int | None:
    return request.args.get(name, type=int)


def choice_arg(name: str, allowed: set[str]) -> str | None:
    value = request.args.get(name, "")
    return value if value in allowed else None


def day_arg(name: str, errors: dict[str, str]) -> date | None:
    """A YYYY-MM-DD day; a malformed one is named in ``errors`` for the filter form."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Enter a date as YYYY-MM-DD.")
        return None
