"""Accounts: users and roles, passwords, login with lockout, invitations, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, update
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import ApiToken, LoginAttempt, User, UserRole, utcnow
from ..permissions import Actor, require
from ..schemas.accounts import PasswordChange, ProfileUpdate, TokenCreate, UserCreate, UserUpdate
from . import audit
from .audit import as_utc
from .common import check_version, commit, flush, get_or_404

_hasher = PasswordHasher()
TOKEN_PREFIX = "eag_"  # noqa: S105 - a public marker, not a secret


def configure_hasher(time_cost: int, memory_cost: int) -> None:
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class LockoutPolicy:
    window: timedelta = timedelta(minutes=15)
    max_per_account: int = 5
    max_per_address: int = 20


class LoginRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "invalid" | "locked" | "disabled"


def authenticate(
    session: Session,
    email: str,
    password: str,
    address: str,
    policy: LockoutPolicy,
    now: datetime | None = None,
) -> User:
    """Check a password; count failures per account and per client address in the database.

    While either counter is over its limit every attempt is refused, even with the right
    password, so guessing cannot continue by luck. The same message is given for an unknown
    account and a wrong password.
    """
    now = now or utcnow()
    email = email.strip().lower()
    if _locked(session, email, address, policy, now):
        _note_attempt(session, email, address, False, now)
        raise LoginRefused("locked")
    user = session.exec(select(User).where(User.email == email)).first()
    ok = False
    if user is not None and user.password_hash:
        try:
            ok = _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        # Spend the same time as a real check, so timing does not reveal which accounts exist.
        _hasher.hash(password)
    if not ok or user is None:
        _note_attempt(session, email, address, False, now)
        raise LoginRefused("invalid")
    if not user.is_active:
        _note_attempt(session, email, address, False, now)
        raise LoginRefused("disabled")
    # Bookkeeping goes around the ORM so a sign-in never bumps the row's edit version
    # (an administrator editing the user meanwhile must not get a conflict from it).
    values: dict[str, Any] = {"last_login_at": now}
    if _hasher.check_needs_rehash(user.password_hash or ""):
        values["password_hash"] = _hasher.hash(password)
    session.execute(update(User).where(col(User.id) == user.id).values(**values))
    _note_attempt(session, email, address, True, now)
    session.refresh(user)
    return user


def _locked(
    session: Session, email: str, address: str, policy: LockoutPolicy, now: datetime
) -> bool:
    since = now - policy.window
    if _failures(session, col(LoginAttempt.email), email, since, True) >= policy.max_per_account:
        return True
    # A success does not reset the address counter: one's own account must not clear it.
    by_address = _failures(session, col(LoginAttempt.address), address, since, False)
    return by_address >= policy.max_per_address


def _failures(
    session: Session, key_col: Any, key_value: str, since: datetime, reset_on_success: bool
) -> int:
    """Failures on one key (account or address) inside the window."""
    start = since
    if reset_on_success:
        last_ok = session.exec(
            select(func.max(LoginAttempt.at)).where(key_col == key_value, LoginAttempt.succeeded)
        ).one()
        start = max(since, as_utc(last_ok)) if last_ok else since
    return session.exec(
        select(func.count())
        .select_from(LoginAttempt)
        .where(key_col == key_value, ~col(LoginAttempt.succeeded), LoginAttempt.at > start)
    ).one()


def _note_attempt(session: Session, email: str, address: str, ok: bool, now: datetime) -> None:
    session.add(LoginAttempt(email=email[:254], address=address[:64], succeeded=ok, at=now))
    session.commit()


# --- users -------------------------------------------------------------------------------


def create_user(
    session: Session,
    actor: Actor,
    data: UserCreate,
    *,
    now: datetime | None = None,
    invite_days: int = 7,
) -> tuple[User, str | None]:
    """Create an account. Without a password the user gets an invitation token to set one."""
    require(actor, "users.manage")
    now = now or utcnow()
    if session.exec(select(User.id).where(User.email == data.email)).first():
        raise Invalid(errors={"email": _l("A user with this e-mail address already exists.")})
    user = User(email=data.email, name=data.name, locale=data.locale, timezone=data.timezone)
    invite: str | None = None
    if data.password:
        user.password_hash = hash_password(data.password)
    else:
        invite = secrets.token_urlsafe(32)
        user.invite_token_hash = sha256(invite)
        user.invite_expires_at = now + timedelta(days=invite_days)
    user.roles = [UserRole(role=r.value) for r in dict.fromkeys(data.roles)]
    session.add(user)
    session.flush()
    changes = audit.snapshot(user) | {"roles": sorted(user.role_names)}
    audit.record(
        session, actor, "invite" if invite else "create", "user", user.id, changes, now=now
    )
    commit(session)
    return user, invite


def update_user(
    session: Session, actor: Actor, user_id: int, data: UserUpdate, expected_version: int | None
) -> User:
    require(actor, "users.manage")
    user = get_or_404(session, User, user_id)
    check_version(user, expected_version)
    if actor.user_id == user.id and (not data.is_active or "admin" not in data.roles):
        raise Invalid(
            errors={"roles": _l("You cannot remove your own admin role or disable yourself.")}
        )
    before = audit.snapshot(user) | {"roles": sorted(user.role_names)}
    user.name, user.is_active = data.name, data.is_active
    user.locale, user.timezone = data.locale, data.timezone
    wanted = {r.value for r in data.roles}
    user.roles = [r for r in user.roles if r.role in wanted] + [
        UserRole(role=r) for r in sorted(wanted - user.role_names)
    ]
    if not data.is_active:
        user.session_epoch += 1  # a disabled user is signed out everywhere
    after = audit.snapshot(user) | {"roles": sorted(wanted)}
    changes = audit.diff(before, after)
    if changes:
        # Roles live in their own table: mark the row changed so its version moves on too.
        flag_modified(user, "name")
        session.add(user)
        flush(session)
        audit.record(session, actor, "update", "user", user.id, changes)
        commit(session)
    return user


def update_profile(session: Session, actor: Actor, data: ProfileUpdate) -> User:
    user = _self(session, actor)
    before = audit.snapshot(user)
    user.name, user.locale, user.timezone = data.name, data.locale, data.timezone
    changes = audit.diff(before, audit.snapshot(user))
    if changes:
        session.add(user)
        session.flush()
        audit.record(session, actor, "update_profile", "user", user.id, changes)
        commit(session)
    return user


def change_password(session: Session, actor: Actor, data: PasswordChange) -> User:
    """Set a new password and end every other session of the user (the epoch moves on)."""
    user = _self(session, actor)
    try:
        _hasher.verify(user.password_hash or "", data.current_password)
    except (VerificationError, InvalidHashError) as exc:
        raise Invalid(
            errors={"current_password": _l("The current password is not correct.")}
        ) from exc
    if data.new_password == data.current_password:
        raise Invalid(
            errors={"new_password": _l("Choose a password different from the current one.")}
        )
    user.password_hash = hash_password(data.new_password)
    user.session_epoch += 1
    session.add(user)
    session.flush()
    audit.record(session, actor, "change_password", "user", user.id, {})
    commit(session)
    return user


def find_invited(session: Session, token: str, now: datetime | None = None) -> User:
    now = now or utcnow()
    user = session.exec(select(User).where(User.invite_token_hash == sha256(token))).first()
    if user is None or user.invite_expires_at is None or as_utc(user.invite_expires_at) < now:
        raise NotFound(
            _l(
                "This invitation link is not valid or has expired. "
                "Ask an administrator for a new one."
            )
        )
    return user


def accept_invite(session: Session, token: str, password: str, now: datetime | None = None) -> User:
    user = find_invited(session, token, now)
    user.password_hash = hash_password(password)
    user.invite_token_hash = None
    user.invite_expires_at = None
    user.session_epoch += 1
    session.add(user)
    session.flush()
    audit.record(session, Actor.of(user), "accept_invite", "user", user.id, {})
    commit(session)
    return user


def reissue_invite(session: Session, actor: Actor, user_id: int, days: int = 7) -> str:
    require(actor, "users.manage")
    user = get_or_404(session, User, user_id)
    invite = secrets.token_urlsafe(32)
    user.invite_token_hash = sha256(invite)
    user.invite_expires_at = utcnow() + timedelta(days=days)
    session.add(user)
    session.flush()
    audit.record(session, actor, "invite", "user", user.id, {})
    commit(session)
    return invite


def _self(session: Session, actor: Actor) -> User:
    if actor.user_id is None:
        raise Forbidden(_l("Only a signed-in user can change their own account."))
    return get_or_404(session, User, actor.user_id)


# --- API tokens ----------------------------------------------------------------------------


def create_token(
    session: Session,
    actor: Actor,
    data: TokenCreate,
    *,
    user_id: int | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Issue a personal token. The secret is returned once; only its hash is stored."""
    now = now or utcnow()
    owner_id = user_id if user_id is not None else actor.user_id
    if owner_id is None:
        raise Invalid(errors={"user": _l("Name the user who will own the token.")})
    if owner_id != actor.user_id:
        require(actor, "users.manage")
    owner = get_or_404(session, User, owner_id)
    if not owner.is_active:
        raise Conflict(_l("A disabled user cannot hold API tokens."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = now + timedelta(days=data.expires_in_days) if data.expires_in_days else None
    token = ApiToken(
        user_id=owner_id,
        name=data.name,
        token_hash=sha256(secret),
        prefix=secret[:12],
        created_at=now,
        expires_at=expires,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "api_token",
        token.id,
        {"user_id": owner_id, "name": data.name, "expires_at": expires},
        now=now,
    )
    commit(session)
    return token, secret


def list_tokens(session: Session, actor: Actor, user_id: int | None = None) -> list[ApiToken]:
    owner_id = user_id if user_id is not None else actor.user_id
    if owner_id != actor.user_id:
        require(actor, "users.manage")
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == owner_id)
            .order_by(col(ApiToken.created_at).desc())
        ).all()
    )


