"""Who is asking: cookie sessions for pages (Flask-Login), bearer tokens for the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, abort, g, request, session
from flask_login import LoginManager, current_user, login_user
from flask_login import logout_user as _logout

from .db import get_session
from .models import User
from .permissions import ANONYMOUS, Actor
from .services import accounts

login_manager = LoginManager()
F = TypeVar("F", bound=Callable[..., Any])


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = ""  # the login page explains itself
    login_manager.session_protection = "basic"
    accounts.configure_hasher(app.config["ARGON2_TIME_COST"], app.config["ARGON2_MEMORY_COST"])
    app.jinja_env.globals["current_actor"] = current_actor


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    # A password change (or a disable) moves the epoch on: older sessions stop here.
    if session.get("epoch") != user.session_epoch:
        return None
    return user


def start_session(user: User) -> None:
    session.clear()  # a fresh session on login: no fixation
    login_user(user)
    session["epoch"] = user.session_epoch
    session.permanent = True


def refresh_epoch(user: User) -> None:
    """Keep the current session alive after the user changed their own password."""
    session["epoch"] = user.session_epoch


def end_session() -> None:
    _logout()
    session.clear()


def current_actor() -> Actor:
    api_user = g.get("api_user")
    if api_user is not None:
        return Actor.of(api_user)
    if current_user.is_authenticated:
        return Actor.of(cast(User, current_user._get_current_object()))
    return ANONYMOUS


def client_address() -> str:
    # Behind a proxy, ProxyFix (configured in operations) makes remote_addr the client's.
    return request.remote_addr or "unknown"


def permission_required(permission: str) -> Callable[[F], F]:
    """Hide a page from users without the permission (services check again)."""

    def deco(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_actor().can(permission):
                abort(403)
            return fn(*args, **kwargs)

        return cast(F, wrapper)

    return deco
