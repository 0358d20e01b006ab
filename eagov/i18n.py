"""Language and time zone: the user's choice, else the browser's, else the defaults.

Outside a request (CLI commands, the scheduler, tests with only an app context) there is no
user, session or browser: the configured defaults apply, so ``gettext`` and the lazy
messages raised by services work there too.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user

babel = Babel()


def select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():
        return str(current_app.config["DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return str(current_user.locale)
    chosen = session.get("lang")
    if chosen in supported:
        return str(chosen)
    for lang, _q in request.accept_languages:
        code = lang.lower()
        if code.startswith("zh"):
            return "zh_Hans"
        if code.startswith("en"):
            return "en"
    return str(current_app.config["DEFAULT_LOCALE"])


def select_timezone() -> str:
    if not has_request_context():
        return str(current_app.config["DEFAULT_TIMEZONE"])
    if current_user and current_user.is_authenticated and current_user.timezone:
        return str(current_user.timezone)
    return str(current_app.config["DEFAULT_TIMEZONE"])


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories="translations",
    )
    app.jinja_env.globals["get_locale"] = get_locale
    # Flask-Babel resolves the context, the locale and the catalogue again for every string
    # of a template: a quarter of a page's time here. The templates' callables take the
    # catalogue once per locale in force (see ``catalogue``).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
    )


def catalogue() -> Any:
    """Flask-Babel's translations for the locale in force, kept on its own per-context
    namespace next to that locale: ``force_locale`` and ``refresh`` replace the locale
    object, so a different object means the catalogue must be looked up again."""
    try:
        ctx = g._flask_babel
    except (AttributeError, RuntimeError):  # no catalogue taken yet, or no app context
        return get_translations()
    locale = getattr(ctx, "babel_locale", None)
    kept = getattr(ctx, "eagov_catalogue", None)
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    locale = getattr(ctx, "babel_locale", None)
    if locale is not None:
        ctx.eagov_catalogue = (locale, translations)
    return translations


def in_language(texts: Any, locale: str | None = None) -> str:
    """A text stored per language (``{"en": ..., "zh_Hans": ...}``) in ``locale`` (default:
    the reader's), else English, else whichever language it has."""
    if not isinstance(texts, dict):
        return str(texts or "")
    if not texts:
        return ""
    chosen = locale or str(get_locale() or "en")
    return str(texts.get(chosen) or texts.get("en") or next(iter(texts.values()), "") or "")
