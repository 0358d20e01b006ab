"""People's skill assessments: who may judge whom, the latest-agreed rule, confirmation of
self-assessments, roles held and targeted, and who may read whose skills."""

from __future__ import annotations

from datetime import date

import pytest
from skills_people_factory import (
    assess,
    make_framework,
    make_person,
    make_position,
    make_unit,
)
from sqlmodel import select

from eagov.errors import Conflict, Forbidden, Invalid
from eagov.models import AuditEvent, SkillAssessment
from eagov.permissions import Actor
from eagov.schemas.skill_assessments import AssessmentIn, ConfirmIn, PersonRoleIn
from eagov.services import skill_assessments as svc

D1, D2, D3 = date(2026, 1, 10), date(2026, 3, 1), date(2026, 6, 1)
TODAY = date(2026, 7, 1)


@pytest.fixture
def world(session, make_user):  # type: ignore[no-untyped-def]
    """A manager (contributor login) with two reports (one with a login), an architect
    assessor and an outsider."""
    fw = make_framework(session)
    unit = make_unit(session, "Architecture")
    boss_user = make_user("contributor")
    me_user = make_user("contributor")
    arch_user = make_user("architect")
    boss = make_person(session, "Boss", unit, boss_user)
    me = make_person(session, "Me", unit, me_user)
    peer = make_person(session, "Peer", unit)
    arch = make_person(session, "Arch", unit, arch_user)
    top = make_position(session, boss, unit, title="Head")
    make_position(session, me, unit, reports_to=top, role="ea_data")
    make_position(session, peer, unit, reports_to=top)
    return {
        "fw": fw,
        "boss": (Actor.of(boss_user), boss),
        "me": (Actor.of(me_user), me),
        "arch": (Actor.of(arch_user), arch),
        "peer": peer,
    }


def _data(person, fw, level=3, source="self", on=D2, skill="leadership"):  # type: ignore[no-untyped-def]
    return AssessmentIn(
        person_id=person.id, skill_id=fw.sid(skill), level=level, source=source, assessed_on=on
    )


def test_a_newer_self_assessment_does_not_override_an_older_agreed_one(session, world):  # type: ignore[no-untyped-def]
    fw, peer = world["fw"], world["peer"]
    assess(session, peer, fw.skills["leadership"], 3, D1, "manager")
    assess(session, peer, fw.skills["leadership"], 4, D2, "self")
    levels = svc.current_levels(session, [peer.id], TODAY)
    assert levels[(peer.id, fw.sid("leadership"))].level == 3

    assess(session, peer, fw.skills["leadership"], 2, D3, "board_assessment")
    leadership = (peer.id, fw.sid("leadership"))
    assert svc.current_levels(session, [peer.id], TODAY)[leadership].level == 2
    # As of a date: the board's later judgement does not count before it was made.
    assert svc.current_levels(session, [peer.id], D2)[leadership].level == 3
    assert leadership not in svc.current_levels(session, [peer.id], date(2025, 12, 31))


def test_same_day_agreed_assessments_take_the_last_recorded(session, world):  # type: ignore[no-untyped-def]
    fw, peer = world["fw"], world["peer"]
    assess(session, peer, fw.skills["teamwork"], 4, D1, "manager")
    assess(session, peer, fw.skills["teamwork"], 2, D1, "board_assessment")
    assert svc.current_levels(session, [peer.id], D1)[(peer.id, fw.sid("teamwork"))].level == 2


def test_a_person_self_assesses_unagreed_and_only_themselves(session, world):  # type: ignore[no-untyped-def]
    fw = world["fw"]
    actor, me = world["me"]
    row = svc.record(session, actor, _data(me, fw), today=TODAY)
    assert row.source == "self" and row.agreed is False and row.assessed_by_id == actor.user_id
    assert svc.current_levels(session, [me.id], TODAY) == {}
    with pytest.raises(Forbidden):
        svc.record(session, actor, _data(me, fw, source="manager"), today=TODAY)
    with pytest.raises(Forbidden):
        svc.record(session, actor, _data(world["peer"], fw), today=TODAY)
    events = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "skill_assessment")
    ).all()
    assert [e.action for e in events] == ["assess"]


def test_the_manager_assesses_reports_and_the_result_is_agreed(session, world):  # type: ignore[no-untyped-def]
    fw = world["fw"]
    boss_actor, boss = world["boss"]
    _me_actor, me = world["me"]
    row = svc.record(session, boss_actor, _data(me, fw, source="manager", level=2), today=TODAY)
    assert row.agreed is True
    assert svc.current_levels(session, [me.id], TODAY)[(me.id, fw.sid("leadership"))].level == 2
    # The manager holds no skills.assess: no board assessment, and no judging of outsiders.
    with pytest.raises(Forbidden):
        svc.record(session, boss_actor, _data(me, fw, source="board_assessment"), today=TODAY)
    with pytest.raises(Forbidden):
        svc.record(session, boss_actor, _data(world["arch"][1], fw, source="manager"), today=TODAY)
    # ... nor of themselves as their own manager.
    with pytest.raises(Forbidden):
        svc.record(session, boss_actor, _data(boss, fw, source="manager"), today=TODAY)


