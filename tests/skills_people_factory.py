"""A small skills framework and organisation for the people's-skills tests, added as rows.

Framework: two categories, four skills, two roles.
- generic: leadership, teamwork
- ea: data-design, application-design
- ea_data (Enterprise architect (data)): leadership 3, teamwork 2, data-design 4
- ea_applications: leadership 2, application-design 3, data-design 2
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from eagov.models import (
    OrgUnit,
    Person,
    PersonRole,
    Position,
    RoleRequirement,
    Skill,
    SkillAssessment,
    SkillCategory,
    SkillFramework,
    SkillRole,
    User,
)

PROFILES = {
    "ea_data": {"leadership": 3, "teamwork": 2, "data-design": 4},
    "ea_applications": {"leadership": 2, "application-design": 3, "data-design": 2},
}


@dataclass
class Fw:
    framework: SkillFramework
    skills: dict[str, Skill] = field(default_factory=dict)
    roles: dict[str, SkillRole] = field(default_factory=dict)
    categories: dict[str, SkillCategory] = field(default_factory=dict)

    def sid(self, key: str) -> int:
        sid = self.skills[key].id
        assert sid is not None
        return sid

    def rid(self, key: str) -> int:
        rid = self.roles[key].id
        assert rid is not None
        return rid


def _add(session: Session, obj: Any) -> Any:
    session.add(obj)
    session.flush()
    return obj


def make_framework(session: Session, version: str = "1.0") -> Fw:
    fw = Fw(
        _add(
            session,
            SkillFramework(
                key="test-skills",
                version=version,
                name={"en": "Test skills"},
                levels=[{"value": v, "name": {"en": f"L{v}"}} for v in range(1, 5)],
            ),
        )
    )
    for cpos, (ckey, skills) in enumerate(
        [("generic", ["leadership", "teamwork"]), ("ea", ["data-design", "application-design"])]
    ):
        cat = _add(
            session,
            SkillCategory(
                framework_id=fw.framework.id, key=ckey, position=cpos, name={"en": ckey.title()}
            ),
        )
        fw.categories[ckey] = cat
        for spos, skey in enumerate(skills):
            fw.skills[skey] = _add(
                session,
                Skill(
                    framework_id=fw.framework.id,
                    category_id=cat.id,
                    key=skey,
                    position=spos,
                    name={"en": skey.replace("-", " ").capitalize()},
                ),
            )
    for rpos, (rkey, profile) in enumerate(PROFILES.items()):
        role = _add(
            session,
            SkillRole(
                framework_id=fw.framework.id, key=rkey, position=rpos, name={"en": f"Role {rkey}"}
            ),
        )
        fw.roles[rkey] = role
        for skey, level in profile.items():
            _add(session, RoleRequirement(role_id=role.id, skill_id=fw.sid(skey), level=level))
    session.commit()
    return fw


def make_unit(session: Session, name: str, parent: OrgUnit | None = None) -> OrgUnit:
    unit = _add(session, OrgUnit(name=name, kind="team", parent_id=parent.id if parent else None))
    session.commit()
    return unit


_counter = iter(range(1, 1_000_000))


def make_person(
    session: Session, name: str, unit: OrgUnit | None = None, user: User | None = None
) -> Person:
    person = _add(
        session,
        Person(
            name=name,
            email=f"p{next(_counter)}@example.com",
            org_unit_id=unit.id if unit else None,
            user_id=user.id if user else None,
        ),
    )
    session.commit()
    return person


def make_position(
    session: Session,
    holder: Person | None,
    unit: OrgUnit,
    *,
    reports_to: Position | None = None,
    role: str | None = None,
    title: str = "Architect",
) -> Position:
    pos = _add(
        session,
        Position(
            title=title,
            org_unit_id=unit.id,
            holder_id=holder.id if holder else None,
            reports_to_id=reports_to.id if reports_to else None,
            architecture_role=role,
        ),
    )
    session.commit()
    return pos


def give_role(session: Session, person: Person, role: SkillRole, relation: str = "held") -> None:
    _add(session, PersonRole(person_id=person.id, role_id=role.id, relation=relation))
    session.commit()


def assess(
    session: Session,
    person: Person,
    skill: Skill,
    level: int,
    on: date,
    source: str = "manager",
) -> SkillAssessment:
    row = _add(
        session,
        SkillAssessment(
            person_id=person.id,
            skill_id=skill.id,
            level=level,
            source=source,
            assessed_on=on,
            agreed=source != "self",
        ),
    )
    session.commit()
    return row


D1, D2 = date(2026, 1, 10), date(2026, 3, 1)


def known_world(session: Session) -> dict[str, Any]:
    """Group > Team A; Other. See the module docstring of the factory for the profiles."""
    fw = make_framework(session)
    group = make_unit(session, "Group")
    team = make_unit(session, "Team A", group)
    other = make_unit(session, "Other")
    s = fw.skills
    alice = make_person(session, "Alice", team)
    make_position(session, alice, team, role="ea_data")
    for key, lv in {"leadership": 3, "teamwork": 2, "data-design": 4}.items():
        assess(session, alice, s[key], lv, D1)
    bob = make_person(session, "Bob", group)
    give_role(session, bob, fw.roles["ea_data"])
    for key, lv in {"leadership": 2, "teamwork": 2, "data-design": 3}.items():
        assess(session, bob, s[key], lv, D1)
    assess(session, bob, s["data-design"], 4, D2, "self")  # not agreed: does not count
    carol = make_person(session, "Carol", team)
    give_role(session, carol, fw.roles["ea_data"], "target")
    give_role(session, carol, fw.roles["ea_applications"])
    for key, lv in {"leadership": 4, "data-design": 1, "application-design": 3}.items():
        assess(session, carol, s[key], lv, D1)
    dan = make_person(session, "Dan", other)
    give_role(session, dan, fw.roles["ea_data"])
    eve = make_person(session, "Eve", group)
    for key, lv in {"leadership": 3, "teamwork": 2, "data-design": 2}.items():
        assess(session, eve, s[key], lv, D1, "board_assessment")
    finn = make_person(session, "Finn", team)
    assess(session, finn, s["leadership"], 4, D1, "self")
    return {"fw": fw, "group": group, "team": team, "other": other, "dan": dan, "carol": carol}
