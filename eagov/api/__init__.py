"""The JSON API under /api/v1: bearer tokens only, problem documents for errors.

Each module routes its operations with ``spec.endpoint``, which also describes them for
/api/v1/openapi.json and the /api/v1/docs page.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from werkzeug.routing import IntegerConverter, Map

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class IdConverter(IntegerConverter):
    """``<id:name>``: a positive id that fits the columns. Larger numbers are a 404 here rather
    than an overflow in the database driver."""

    def __init__(self, map: Map) -> None:
        from .inputs import MAX_INT

        super().__init__(map, min=1, max=MAX_INT)


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
