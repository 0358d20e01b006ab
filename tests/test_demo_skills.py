"""The demo skills: 20 people with roles and assessments from all three sources, where the
latest agreed assessment differs from the latest one, and gaps to show."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlmodel import select

from eagov.demo import load_demo
from eagov.models import PersonRole, SkillAssessment
from eagov.permissions import SYSTEM
from eagov.services import audit
from eagov.services import skill_assessments as svc
from eagov.services import skills_gaps as gaps


def test_demo_skills(session):  # type: ignore[no-untyped-def]
    load_demo(session)  # loads the demo skills with the rest
    now = datetime.now(UTC)
    rows = session.exec(select(SkillAssessment)).all()
    assert {r.source for r in rows} == {"self", "manager", "board_assessment"}
    people = {r.person_id for r in rows}
    assert len(people) == 20
    assert {r.relation for r in session.exec(select(PersonRole)).all()} == {"held", "target"}
    # Some self-assessments claim more than was agreed, some are confirmed.
    confirmed = svc.confirmed_ids(rows)
    unconfirmed_self = [r for r in rows if r.source == "self" and r.id not in confirmed]
    assert confirmed and unconfirmed_self
    levels = svc.current_levels(session, people, now.date())
    assert any(levels[(r.person_id, r.skill_id)].level < r.level for r in unconfirmed_self)
    # The board overrode older manager judgements for some skills.
    by_skill = Counter((r.person_id, r.skill_id) for r in rows if r.agreed)
    assert max(by_skill.values()) >= 2
    coverage = gaps.coverage(session, SYSTEM, None, now.date())
    assert sum(c.people for c in coverage) >= 15 and any(c.targeting for c in coverage)
    needs = gaps.training_needs(session, SYSTEM, None, now.date())
    assert needs and needs[0].total_gap > needs[-1].total_gap
    assert audit.verify_chain(session).ok
