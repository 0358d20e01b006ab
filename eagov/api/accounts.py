"""Users (administrators), your own account, and your personal API tokens."""

from __future__ import annotations

from flask import Response, current_app, g, url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field
from sqlmodel import select

from ..auth import current_actor
from ..db import get_session
from ..models import ApiToken, Role, User
from ..permissions import require
from ..schemas.accounts import (
    ProfileUpdate,
    TokenCreate,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from ..schemas.api_read import Page, TokenCreated, UserCreated
from ..services import accounts
from ..services.common import get_or_404
from . import bp
from .inputs import PreconditionFailed
from .listing import ListQuery, Search, ordered, page_of, sort_by
from .responses import no_content, read_from, respond, respond_page
from .spec import endpoint


def user_read(user: User) -> UserRead:
    return read_from(UserRead, user, roles=sorted(user.role_names))


# --- users -----------------------------------------------------------------------------------


class UserQuery(ListQuery):
    q: Search = None
    role: Role | None = Field(default=None, description="Only users holding this role.")
    is_active: bool | None = Field(default=None, description="Only enabled (or disabled) users.")
    sort: str = sort_by("name", "email", "created_at", "id", default="name")


@endpoint(bp, "/users", summary="List users", tag="Users", query=UserQuery, response=Page[UserRead])
def list_users(query: UserQuery) -> Response:
    """q searches name and e-mail."""
    stmt = accounts.users_query(
        current_actor(), query.q, query.role.value if query.role else None, query.is_active
    )
    page = page_of(get_session(), ordered(stmt, User, query.sort), query)
    return respond_page(page, user_read)


@endpoint(
    bp,
    "/users",
    method="POST",
    summary="Create or invite a user",
    tag="Users",
    body=UserCreate,
    response=UserCreated,
    status=201,
)
def create_user(body: UserCreate) -> Response:
    """Without a password the user is invited: pass invite_url on to them."""
    user, invite = accounts.create_user(
        get_session(),
        current_actor(),
        body,
        invite_days=current_app.config["INVITE_VALID_DAYS"],
    )
    link = url_for("auth.accept_invite", token=invite, _external=True) if invite else None
    created = read_from(UserCreated, user, roles=sorted(user.role_names), invite_url=link)
    return respond(created, 201, url_for(".get_user", user_id=user.id))


@endpoint(bp, "/users/me", summary="Get your own account", tag="Users", response=UserRead)
def get_me() -> Response:
    return respond(user_read(g.api_user))


@endpoint(
    bp,
    "/users/me",
    method="PUT",
    summary="Update your profile",
    tag="Users",
    body=ProfileUpdate,
    response=UserRead,
    if_match=True,
)
def update_me(body: ProfileUpdate, version: int) -> Response:
    """Name, language and time zone."""
    me: User = g.api_user
    if version != me.version:
        raise PreconditionFailed(
            _l(
                "Your account changed since you read it (you sent version %(yours)s, "
                "it is now version %(current)s). Read it again.",
                yours=version,
                current=me.version,
            ),
            current_version=me.version,
        )
    return respond(user_read(accounts.update_profile(get_session(), current_actor(), body)))


@endpoint(bp, "/users/<id:user_id>", summary="Get a user", tag="Users", response=UserRead)
def get_user(user_id: int) -> Response:
    require(current_actor(), "users.manage")
    return respond(user_read(get_or_404(get_session(), User, user_id)))


@endpoint(
    bp,
    "/users/<id:user_id>",
    method="PUT",
    summary="Replace a user",
    tag="Users",
    body=UserUpdate,
    response=UserRead,
    if_match=True,
)
def update_user(user_id: int, body: UserUpdate, version: int) -> Response:
    """Roles, name, language, time zone; is_active: false disables the user everywhere."""
    user = accounts.update_user(get_session(), current_actor(), user_id, body, version)
    return respond(user_read(user))


# --- tokens ----------------------------------------------------------------------------------


class TokenQuery(ListQuery):
    sort: str = sort_by("created_at", "name", "id", default="-created_at")


@endpoint(
    bp,
    "/tokens",
    summary="List your tokens",
    tag="Tokens",
    query=TokenQuery,
    response=Page[TokenRead],
)
def list_tokens(query: TokenQuery) -> Response:
    """Revoked and expired tokens are listed too; the secrets never are."""
    stmt = select(ApiToken).where(ApiToken.user_id == current_actor().user_id)
    page = page_of(get_session(), ordered(stmt, ApiToken, query.sort), query)
    return respond_page(page, lambda token: read_from(TokenRead, token))


@endpoint(
    bp,
    "/tokens",
    method="POST",
    summary="Create a token",
    tag="Tokens",
    body=TokenCreate,
    response=TokenCreated,
    status=201,
)
def create_token(body: TokenCreate) -> Response:
    """The response holds the secret; it is not shown again. expires_in_days: null means
    the token never expires."""
    token, secret = accounts.create_token(get_session(), current_actor(), body)
    created = read_from(TokenCreated, token, secret=secret)
    return respond(created, 201, url_for(".get_token", token_id=token.id))


@endpoint(bp, "/tokens/<id:token_id>", summary="Get a token", tag="Tokens", response=TokenRead)
def get_token(token_id: int) -> Response:
    actor = current_actor()
    token = get_or_404(get_session(), ApiToken, token_id)
    if token.user_id != actor.user_id:
        require(actor, "users.manage")
    return respond(read_from(TokenRead, token))


@endpoint(bp, "/tokens/<id:token_id>", method="DELETE", summary="Revoke a token", tag="Tokens")
def revoke_token(token_id: int) -> Response:
    """Takes effect at once, also for the token making this call. Revoking is final and
    repeatable, so tokens carry no version and need no If-Match."""
    accounts.revoke_token(get_session(), current_actor(), token_id)
    return no_content()
