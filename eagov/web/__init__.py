"""Server-rendered pages, one blueprint per area."""

from __future__ import annotations

from flask import Flask
from flask_bootstrap import Bootstrap5

from . import (
    account,
    actions,
    admin,
    audit_views,
    auth_views,
    calendar,
    contracts,
    kpis,
    main,
    maturity,
    maturity_exports,
    maturity_models,
    meetings,
    notifications,
    org,
    reminders,
    requests,
    reviews,
    skills,
    skills_people,
)
from .filters import register_filters


def init_app(app: Flask) -> None:
    from ..api import BoundedIntConverter

    # Before the routes: ``<int:...>`` past the columns' range is a 404, not an overflow.
    app.url_map.converters["int"] = BoundedIntConverter
    Bootstrap5(app)
    register_filters(app)
    for bp in (
        main.bp,
        auth_views.bp,
        account.bp,
        admin.bp,
        org.bp,
        contracts.bp,
        audit_views.bp,
        reviews.bp,
        meetings.bp,
        actions.bp,
        requests.bp,
        calendar.bp,
        kpis.bp,
        maturity.bp,
        maturity_models.bp,
        maturity_exports.bp,
        skills.bp,
        skills_people.bp,
        notifications.bp,
        reminders.bp,
    ):
        app.register_blueprint(bp)
