"""eagov: an architecture governance repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(_templates_dir()),
        instance_path=(config or {}).get("INSTANCE_PATH") or None,
    )
    from . import auth, db, errors_web, i18n, security
    from .config import load_config

    load_config(app, config)
    if proxies := int(app.config["TRUSTED_PROXIES"]):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    db.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    i18n.init_app(app)
    errors_web.init_app(app)

    from .api import init_app as init_api
    from .web import init_app as init_web

    init_web(app)
    init_api(app)

    from .cli import register

    register(app)
    return app


def _templates_dir() -> Path:
    """Templates live at the top of the repository; an installed wheel carries a copy."""
    for candidate in (ROOT / "templates", Path(__file__).resolve().parent / "templates"):
        if candidate.is_dir():
            return candidate
    return ROOT / "templates"
