"""Jinja filters: times in the viewer's zone and language."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask import Flask
from flask_babel import format_date, format_datetime

from ..i18n import in_language
from ..labels import entity_label, label
from ..models import AuditEvent
from ..services.audit import as_utc


def localtime(value: datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return str(format_datetime(as_utc(value), fmt))


def localdate(value: date | None, fmt: str = "medium") -> str:
    return "" if value is None else str(format_date(value, fmt))


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["localdate"] = localdate
    app.jinja_env.filters["enum_label"] = _enum_label
    app.jinja_env.filters["entity_label"] = entity_label
    app.jinja_env.globals["choices"] = choices
    app.jinja_env.globals["entity_history"] = entity_history
    app.jinja_env.globals["tr"] = in_language


def choices(members: Iterable[Any]) -> list[tuple[str, str]]:
    """(value, translated label) pairs for a select or checkbox group."""
    return [(str(getattr(m, "value", m)), _enum_label(m)) for m in members]


def entity_history(entity_type: str, entity_id: Any, limit: int = 50) -> list[AuditEvent]:
    """The latest audit events of one record, for the history tab of its page."""
    from ..db import get_session
    from ..services.audit import history

    return history(get_session(), entity_type, entity_id, limit)


def _enum_label(value: Any) -> str:
    return label(value)
