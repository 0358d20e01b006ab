"""Org structure templates: the shipped YAML files, applying them, refusals, CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from eagov.errors import Forbidden, Invalid, NotFound
from eagov.models import AuditEvent, OrgUnit, Position, UnitKind
from eagov.permissions import SYSTEM, Actor
from eagov.schemas.org import OrgUnitIn
from eagov.services import org, org_templates
from eagov.services.org_templates import (
    TemplateError,
    apply_template,
    get_template,
    list_templates,
    load_template_file,
)

SHIPPED = {
    "large_enterprise": (16, 12),
    "small_medium_enterprise": (4, 4),
    "service_oriented": (8, 9),
    "technology_oriented": (10, 9),
}


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_the_four_templates_ship_and_validate():
    templates = {t.id: t for t in list_templates()}
    assert set(templates) == set(SHIPPED)
    for tid, (units, positions) in SHIPPED.items():
        t = templates[tid]
        assert (t.unit_count, t.position_count) == (units, positions), tid
        assert t.version >= 1 and t.name.en and t.name.zh_Hans
        for unit in t.walk():
            assert unit.name.en and unit.name.zh_Hans and isinstance(unit.kind, UnitKind)
            for pos in unit.positions:
                assert pos.duties.zh_Hans and pos.requirements.en
        assert any(u.kind == UnitKind.BOARD for u in t.walk()), "each template has a board"


def test_technology_oriented_has_a_solution_engineering_group():
    t = get_template("technology_oriented")
    names = [u.name.en for u in t.walk()]
    assert "Technical Support and Solution Engineering" in names
    assert "技术支持与解决方案工程部" in [u.name.zh_Hans for u in t.walk()]


@pytest.mark.parametrize("template_id", sorted(SHIPPED))
def test_apply_each_template_then_refuse_a_second_time(session, template_id):
    units, positions = SHIPPED[template_id]
    events_before = count(session, AuditEvent)
    result = apply_template(session, SYSTEM, template_id)
    assert len(result.unit_ids) == units and len(result.position_ids) == positions
    assert count(session, OrgUnit) == units and count(session, Position) == positions
    # Every unit and position was audited, plus one event for the template as a whole.
    assert count(session, AuditEvent) == events_before + units + positions + 1
    roots = session.exec(select(OrgUnit).where(OrgUnit.parent_id.is_(None))).all()  # type: ignore[union-attr]
    assert [r.id for r in roots] == result.root_ids

    with pytest.raises(Invalid) as err:
        apply_template(session, SYSTEM, template_id)
    assert "exist already" in err.value.detail
    assert get_template(template_id).codes[0] in err.value.detail
    assert count(session, OrgUnit) == units and count(session, Position) == positions


def test_reports_to_lines_follow_the_template(session):
    apply_template(session, SYSTEM, "large_enterprise")
    chief = session.exec(select(Position).where(Position.title == "Chief Architect")).one()
    coordinator = session.exec(
        select(Position).where(Position.title == "Review Co-ordinator")
    ).one()
    manager = session.get(Position, coordinator.reports_to_id)
    assert manager.title == "Architecture Governance Manager"
    assert manager.reports_to_id == chief.id and chief.reports_to_id is None
    assert chief.architecture_role == "ea_manager"


def test_apply_under_a_unit_in_chinese(session):
    group = org.create_unit(session, SYSTEM, OrgUnitIn(name="Group", kind="enterprise", code="G"))
    result = apply_template(
        session, SYSTEM, "small_medium_enterprise", under_unit_id=group.id, locale="zh_Hans"
    )
    top = session.get(OrgUnit, result.root_ids[0])
    assert top.parent_id == group.id and top.name == "架构团队"
    assert session.exec(select(OrgUnit).where(OrgUnit.name == "架构委员会")).one()
    head = session.exec(select(Position).where(Position.title == "架构负责人")).one()
    assert "架构委员会" in head.duties


def test_different_templates_can_live_side_by_side(session):
    for tid in SHIPPED:
        apply_template(session, SYSTEM, tid)
    assert count(session, OrgUnit) == sum(u for u, _p in SHIPPED.values())


def test_one_existing_code_refuses_the_whole_template(session):
    org.create_unit(session, SYSTEM, OrgUnitIn(name="Mine", kind="team", code="TO-TS"))
    with pytest.raises(Invalid) as err:
        apply_template(session, SYSTEM, "technology_oriented")
    assert "TO-TS" in err.value.errors["template"]
    assert count(session, OrgUnit) == 1 and count(session, Position) == 0


def test_a_failure_half_way_rolls_everything_back(session, monkeypatch):
    calls = {"n": 0}
    real = org.stage_position

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise Invalid(errors={"title": "boom"})
        return real(*args, **kwargs)

    monkeypatch.setattr(org_templates.org_service, "stage_position", failing)
    events = count(session, AuditEvent)
    with pytest.raises(Invalid):
        apply_template(session, SYSTEM, "large_enterprise")
    session.expunge_all()
    assert count(session, OrgUnit) == 0 and count(session, Position) == 0
    assert count(session, AuditEvent) == events


def test_applying_needs_org_edit_and_a_known_template(session):
    viewer = Actor(5, "viewer@example.com", frozenset({"viewer"}))
    with pytest.raises(Forbidden):
        apply_template(session, viewer, "large_enterprise")
    with pytest.raises(NotFound):
        apply_template(session, SYSTEM, "../../etc/passwd")
    with pytest.raises(NotFound):
        apply_template(session, SYSTEM, "no_such_template")
    with pytest.raises(Invalid):
        apply_template(session, SYSTEM, "large_enterprise", under_unit_id=999)
    assert count(session, OrgUnit) == 0


GOOD = """
id: {id}
version: 1
name: {{en: Test, zh_Hans: 测试}}
description: {{en: A test, zh_Hans: 测试模板}}
units:
  - name: {{en: Top, zh_Hans: 顶层}}
    kind: function
    code: T-TOP
    units:
      - name: {{en: Child, zh_Hans: 子单元}}
        kind: {kind}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loading_errors_name_the_file_and_the_field(tmp_path):
    path = write(tmp_path, "bad_kind", GOOD.format(id="bad_kind", kind="galaxy"))
    with pytest.raises(TemplateError) as err:
        load_template_file(path)
    assert "bad_kind.yaml" in str(err.value) and "units.0.units.0.kind" in str(err.value)

    missing = GOOD.format(id="no_zh", kind="team").replace("zh_Hans: 子单元", "de: Kind")
    with pytest.raises(TemplateError) as err:
        load_template_file(write(tmp_path, "no_zh", missing))
    assert "no_zh.yaml" in str(err.value) and "units.0.units.0.name.zh_Hans" in str(err.value)

    with pytest.raises(TemplateError) as err:
        load_template_file(write(tmp_path, "other", GOOD.format(id="not_other", kind="team")))
    assert "other.yaml: id" in str(err.value)

    with pytest.raises(TemplateError) as err:
        load_template_file(write(tmp_path, "broken", "id: [unclosed"))
    assert "broken.yaml: not valid YAML" in str(err.value)

    twice = GOOD.format(id="twice", kind="team").replace(
        "kind: team", "kind: team\n        code: T-TOP"
    )
    with pytest.raises(TemplateError) as err:
        load_template_file(write(tmp_path, "twice", twice))
    assert "T-TOP" in str(err.value) and "used twice" in str(err.value)


