"""Shared column helpers and the metadata naming convention (set before any table)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    return datetime.now(UTC)


def ts_field(**kwargs: Any) -> Any:
    """A timezone-aware timestamp column (stored as UTC)."""
    nullable = kwargs.pop("nullable", False)
    return Field(sa_type=DateTime(timezone=True), nullable=nullable, **kwargs)


class Versioned(SQLModel):
    """Editable rows: the mapper bumps ``version`` and refuses an UPDATE that lost a race."""

    version: int = Field(default=1, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]
