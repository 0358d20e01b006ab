"""Checklist libraries for compliance reviews: versioned, imported from YAML."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import ts_field, utcnow


class ChecklistLibrary(SQLModel, table=True):
    """One version of a library. A newer version is a new row: reviews keep the one they used."""

    __tablename__ = "checklist_library"
    __table_args__ = (UniqueConstraint("identifier", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    identifier: str = Field(max_length=80, index=True)
    version: str = Field(max_length=40)
    languages: list[str] = Field(default_factory=list, sa_type=JSON)
    title: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    description: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    # The file as imported, so an export gives back what came in.
    source: str = Field(sa_type=Text)
    imported_at: datetime = ts_field(default_factory=utcnow)
    imported_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class ChecklistCategory(SQLModel, table=True):
    __tablename__ = "checklist_category"
    __table_args__ = (UniqueConstraint("library_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    library_id: int = Field(foreign_key="checklist_library.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=60)
    position: int
    title: dict[str, str] = Field(default_factory=dict, sa_type=JSON)


class ChecklistItem(SQLModel, table=True):
    __tablename__ = "checklist_item"
    __table_args__ = (UniqueConstraint("library_id", "reference"),)

    id: int | None = Field(default=None, primary_key=True)
    library_id: int = Field(foreign_key="checklist_library.id", index=True, ondelete="CASCADE")
    category_id: int = Field(foreign_key="checklist_category.id", index=True, ondelete="CASCADE")
    reference: str = Field(max_length=20)
    position: int
    weight: int = Field(default=2)
    question: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    guidance: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    principle: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
