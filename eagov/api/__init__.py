"""The JSON API under /api/v1: bearer tokens only, problem documents for errors.

Each module routes its operations with ``spec.endpoint``, which also describes them for
/api/v1/openapi.json and the /api/v1/docs page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask
from werkzeug.routing import IntegerConverter, Map

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _up_to(limit: int) -> str:
    """A regex for the decimal numbers 1..limit, without leading zeros."""
    digits = str(limit)
    alts = [rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, ch in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(ch) > low:
            alts.append(rf"{digits[:i]}[{low}-{int(ch) - 1}]\d{{{len(digits) - i - 1}}}")
    alts.append(digits)
    return "(?:" + "|".join(alts) + ")"


class BoundedIntConverter(IntegerConverter):
    """The pages' ``<int:name>``: 0..MAX_INT. A larger number overflowed the database driver
    (a 500 on SQLite); the range is in the regex for the reason IdConverter gives."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        from .inputs import MAX_INT

        super().__init__(map, *args, **kwargs)
        if not kwargs and not args:
            self.max = MAX_INT
            self.regex = f"(?:0|{_up_to(MAX_INT)})"


class IdConverter(IntegerConverter):
    """``<id:name>``: a positive id that fits the columns. Larger numbers are a 404 here rather
    than an overflow in the database driver.

    The range is in the regex, not only in ``to_python``: Werkzeug checks a rule's methods
    before its converters, so a 0 refused by ``to_python`` made ``POST /boards/0/members``
    a 405 (the GET rule of the same path matched) instead of a 404."""

    def __init__(self, map: Map) -> None:
        from .inputs import MAX_INT

        super().__init__(map, min=1, max=MAX_INT)
        self.regex = _up_to(MAX_INT)


def init_app(app: Flask) -> None:
    from ..security import csrf

    # Importing the modules routes their operations on ``bp``.
    from . import (  # noqa: F401
        accounts,
        actions,
        audit,
        auth,
        boards,
        calendar,
        checklist_libraries,
        contracts,
        decisions,
        deliverables,
        dispensations,
        docs,
        kpis,
        maturity_assessments,
        maturity_exports,
        maturity_models,
        meetings,
        notifications,
        org_units,
        people,
        reminders,
        requests,
        reviews,
        roles,
        skill_assessments,
        skills,
    )

    app.url_map.converters["id"] = IdConverter
    csrf.exempt(bp)  # no cookies are accepted, so there is no cross-site request to forge
    app.register_blueprint(bp)
