"""Gap analyses on known data: a person against a role, the unit heatmap, coverage per role,
candidates with their reasons, training needs, the unit picture, and bounded queries."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import count_statements
from skills_people_factory import (
    assess,
    give_role,
    known_world,
    make_framework,
    make_person,
    make_position,
    make_unit,
)

from eagov.errors import Forbidden
from eagov.permissions import Actor
from eagov.services import skills_gaps as gaps

D1, D2 = date(2026, 1, 10), date(2026, 3, 1)
TODAY = date(2026, 7, 1)
READER = Actor(None, "architect", frozenset({"architect"}))
CONTRIBUTOR = Actor(None, "contributor", frozenset({"contributor"}))


@pytest.fixture
def data(session):  # type: ignore[no-untyped-def]
    return known_world(session)


def test_person_against_a_role(session, data):  # type: ignore[no-untyped-def]
    fw, carol = data["fw"], data["carol"]
    result = gaps.person_vs_role(session, READER, carol.id, fw.rid("ea_data"), TODAY)
    assert [(r.skill.key, r.required, r.current, r.gap) for r in result.rows] == [
        ("leadership", 3, 4, 0),
        ("teamwork", 2, None, 2),  # never assessed counts as 0
        ("data-design", 4, 1, 3),
    ]
    assert (result.total_gap, result.skills_short, result.meets) == (5, 2, False)
    assert [(c.key, len(rows)) for c, rows in result.by_category()] == [("generic", 2), ("ea", 1)]
    # Before any assessment everything is short.
    early = gaps.person_vs_role(session, READER, carol.id, fw.rid("ea_data"), date(2025, 1, 1))
    assert early.total_gap == 9


def test_heatmap_covers_sub_units_and_filters(session, data):  # type: ignore[no-untyped-def]
    fw = data["fw"]
    hm = gaps.unit_heatmap(session, READER, data["group"].id, TODAY)
    assert [s.key for s in hm.columns] == [
        "leadership",
        "teamwork",
        "data-design",
        "application-design",
    ]
    cells = {r.person.name: [c.gap if c else None for c in r.cells] for r in hm.rows}
    # Eve and Finn hold no role; Dan is in another unit.
    assert cells == {
        "Alice": [0, 0, 0, None],
        "Bob": [1, 0, 1, None],
        "Carol": [0, 2, 3, 0],  # the highest need of her held and targeted roles
    }
    assert hm.total == 3
    by_cat = gaps.unit_heatmap(session, READER, data["group"].id, TODAY, category_key="ea")
    assert [s.key for s in by_cat.columns] == ["data-design", "application-design"]
    by_role = gaps.unit_heatmap(
        session, READER, data["group"].id, TODAY, role_id=fw.rid("ea_applications")
    )
    assert [r.person.name for r in by_role.rows] == ["Carol"]
    assert [c.gap if c else None for c in by_role.rows[0].cells] == [0, 1, 0]
    paged = gaps.unit_heatmap(session, READER, None, TODAY, page=2, per_page=2)
    assert (paged.total, [r.person.name for r in paged.rows]) == (4, ["Carol", "Dan"])


def test_coverage_per_role(session, data):  # type: ignore[no-untyped-def]
    rows = {c.role_key: c for c in gaps.coverage(session, READER, data["group"].id, TODAY)}
    d, a = rows["ea_data"], rows["ea_applications"]
    assert (d.people, d.meeting, d.within_one, d.targeting, d.share) == (2, 1, 1, 1, 0.5)
    assert (a.people, a.meeting, a.within_one, a.targeting) == (1, 0, 1, 0)
    everyone = {c.role_key: c for c in gaps.coverage(session, READER, None, TODAY)}
    assert (everyone["ea_data"].people, everyone["ea_data"].meeting) == (3, 1)


def test_candidates_ranked_with_reasons(session, data):  # type: ignore[no-untyped-def]
    fw = data["fw"]
    result = gaps.candidates(session, READER, fw.rid("ea_data"), data["group"].id, TODAY)
    assert [(c.person.name, c.total_shortfall, c.skills_short) for c in result.items] == [
        ("Alice", 0, 0),
        ("Eve", 2, 1),  # same total as Bob, fewer skills short
        ("Bob", 2, 2),
        ("Carol", 5, 2),
        ("Finn", 9, 3),  # only a self-assessment: nothing agreed
    ]
    carol = result.items[3]
    assert [(r.skill.key, r.difference) for r in carol.strengths] == [("leadership", 1)]
    assert [(r.skill.key, r.difference) for r in carol.gaps] == [
        ("data-design", -3),
        ("teamwork", -2),
    ]
    assert carol.targets_role and not carol.holds_role
    assert result.items[2].holds_role
    everyone = gaps.candidates(session, READER, fw.rid("ea_data"), None, TODAY, per_page=2, page=3)
    assert (everyone.total, [c.person.name for c in everyone.items]) == (
        6,
        ["Dan", "Finn"],
    )  # ties: by name
    assert [c.rank for c in everyone.items] == [5, 6]


def test_training_needs_order(session, data):  # type: ignore[no-untyped-def]
    needs = gaps.training_needs(session, READER, data["group"].id, TODAY)
    assert [(n.skill_key, n.total_gap, n.people_short) for n in needs] == [
        ("data-design", 4, 2),
        ("teamwork", 2, 1),
        ("leadership", 1, 1),
    ]
    assert needs[0].category_key == "ea"


def test_unit_picture(session, data):  # type: ignore[no-untyped-def]
    pic = gaps.unit_picture(session, CONTRIBUTOR, data["group"].id, TODAY, top=2)
    assert (pic.people, pic.assessed_people, pic.unit_name) == (5, 4, "Group")
    assert [(r.role_key, r.people, r.meeting) for r in pic.roles] == [
        ("ea_data", 2, 1),
        ("ea_applications", 1, 0),
    ]
    assert [g.skill_key for g in pic.largest_gaps] == ["data-design", "teamwork"]
    early = gaps.unit_picture(session, CONTRIBUTOR, data["group"].id, date(2025, 1, 1))
    assert early.assessed_people == 0 and early.roles[0].meeting == 0


def test_team_views_need_skills_read_all(session, data):  # type: ignore[no-untyped-def]
    fw = data["fw"]
    with pytest.raises(Forbidden):
        gaps.unit_heatmap(session, CONTRIBUTOR, None, TODAY)
    with pytest.raises(Forbidden):
        gaps.candidates(session, CONTRIBUTOR, fw.rid("ea_data"), None, TODAY)
    with pytest.raises(Forbidden):
        gaps.coverage(session, CONTRIBUTOR, None, TODAY)
    with pytest.raises(Forbidden):
        gaps.training_needs(session, CONTRIBUTOR, None, TODAY)
    with pytest.raises(Forbidden):
        gaps.person_vs_role(session, CONTRIBUTOR, data["carol"].id, fw.rid("ea_data"), TODAY)


def _crowd(session, fw, unit, n):  # type: ignore[no-untyped-def]
    for i in range(n):
        p = make_person(session, f"P{unit.name}{i}", unit)
        give_role(session, p, fw.roles["ea_data"], "held" if i % 2 else "target")
        make_position(session, p, unit, role="ea_applications")
        assess(session, p, fw.skills["leadership"], 1 + i % 4, D1)
        assess(session, p, fw.skills["data-design"], 1 + i % 3, D2, "board_assessment")


def _statements(app, session, fw, unit):  # type: ignore[no-untyped-def]
    with count_statements(app) as seen:
        gaps.unit_heatmap(session, READER, unit.id, TODAY, per_page=None)
        gaps.candidates(session, READER, fw.rid("ea_data"), unit.id, TODAY, per_page=100)
        gaps.coverage(session, READER, unit.id, TODAY)
        gaps.training_needs(session, READER, unit.id, TODAY)
        gaps.unit_picture(session, READER, unit.id, TODAY)
    return len(seen)


def test_bounded_statements_whatever_the_number_of_people(app, session):  # type: ignore[no-untyped-def]
    fw = make_framework(session)
    small, large = make_unit(session, "S"), make_unit(session, "L")
    _crowd(session, fw, small, 3)
    _crowd(session, fw, large, 30)
    assert _statements(app, session, fw, small) == _statements(app, session, fw, large)
