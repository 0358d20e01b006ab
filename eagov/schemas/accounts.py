from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import EmailStr, Field, StringConstraints, field_validator

from ..models import Role
from .common import Name, Schema, TimeZone

Password = Annotated[str, StringConstraints(min_length=10, max_length=256, strip_whitespace=False)]
Locale = Literal["en", "zh_Hans"]


def _lower(value: str) -> str:
    return value.lower()


class UserCreate(Schema):
    email: EmailStr
    name: Name
    roles: list[Role] = Field(min_length=1)
    password: Password | None = None
    locale: Locale | None = None
    timezone: TimeZone = None

    _email = field_validator("email")(_lower)


class UserUpdate(Schema):
    name: Name
    roles: list[Role] = Field(min_length=1)
    is_active: bool = True
    locale: Locale | None = None
    timezone: TimeZone = None


class ProfileUpdate(Schema):
    name: Name
    locale: Locale | None = None
    timezone: TimeZone = None


class PasswordChange(Schema):
    current_password: str = Field(min_length=1)
    new_password: Password


class InviteAccept(Schema):
    new_password: Password


class TokenCreate(Schema):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    expires_in_days: int | None = Field(default=90, ge=1, le=3650)


class UserRead(Schema):
    id: int
    email: str
    name: str
    roles: list[str]
    is_active: bool
    locale: str | None
    timezone: str | None
    created_at: datetime
    last_login_at: datetime | None
    version: int


class TokenRead(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