def revoke_token(
    session: Session, actor: Actor, token_id: int, now: datetime | None = None
) -> ApiToken:
    token = get_or_404(session, ApiToken, token_id)
    if token.user_id != actor.user_id:
        require(actor, "users.manage")
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        session.add(token)
        session.flush()
        audit.record(session, actor, "revoke", "api_token", token.id, {"user_id": token.user_id})
        commit(session)
    return token


def user_for_token(session: Session, secret: str, now: datetime | None = None) -> User | None:
    now = now or utcnow()
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == sha256(secret))).first()
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and as_utc(token.expires_at) <= now:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    # Note use at most once a minute: a busy script should not write on every call.
    if token.last_used_at is None or now - as_utc(token.last_used_at) > timedelta(minutes=1):
        token.last_used_at = now
        session.add(token)
        session.commit()
    return user


def password_matches(session: Session, actor: Actor, password: str) -> bool:
    """Re-check the signed-in user's password (signing asks for it again)."""
    if actor.user_id is None:
        return False
    user = session.get(User, actor.user_id)
    if user is None or not user.is_active or not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def users_query(
    actor: Actor, q: str | None = None, role: str | None = None, is_active: bool | None = None
) -> SelectOfScalar[User]:
    """Users for the admin list and the API: search name and e-mail (wildcards literal)."""
    require(actor, "users.manage")
    stmt = select(User)
    if q:
        stmt = stmt.where(
            or_(
                col(User.name).icontains(q, autoescape=True),
                col(User.email).icontains(q, autoescape=True),
            )
        )
    if role:
        stmt = stmt.where(col(User.roles).any(role=role))
    if is_active is not None:
        stmt = stmt.where(User.is_active == is_active)
    return stmt
