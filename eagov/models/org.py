"""Organisation: units (tree plus matrix links), people, positions, Architecture Boards."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from .base import Versioned, ts_field, utcnow


class UnitKind(StrEnum):
    ENTERPRISE = "enterprise"
    DIVISION = "division"
    BUSINESS_UNIT = "business_unit"
    FUNCTION = "function"
    PRODUCT_LINE = "product_line"
    CUSTOMER_SEGMENT = "customer_segment"
    REGION = "region"
    TEAM = "team"
    BOARD = "board"


class ArchitectureRole(StrEnum):
    BOARD_MEMBER = "board_member"
    SPONSOR = "sponsor"
    EA_MANAGER = "ea_manager"
    ENTERPRISE_ARCHITECT_TECHNOLOGY = "ea_technology"
    ENTERPRISE_ARCHITECT_DATA = "ea_data"
    ENTERPRISE_ARCHITECT_APPLICATIONS = "ea_applications"
    ENTERPRISE_ARCHITECT_BUSINESS = "ea_business"
    PROGRAMME_MANAGER = "programme_manager"
    IT_DESIGNER = "it_designer"


class BoardLevel(StrEnum):
    GLOBAL = "global"
    LOCAL = "local"


class BoardRole(StrEnum):
    CHAIR = "chair"
    MEMBER = "member"
    SECRETARY = "secretary"


class OrgUnit(Versioned, table=True):
    __tablename__ = "org_unit"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    code: str | None = Field(default=None, max_length=40, unique=True)
    kind: str = Field(max_length=32)
    parent_id: int | None = Field(
        default=None, foreign_key="org_unit.id", index=True, ondelete="RESTRICT"
    )
    description: str = Field(default="", sa_type=Text)
    created_at: datetime = ts_field(default_factory=utcnow)
    updated_at: datetime = ts_field(default_factory=utcnow, sa_column_kwargs={"onupdate": utcnow})


class OrgLink(SQLModel, table=True):
    """A dotted-line (matrix) relation from one unit to another."""

    __tablename__ = "org_link"
    __table_args__ = (
        UniqueConstraint("from_unit_id", "to_unit_id"),
        CheckConstraint("from_unit_id <> to_unit_id", name="not_self"),
    )

    id: int | None = Field(default=None, primary_key=True)
    from_unit_id: int = Field(foreign_key="org_unit.id", index=True, ondelete="CASCADE")
    to_unit_id: int = Field(foreign_key="org_unit.id", index=True, ondelete="CASCADE")
    note: str = Field(default="", max_length=200)


class Person(Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    email: str = Field(max_length=254, unique=True)
    phone: str = Field(default="", max_length=40)
    org_unit_id: int | None = Field(
        default=None, foreign_key="org_unit.id", index=True, ondelete="SET NULL"
    )
    user_id: int | None = Field(
        default=None, foreign_key="user.id", unique=True, ondelete="SET NULL"
    )
    created_at: datetime = ts_field(default_factory=utcnow)

    org_unit: OrgUnit | None = Relationship(sa_relationship_kwargs={"lazy": "raise"})


class Position(Versioned, table=True):
    """A job description: what the holder does and how their performance is judged."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    org_unit_id: int = Field(foreign_key="org_unit.id", index=True, ondelete="CASCADE")
    reports_to_id: int | None = Field(
        default=None, foreign_key="position.id", index=True, ondelete="SET NULL"
    )
    holder_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    architecture_role: str | None = Field(default=None, max_length=32)
    duties: str = Field(default="", sa_type=Text)
    requirements: str = Field(default="", sa_type=Text)
    performance_criteria: str = Field(default="", sa_type=Text)


class Board(Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    level: str = Field(max_length=16)
    parent_board_id: int | None = Field(
        default=None, foreign_key="board.id", index=True, ondelete="SET NULL"
    )
    org_unit_id: int | None = Field(default=None, foreign_key="org_unit.id", ondelete="SET NULL")
    quorum: int = Field(default=3)
    description: str = Field(default="", sa_type=Text)


class BoardMember(SQLModel, table=True):
    __tablename__ = "board_member"

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    role: str = Field(default=BoardRole.MEMBER, max_length=16)
    term_start: date
    term_end: date | None = None

    person: Person = Relationship(sa_relationship_kwargs={"lazy": "raise"})
