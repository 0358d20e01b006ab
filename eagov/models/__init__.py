"""Table models. Importing this package registers every table on the metadata."""

from .accounts import ApiToken, LoginAttempt, Role, User, UserRole
from .audit import AuditEvent
from .base import Versioned, metadata, utcnow
from .org import (
    ArchitectureRole,
    Board,
    BoardLevel,
    BoardMember,
    BoardRole,
    OrgLink,
    OrgUnit,
    Person,
    Position,
    UnitKind,
)

__all__ = [
    "ApiToken",
    "ArchitectureRole",
    "AuditEvent",
    "Board",
    "BoardLevel",
    "BoardMember",
    "BoardRole",
    "LoginAttempt",
    "OrgLink",
    "OrgUnit",
    "Person",
    "Position",
    "Role",
    "UnitKind",
    "User",
    "UserRole",
    "Versioned",
    "metadata",
    "utcnow",
]
