"""Demonstration of people's skills: 20 people of the demo organisation (the eight demo
logins and twelve staff) with roles held and targeted and skill assessments over the past
two years from all three sources, so that gaps, coverage, candidates and training needs have
something to show, and so that "the latest agreed assessment" matters:

- an old manager assessment of each skill, a newer board assessment of some (higher or
  lower), and recent self-assessments that claim more than was agreed;
- some self-assessments confirmed by the manager (the Chief Architect confirms for the
  people whose positions report to theirs), others still waiting.

Built through the services (the audit trail records it) in one transaction. Runs after the
demo organisation exists; the shipped skills framework is imported when there is none.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from .models import Person, User
from .permissions import SYSTEM, Actor
from .schemas.skill_assessments import AssessmentIn, ConfirmIn, PersonRoleIn
from .services import skill_assessments as svc
from .services import skill_frameworks, skills_gaps
from .services.common import one_transaction

DOMAIN = "demo.eagov.example"
LOGINS = (
    "chair",
    "member",
    "architect",
    "coordinator",
    "admin",
    "sponsor",
    "contributor",
    "viewer",
)
STAFF = 12
SKILLS_PER_PERSON = 10

# Roles beyond those the demo positions give (chair and coordinator: EA manager, architect:
# applications, member: technology, staff 0-2: data, business, IT designer).
HELD: dict[str | int, str] = {
    "sponsor": "sponsor",
    "contributor": "it_designer",
    "admin": "programme_manager",
    3: "board_member",
    4: "board_member",
    5: "programme_manager",
    6: "ea_technology",
    7: "programme_manager",
    8: "it_designer",
    9: "ea_applications",
    10: "ea_technology",
    11: "ea_business",
}
TARGETS: dict[str | int, str] = {
    "architect": "ea_manager",
    "contributor": "ea_applications",
    "viewer": "ea_business",
    2: "ea_technology",
    7: "ea_manager",
    8: "ea_applications",
    9: "ea_data",
    0: "ea_manager",
}
# How far an old agreed level sits from the requirement, by (person, skill) rotation.
OFFSETS = (-2, -1, 0, 0, 1, -1, 0, -3)


def _people(session: Session) -> list[tuple[str | int, Person]]:
    logins = dict(
        session.exec(
            select(User.email, Person)
            .join(Person, col(Person.user_id) == User.id)
            .where(col(User.email).in_([f"{k}@{DOMAIN}" for k in LOGINS]))
        ).all()
    )
    out: list[tuple[str | int, Person]] = [
        (k, logins[f"{k}@{DOMAIN}"]) for k in LOGINS if f"{k}@{DOMAIN}" in logins
    ]
    staff = session.exec(
        select(Person)
        .where(col(Person.user_id).is_(None), col(Person.email).like(f"%@{DOMAIN}"))
        .order_by(col(Person.id))
        .limit(STAFF)
    ).all()
    out += list(enumerate(staff))
    return out


def load(session: Session, now: datetime) -> None:
    skill_frameworks.ensure_shipped_framework(session)
    view = skills_gaps.load_framework(session)
    roles = {r.key: r for r in view.roles}
    today = now.date()
    people = _people(session)
    by_key = {k: p for k, p in people}
    chair_user = session.exec(select(User).where(User.email == f"chair@{DOMAIN}")).first()
    chair = Actor.of(chair_user) if chair_user else SYSTEM
    users = {
        u.id: u
        for u in session.exec(
            select(User).where(col(User.id).in_([p.user_id for _k, p in people if p.user_id]))
        ).all()
    }
    with one_transaction(session):
        for mapping, relation in ((HELD, "held"), (TARGETS, "target")):
            for key, role_key in mapping.items():
                person, role = by_key.get(key), roles.get(role_key)
                if person is None or role is None:
                    continue
                svc.add_role(
                    session,
                    SYSTEM,
                    PersonRoleIn(
                        person_id=person.id,
                        role_id=role.id,
                        relation=relation,
                        since=today - timedelta(days=300) if relation == "held" else None,
                    ),
                )
        links = svc.roles_of(session, view.framework_id, [p.id for _k, p in people])
        reports = svc.reports_of(session, _person_id_of(session, chair_user))
        for index, (_key, person) in enumerate(people):
            assert person.id is not None
            need: dict[int, int] = {}
            for lk in links.get(person.id, []):
                for sid, lv in view.requirements.get(lk.role_id, {}).items():
                    need[sid] = max(need.get(sid, 0), lv)
            chosen = sorted(need.items(), key=lambda kv: (-kv[1], kv[0]))[:SKILLS_PER_PERSON]
            own_actor = Actor.of(users[person.user_id]) if person.user_id in users else None
            for n, (skill_id, required) in enumerate(chosen):
                _assess_skill(
                    session,
                    person.id,
                    skill_id,
                    required,
                    index + n,
                    today,
                    own_actor,
                    chair if person.id in reports else None,
                )


def _person_id_of(session: Session, user: User | None) -> int:
    if user is None:
        return -1
    person = session.exec(select(Person).where(Person.user_id == user.id)).first()
    return person.id if person and person.id else -1


def _level(value: int) -> int:
    return min(max(value, 1), 4)


def _assess_skill(
    session: Session,
    person_id: int,
    skill_id: int,
    required: int,
    turn: int,
    today: date,
    own_actor: Actor | None,
    manager: Actor | None,
) -> None:
    old = _level(required + OFFSETS[turn % len(OFFSETS)])
    svc.record(
        session,
        SYSTEM,
        AssessmentIn(
            person_id=person_id,
            skill_id=skill_id,
            level=old,
            source="manager",
            assessed_on=today - timedelta(days=600 - 7 * (turn % 10)),
            evidence="Annual review.",
        ),
        today=today,
    )
    if turn % 3 == 0:
        svc.record(
            session,
            SYSTEM,
            AssessmentIn(
                person_id=person_id,
                skill_id=skill_id,
                level=_level(old + (1 if turn % 2 else -1)),
                source="board_assessment",
                assessed_on=today - timedelta(days=200 - 3 * (turn % 10)),
                evidence="Observed in compliance reviews and board papers.",
            ),
            today=today,
        )
    if own_actor is not None and turn % 2 == 0:
        own = svc.record(
            session,
            own_actor,
            AssessmentIn(
                person_id=person_id,
                skill_id=skill_id,
                level=_level(old + 1),
                source="self",
                assessed_on=today - timedelta(days=30 + turn % 20),
                evidence="Led this on my last two projects.",
            ),
            today=today,
        )
        if manager is not None and turn % 4 == 0:
            svc.confirm(session, manager, own.id, ConfirmIn(note="Agreed."), today=today)  # type: ignore[arg-type]
