"""Table models. Importing this package registers every table on the metadata."""

from .accounts import ApiToken, LoginAttempt, Role, User, UserRole
from .audit import AuditEvent
from .base import Versioned, metadata, utcnow
from .contracts import (
    AdmPhase,
    Capacity,
    Contract,
    ContractMetric,
    ContractStatus,
    ContractType,
    ContractVersion,
    Deliverable,
    DeliverableStatus,
    Signature,
    VersionState,
)
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
    "AdmPhase",
    "ApiToken",
    "ArchitectureRole",
    "AuditEvent",
    "Board",
    "BoardLevel",
    "BoardMember",
    "BoardRole",
    "Capacity",
    "Contract",
    "ContractMetric",
    "ContractStatus",
    "ContractType",
    "ContractVersion",
    "Deliverable",
    "DeliverableStatus",
    "LoginAttempt",
    "OrgLink",
    "OrgUnit",
    "Person",
    "Position",
    "Role",
    "Signature",
    "UnitKind",
    "User",
    "UserRole",
    "VersionState",
    "Versioned",
    "metadata",
    "utcnow",
]