def test_an_assessor_records_board_assessments_but_never_of_themselves(session, world):  # type: ignore[no-untyped-def]
    fw = world["fw"]
    arch_actor, arch = world["arch"]
    row = svc.record(
        session, arch_actor, _data(world["peer"], fw, source="board_assessment"), today=TODAY
    )
    assert row.agreed is True and row.source == "board_assessment"
    with pytest.raises(Forbidden):
        svc.record(session, arch_actor, _data(arch, fw, source="board_assessment"), today=TODAY)


def test_assessments_are_not_dated_in_the_future(session, world):  # type: ignore[no-untyped-def]
    actor, me = world["me"]
    with pytest.raises(Invalid) as exc:
        svc.record(session, actor, _data(me, world["fw"], on=date(2026, 7, 2)), today=TODAY)
    assert "assessed_on" in exc.value.errors


def test_the_manager_confirms_a_self_assessment_with_a_new_agreed_row(session, world):  # type: ignore[no-untyped-def]
    fw = world["fw"]
    me_actor, me = world["me"]
    boss_actor, _boss = world["boss"]
    own = svc.record(session, me_actor, _data(me, fw, level=4), today=TODAY)
    with pytest.raises(Forbidden):
        svc.confirm(session, me_actor, own.id, ConfirmIn())
    agreed = svc.confirm(session, boss_actor, own.id, ConfirmIn(note="Seen it in the project."))
    assert (agreed.level, agreed.assessed_on, agreed.source) == (4, D2, "manager")
    assert agreed.agreed is True
    assert agreed.id != own.id and session.get(SkillAssessment, own.id).agreed is False
    assert svc.current_levels(session, [me.id], TODAY)[(me.id, fw.sid("leadership"))].level == 4
    assert svc.confirmed_ids(svc.history(session, me.id)) == {own.id}
    with pytest.raises(Conflict):
        svc.confirm(session, boss_actor, own.id, ConfirmIn())
    with pytest.raises(Conflict):  # an agreed row is not a self-assessment
        svc.confirm(session, boss_actor, agreed.id, ConfirmIn())


def test_who_reads_whose_skills(session, world):  # type: ignore[no-untyped-def]
    me_actor, me = world["me"]
    boss_actor, boss = world["boss"]
    arch_actor, _arch = world["arch"]
    peer = world["peer"]
    svc.require_read(session, me_actor, me.id)
    with pytest.raises(Forbidden):  # a contributor cannot see a colleague's skills
        svc.require_read(session, me_actor, peer.id)
    with pytest.raises(Forbidden):  # ... nor their manager's
        svc.require_read(session, me_actor, boss.id)
    svc.require_read(session, boss_actor, peer.id)  # a manager reads their reports
    svc.require_read(session, arch_actor, boss.id)  # skills.read_all
    assert svc.readable_people(session, me_actor) == {me.id}
    assert svc.readable_people(session, boss_actor) == {boss.id, me.id, peer.id}
    assert svc.readable_people(session, arch_actor) is None


def test_roles_held_come_from_positions_and_person_roles(session, world):  # type: ignore[no-untyped-def]
    fw = world["fw"]
    me_actor, me = world["me"]
    boss_actor, _ = world["boss"]
    target = PersonRoleIn(person_id=me.id, role_id=fw.rid("ea_applications"), relation="target")
    svc.add_role(session, me_actor, target)
    with pytest.raises(Conflict):
        svc.add_role(session, me_actor, target)
    held = PersonRoleIn(person_id=me.id, role_id=fw.rid("ea_applications"), relation="held")
    with pytest.raises(Forbidden):  # a person does not declare the roles they hold
        svc.add_role(session, me_actor, held)
    row = svc.add_role(session, boss_actor, held)
    links = svc.roles_of(session, fw.framework.id, [me.id])[me.id]
    assert {(lk.role_id, lk.relation, lk.position_title) for lk in links} == {
        (fw.rid("ea_applications"), "target", None),
        (fw.rid("ea_applications"), "held", None),
        (fw.rid("ea_data"), "held", "Architect"),  # through the position
    }
    with pytest.raises(Forbidden):
        svc.remove_role(session, me_actor, row.id)
    svc.remove_role(session, boss_actor, row.id)
    assert len(svc.roles_of(session, fw.framework.id, [me.id])[me.id]) == 2


def test_the_list_shows_only_what_the_reader_may_see(session, world):  # type: ignore[no-untyped-def]
    fw, peer = world["fw"], world["peer"]
    me_actor, me = world["me"]
    assess(session, peer, fw.skills["leadership"], 3, D1)
    assess(session, me, fw.skills["leadership"], 2, D1)
    rows = session.exec(svc.assessments_query(session, me_actor)).all()
    assert {r.person_id for r in rows} == {me.id}
    rows = session.exec(
        svc.assessments_query(session, world["arch"][0], source="manager", person_id=peer.id)
    ).all()
    assert [r.person_id for r in rows] == [peer.id]
