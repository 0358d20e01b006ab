"""Personal calendar feeds."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import ts_field, utcnow


class CalendarFeed(SQLModel, table=True):
    """A user's secret iCalendar feed address; revoking it stops the old address working."""

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = ts_field(default_factory=utcnow)
    last_used_at: datetime | None = ts_field(default=None, nullable=True)
    revoked_at: datetime | None = ts_field(default=None, nullable=True)
