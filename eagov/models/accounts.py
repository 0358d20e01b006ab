"""User accounts, roles, login attempts and personal API tokens."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, Relationship, SQLModel

from .base import Versioned, ts_field, utcnow


class Role(StrEnum):
    ADMIN = "admin"
    BOARD_CHAIR = "board_chair"
    BOARD_MEMBER = "board_member"
    REVIEW_COORDINATOR = "review_coordinator"
    ARCHITECT = "architect"
    SPONSOR = "sponsor"
    CONTRIBUTOR = "contributor"
    VIEWER = "viewer"


class User(Versioned, table=True):
    __audit_exclude__ = ("password_hash", "invite_token_hash", "session_epoch", "last_login_at")

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=254)
    name: str = Field(max_length=200)
    password_hash: str | None = Field(default=None, max_length=255)
    is_active: bool = Field(default=True)
    locale: str | None = Field(default=None, max_length=16)
    timezone: str | None = Field(default=None, max_length=64)
    # Bumped when the password changes: sessions carrying an older epoch are ended.
    session_epoch: int = Field(default=1)
    invite_token_hash: str | None = Field(default=None, max_length=64, index=True)
    invite_expires_at: datetime | None = ts_field(default=None, nullable=True)
    created_at: datetime = ts_field(default_factory=utcnow)
    last_login_at: datetime | None = ts_field(default=None, nullable=True)

    roles: list["UserRole"] = Relationship(
        back_populates="user",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "lazy": "selectin"},
    )

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names & set(roles))

    # Flask-Login's user protocol (is_active is the column above).
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class UserRole(SQLModel, table=True):
    __tablename__ = "user_role"

    user_id: int | None = Field(
        default=None, foreign_key="user.id", primary_key=True, ondelete="CASCADE"
    )
    role: str = Field(primary_key=True, max_length=32)

    user: User = Relationship(back_populates="roles")


class LoginAttempt(SQLModel, table=True):
    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, max_length=254)
    address: str = Field(index=True, max_length=64)
    succeeded: bool = Field(default=False)
    at: datetime = ts_field(default_factory=utcnow, index=True)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    # SHA-256 of the secret: tokens are long random strings, so a fast hash is enough.
    token_hash: str = Field(unique=True, max_length=64)
    prefix: str = Field(max_length=12)
    created_at: datetime = ts_field(default_factory=utcnow)
    last_used_at: datetime | None = ts_field(default=None, nullable=True)
    expires_at: datetime | None = ts_field(default=None, nullable=True)
    revoked_at: datetime | None = ts_field(default=None, nullable=True)