def test_reports_to_must_name_a_position(tmp_path):
    text = GOOD.format(id="boss", kind="team") + (
        "    positions:\n"
        "      - title: {en: A, zh_Hans: 甲}\n"
        "        duties: {en: d, zh_Hans: 职}\n"
        "        requirements: {en: r, zh_Hans: 求}\n"
        "        reports_to: nobody\n"
    )
    with pytest.raises(TemplateError) as err:
        load_template_file(write(tmp_path, "boss", text))
    assert "nobody" in str(err.value)


def test_a_template_from_another_folder_applies(session, tmp_path):
    write(tmp_path, "mini", GOOD.format(id="mini", kind="team"))
    result = apply_template(session, SYSTEM, "mini", directory=tmp_path)
    assert len(result.unit_ids) == 2


def test_cli_apply_template(app, session):
    runner = app.test_cli_runner()
    org.create_unit(session, SYSTEM, OrgUnitIn(name="Group", kind="enterprise", code="GRP"))
    result = runner.invoke(args=["org", "apply-template", "service_oriented", "--under", "GRP"])
    assert result.exit_code == 0, result.output
    assert "8 units, 9 positions" in result.output
    top = session.exec(select(OrgUnit).where(OrgUnit.code == "SO-EAS")).one()
    assert session.get(OrgUnit, top.parent_id).code == "GRP"

    again = runner.invoke(args=["org", "apply-template", "service_oriented"])
    assert again.exit_code != 0 and "exist already" in again.output
    assert count(session, OrgUnit) == 9

    missing = runner.invoke(args=["org", "apply-template", "nope"])
    assert missing.exit_code != 0 and "no org structure template" in missing.output
    bad_under = runner.invoke(args=["org", "apply-template", "large_enterprise", "--under", "X"])
    assert bad_under.exit_code != 0 and "no unit with the code 'X'" in bad_under.output

    listing = runner.invoke(args=["org", "templates"])
    assert listing.exit_code == 0 and "technology_oriented" in listing.output
