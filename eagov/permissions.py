"""Who may do what. Services call ``require``; views use ``can`` to hide what is refused."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from .errors import Forbidden
from .models import Role, User

R = Role
_ALL = frozenset(r.value for r in Role)
_GOVERNANCE = frozenset({R.ADMIN, R.BOARD_CHAIR, R.BOARD_MEMBER, R.REVIEW_COORDINATOR})

# permission -> roles that hold it. Reading the organisation is open to every signed-in user.
PERMISSIONS: dict[str, frozenset[str]] = {
    "org.read": _ALL,
    "org.edit": frozenset({R.ADMIN, R.REVIEW_COORDINATOR}),
    "people.edit": frozenset({R.ADMIN, R.REVIEW_COORDINATOR}),
    "board.edit": frozenset({R.ADMIN, R.BOARD_CHAIR, R.REVIEW_COORDINATOR}),
    "users.manage": frozenset({R.ADMIN}),
    "audit.read": _GOVERNANCE,
    "tokens.own": _ALL,
    # Contracts. Reading is further limited for sponsors and contributors to the contracts
    # they take part in (services.contracts.visible_to).
    "contracts.read": _ALL,
    "contracts.read_all": frozenset(
        {R.ADMIN, R.BOARD_CHAIR, R.BOARD_MEMBER, R.REVIEW_COORDINATOR, R.ARCHITECT, R.VIEWER}
    ),
    "contracts.edit": frozenset({R.ADMIN, R.REVIEW_COORDINATOR, R.ARCHITECT}),
    "contracts.review": frozenset({R.BOARD_CHAIR, R.REVIEW_COORDINATOR}),
    "contracts.approve": frozenset({R.BOARD_CHAIR}),
    "contracts.close": frozenset({R.BOARD_CHAIR, R.ADMIN}),
    "contracts.amend": frozenset({R.ADMIN, R.REVIEW_COORDINATOR, R.ARCHITECT, R.SPONSOR}),
    "deliverables.accept": frozenset({R.BOARD_CHAIR, R.BOARD_MEMBER}),
    "deliverables.waive": frozenset({R.BOARD_CHAIR}),
    "reviews.read": _ALL,
    "reviews.request": _ALL,
    "reviews.coordinate": frozenset({R.ADMIN, R.REVIEW_COORDINATOR}),
    "reviews.work": frozenset({R.ADMIN, R.REVIEW_COORDINATOR, R.ARCHITECT}),
    "reviews.sign_off": frozenset({R.BOARD_CHAIR}),
    "dispensations.decide": frozenset({R.BOARD_CHAIR}),
    "checklists.read": _ALL,
    "checklists.manage": frozenset({R.ADMIN, R.REVIEW_COORDINATOR}),
    # Board operations. Running a meeting (attendance taken in session, minutes, opening and
    # closing) is for the chair and the co-ordinator acting as secretary; before the meeting,
    # invitations and apologies are managed like its schedule (meetings.manage, which the
    # administrator also holds). Decisions are the chair's to record.
    "meetings.read": _ALL,
    "meetings.manage": frozenset({R.ADMIN, R.BOARD_CHAIR, R.REVIEW_COORDINATOR}),
    "meetings.run": frozenset({R.BOARD_CHAIR, R.REVIEW_COORDINATOR}),
    "decisions.read": _ALL,
    "decisions.record": frozenset({R.BOARD_CHAIR}),
    "actions.read": _ALL,
    "actions.manage": _GOVERNANCE,
    # Governance requests: anyone files and sees their own; the desk sees all.
    "requests.file": _ALL,
    "requests.read_all": _GOVERNANCE | {R.ARCHITECT},
    "requests.triage": frozenset({R.ADMIN, R.REVIEW_COORDINATOR}),
    "requests.work": frozenset({R.ADMIN, R.REVIEW_COORDINATOR, R.ARCHITECT}),
    "requests.targets": frozenset({R.ADMIN, R.REVIEW_COORDINATOR}),
    "kpis.read": _ALL - {R.CONTRIBUTOR},
    "calendar.read": _ALL,
    # Maturity: co-ordinators set assessments up; the named facilitator consolidates and
    # publishes; named assessors score (both checked per assessment in the services).
    "maturity.read": _ALL,
    "maturity.manage": frozenset({R.ADMIN, R.REVIEW_COORDINATOR}),
    "maturity.facilitate": frozenset({R.ADMIN, R.REVIEW_COORDINATOR, R.ARCHITECT}),
    # Skills: everyone reads the framework and their own skills; people's skills are
    # personal data, read by the governance roles and architects (and a person's manager).
    "skills.read": _ALL,
    "skills.manage": frozenset({R.ADMIN, R.REVIEW_COORDINATOR}),
    "skills.read_all": _GOVERNANCE | {R.ARCHITECT},
    "skills.assess": _GOVERNANCE | {R.ARCHITECT},
    # Reminders: everyone has an inbox and preferences; the rules and the scheduler are
    # the co-ordinators' and administrators'.
    "notifications.own": _ALL,
    "reminders.read": _GOVERNANCE | {R.ARCHITECT},
    "reminders.manage": frozenset({R.ADMIN, R.REVIEW_COORDINATOR}),
    "scheduler.admin": frozenset({R.ADMIN}),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, or the system (CLI, scheduler, migrations)."""

    user_id: int | None
    label: str
    roles: frozenset[str] = field(default_factory=frozenset)
    system: bool = False

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.email, frozenset(user.role_names))

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and not self.system

    def can(self, permission: str) -> bool:
        if self.system:
            return True
        return bool(self.roles & PERMISSIONS[permission])


SYSTEM = Actor(None, "system", frozenset({R.ADMIN.value}), system=True)
ANONYMOUS = Actor(None, "anonymous")


def require(actor: Actor, permission: str) -> None:
    if not actor.can(permission):
        raise Forbidden(_l("Your roles do not allow this (%(permission)s).", permission=permission))
