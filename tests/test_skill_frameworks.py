"""The skills framework library: the shipped file, the eagov-skills/1 format and its errors
(with line numbers), all-or-nothing imports, versions, export round trips, role profile
edits with version checks, permissions and the `eagov skills` commands."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from pydantic import ValidationError
from sqlmodel import Session, func, select

from eagov.errors import Conflict, Forbidden, Invalid
from eagov.models import (
    ArchitectureRole,
    AuditEvent,
    RoleRequirement,
    Skill,
    SkillCategory,
    SkillFramework,
    SkillRole,
)
from eagov.permissions import SYSTEM, Actor
from eagov.schemas.skills import FrameworkFile, ProfileIn, RequirementIn
from eagov.services import skill_frameworks as svc
from eagov.yaml_source import SourceInvalid, parse

LANGS = ("en", "zh_Hans")


def t(en: str, zh: str | None = None) -> dict[str, str]:
    return {"en": en, "zh_Hans": zh or f"{en}（中文）"}


def small_data(version: str = "1.0.0") -> dict[str, Any]:
    """A valid two-category, three-skill, two-role framework."""
    return {
        "format": "eagov-skills/1",
        "key": "test-skills",
        "version": version,
        "languages": list(LANGS),
        "name": t("Test skills"),
        "description": t("For tests."),
        "levels": [
            {"value": v, "name": t(n), "summary": t(f"{n} level.")}
            for v, n in enumerate(("Background", "Awareness", "Knowledge", "Expert"), start=1)
        ],
        "categories": [
            {
                "key": "generic",
                "name": t("Generic"),
                "skills": [
                    {"key": "leadership", "name": t("Leadership"), "description": t("Leads.")},
                    {"key": "teamwork", "name": t("Teamwork"), "description": t("Shares.")},
                ],
            },
            {
                "key": "technical",
                "name": t("Technical"),
                "skills": [
                    {"key": "security", "name": t("Security"), "description": t("Protects.")}
                ],
            },
        ],
        "roles": [
            {
                "key": "ea_data",
                "name": t("Data architect"),
                "description": t("Data."),
                "profile": {"leadership": 3, "teamwork": 4, "security": 4},
            },
            {
                "key": "sponsor",
                "name": t("Sponsor"),
                "description": t("Pays."),
                "profile": {"leadership": 4, "teamwork": 2, "security": 1},
            },
        ],
    }


def small_yaml(version: str = "1.0.0", change: Any = None) -> str:
    data = small_data(version)
    if change is not None:
        change(data)
    return svc.dump(data)


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line containing ``fragment``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in the text")


def count(session: Session, model: Any) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def coordinator(make_user: Any) -> Actor:
    return Actor.of(make_user("review_coordinator"))


# --- the shipped library --------------------------------------------------------------------------


def test_the_shipped_framework_imports_complete_in_both_languages(session):
    framework = svc.import_framework(session, SYSTEM, svc.SHIPPED.read_bytes())
    assert framework.key == "eagov-architecture-skills"
    assert [lv["value"] for lv in framework.levels] == [1, 2, 3, 4]
    assert [lv["name"]["zh_Hans"] for lv in framework.levels] == ["背景", "了解", "掌握", "专家"]
    assert [lv["name"]["en"] for lv in framework.levels] == [
        "Background",
        "Awareness",
        "Knowledge",
        "Expert",
    ]
    parts = svc.contents(session, framework.id)
    assert [c.name["en"] for c, _ in parts] == [
        "Generic",
        "Business skills and methods",
        "Enterprise architecture",
        "Programme or project management",
        "IT general knowledge",
        "Technical IT",
        "Legal environment",
    ]
    skills = [s for _, group in parts for s in group]
    assert 70 <= len(skills) <= 80
    roles = svc.roles_of(session, framework.id)
    assert [r.key for r in roles] == [r.value for r in ArchitectureRole]
    levels = svc.matrix(session, framework.id)
    assert len(levels) == len(roles) * len(skills)  # every role has every skill
    assert set(levels.values()) <= {1, 2, 3, 4}
    texts = [framework.name, framework.description]
    texts += [lv[k] for lv in framework.levels for k in ("name", "summary")]
    texts += [c.name for c, _ in parts]
    texts += [x for s in skills for x in (s.name, s.description)]
    texts += [x for r in roles for x in (r.name, r.description)]
    for text in texts:
        assert text["en"].strip() and text["zh_Hans"].strip(), text
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text["zh_Hans"]), text

    by_key = {s.key: s.id for s in skills}
    role_id = {r.key: r.id for r in roles}
    assert levels[(role_id["ea_data"], by_key["data-design"])] == 4
    assert levels[(role_id["ea_applications"], by_key["application-design"])] == 4
    assert levels[(role_id["ea_technology"], by_key["it-infrastructure"])] == 4
    sponsor = [levels[(role_id["sponsor"], sid)] for sid in by_key.values()]
    assert sum(1 for lv in sponsor if lv <= 2) > len(sponsor) / 2  # mostly 1-2


def test_ensure_shipped_framework_imports_once(session):
    assert svc.current_framework(session) is None
    first = svc.ensure_shipped_framework(session)
    assert svc.ensure_shipped_framework(session).id == first.id
    assert count(session, SkillFramework) == 1
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "import")).all()
    assert event.entity_type == "skill_framework" and event.changes["skills"] >= 70


# --- format and errors ----------------------------------------------------------------------------


def test_a_small_framework_imports_and_the_last_import_is_in_use(session, make_user):
    actor = coordinator(make_user)
    old = svc.import_framework(session, actor, small_yaml("1.0.0"))
    parts = svc.contents(session, old.id)
    assert [(c.key, [s.key for s in skills]) for c, skills in parts] == [
        ("generic", ["leadership", "teamwork"]),
        ("technical", ["security"]),
    ]
    assert svc.framework_in_use(session, actor).id == old.id
    new = svc.import_framework(session, actor, small_yaml("1.1.0"))
    assert svc.framework_in_use(session, actor).id == new.id
    assert svc.get_framework(session, actor, "1.0.0").id == old.id
    assert [f.version for f in svc.list_frameworks(session, actor)] == ["1.1.0", "1.0.0"]


def _errors(session: Session, text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(SourceInvalid) as exc:
        svc.import_framework(session, SYSTEM, text)
    return [(e.line, e.field, e.message) for e in exc.value.source_errors]


def test_an_unknown_skill_in_a_profile_names_its_line(session):
    def typo(data: dict[str, Any]) -> None:
        profile = data["roles"][1]["profile"]
        profile["securty"] = profile.pop("security")

    text = small_yaml(change=typo)
    errors = _errors(session, text)
    assert (line_of(text, "securty"), "roles.1.profile.securty", "Unknown skill securty.") in errors
    # the real one is now missing from that profile
    assert any(f == "roles.1.profile" and "security" in m for _l, f, m in errors)


def test_a_level_outside_1_to_4_names_its_line(session):
    def five(data: dict[str, Any]) -> None:
        data["roles"][0]["profile"]["teamwork"] = 5

    text = small_yaml(change=five)
    [(line, field, message)] = _errors(session, text)
    assert field == "roles.0.profile.teamwork"
    assert line == line_of(text, "teamwork: 5")
    assert "4" in message


def test_missing_translations_are_reported_where_they_are(session):
    def english_only(data: dict[str, Any]) -> None:
        del data["categories"][1]["skills"][0]["description"]["zh_Hans"]
        del data["roles"][0]["name"]["zh_Hans"]

    text = small_yaml(change=english_only)
    errors = _errors(session, text)
    fields = {f: (line, m) for line, f, m in errors}
    assert set(fields) == {"categories.1.skills.0.description", "roles.0.name"}
    assert fields["roles.0.name"][0] == line_of(text, '"Data architect"')
    assert "zh_Hans" in fields["roles.0.name"][1]


def test_duplicate_keys_are_refused(session):
    def twice(data: dict[str, Any]) -> None:
        data["categories"][1]["skills"].append(copy.deepcopy(data["categories"][0]["skills"][0]))
        data["roles"].append(copy.deepcopy(data["roles"][1]))

    text = small_yaml(change=twice)
    errors = _errors(session, text)
    assert any(f == "categories.1.skills.1.key" and "leadership" in m for _l, f, m in errors)
    assert any(f == "roles.2.key" and "sponsor" in m for _l, f, m in errors)

    # The same key twice in one mapping: YAML loaders keep the last one silently.
    text = small_yaml().replace("security: 1\n", "security: 1,\n      teamwork: 3\n")
    [(line, field, message)] = _errors(session, text)
    assert "Duplicate key teamwork" in message
    assert line == line_of(text, "      teamwork: 3")
    assert field == "roles.1.profile.teamwork"


def test_levels_must_be_the_four_in_order(session):
    def swapped(data: dict[str, Any]) -> None:
        levels = data["levels"]
        levels[0], levels[1] = levels[1], levels[0]

    errors = _errors(session, small_yaml(change=swapped))
    assert {f for _l, f, _m in errors} == {"levels.0.value", "levels.1.value"}

    def three(data: dict[str, Any]) -> None:
        data["levels"].pop()

    assert [f for _l, f, _m in _errors(session, small_yaml(change=three))] == ["levels"]


def test_roles_are_the_architecture_roles(session):
    def other(data: dict[str, Any]) -> None:
        data["roles"][0]["key"] = "chief"

    [(_line, field, _message)] = _errors(session, small_yaml(change=other))
    assert field == "roles.0.key"


def test_a_refused_file_leaves_nothing_behind(session):
    def five(data: dict[str, Any]) -> None:
        data["roles"][1]["profile"]["security"] = 9

    _errors(session, small_yaml(change=five))
    for model in (SkillFramework, SkillCategory, Skill, SkillRole, RoleRequirement):
        assert count(session, model) == 0


def test_the_same_key_and_version_twice_is_a_conflict(session, make_user):
    actor = coordinator(make_user)
    svc.import_framework(session, actor, small_yaml())
    with pytest.raises(Conflict) as exc:
        svc.import_framework(session, actor, small_yaml())
    assert "1.0.0" in str(exc.value)
    assert count(session, SkillFramework) == 1 and count(session, Skill) == 3


def test_only_managers_import_and_edit(session, make_user):
    for role in ("architect", "viewer", "board_chair"):
        with pytest.raises(Forbidden):
            svc.import_framework(session, Actor.of(make_user(role)), small_yaml())
    svc.import_framework(session, Actor.of(make_user("admin")), small_yaml())
    architect = Actor.of(make_user("architect"))
    with pytest.raises(Forbidden):
        svc.set_requirement(session, architect, "sponsor", "security", RequirementIn(level=2), 1)
    with pytest.raises(Forbidden):
        svc.set_profile(session, architect, "sponsor", ProfileIn(levels={}), 1)
    assert svc.framework_in_use(session, architect).key == "test-skills"  # everyone reads


# --- export ---------------------------------------------------------------------------------------


def test_export_round_trips_the_shipped_file(session):
    framework = svc.import_framework(session, SYSTEM, svc.SHIPPED.read_bytes())
    text = svc.export_framework(session, SYSTEM, framework.id)
    assert parse(text, FrameworkFile) == parse(svc.SHIPPED.read_text("utf-8"), FrameworkFile)
    assert text == svc.SHIPPED.read_text("utf-8")  # the shipped file is in the export layout


def test_export_carries_profile_edits_into_a_new_version(session, make_user):
    actor = coordinator(make_user)
    first = svc.import_framework(session, actor, small_yaml())
    role = svc.get_role(session, actor, "sponsor")
    svc.set_requirement(session, actor, "sponsor", "security", RequirementIn(level=3), 1)
    text = svc.export_framework(session, actor, first.id)
    assert yaml.safe_load(text)["roles"][1]["profile"]["security"] == 3
    second = svc.import_framework(session, actor, text.replace('"1.0.0"', '"1.1.0"'))
    new_role = svc.get_role(session, actor, "sponsor")
    assert new_role.id != role.id and new_role.framework_id == second.id
    assert {ln.skill.key: ln.requirement.level for ln in svc.profile(session, new_role)} == {
        "leadership": 4,
        "teamwork": 2,
        "security": 3,
    }


# --- role profiles --------------------------------------------------------------------------------


def test_one_requirement_is_edited_with_a_version_check_and_audited(session, make_user):
    actor = coordinator(make_user)
    svc.import_framework(session, actor, small_yaml())
    role = svc.get_role(session, actor, "ea_data")
    assert role.version == 1
    req = svc.set_requirement(session, actor, "ea_data", "security", RequirementIn(level=2), 1)
    assert (req.level, req.version) == (2, 2)
    assert svc.get_role(session, actor, "ea_data").version == 2  # the profile moved too
    with pytest.raises(Conflict) as exc:
        svc.set_requirement(session, actor, "ea_data", "security", RequirementIn(level=3), 1)
    assert exc.value.extra["current_version"] == 2
    event = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "role_requirement")
    ).one()
    assert event.changes == {"role": "ea_data", "skill": "security", "level": [4, 2]}
    with pytest.raises(ValidationError):
        RequirementIn(level=0)


def test_the_whole_profile_is_replaced_at_once(session, make_user):
    actor = coordinator(make_user)
    svc.import_framework(session, actor, small_yaml())
    levels = {"leadership": 2, "teamwork": 2, "security": 1}
    role = svc.set_profile(session, actor, "sponsor", ProfileIn(levels=levels), 1)
    assert role.version == 2
    assert {ln.skill.key: ln.requirement.level for ln in svc.profile(session, role)} == levels
    event = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "skill_role")).one()
    assert event.changes == {"role": "sponsor", "level.leadership": [4, 2]}
    # Nothing changed: no new version, no audit event.
    assert svc.set_profile(session, actor, "sponsor", ProfileIn(levels=levels), 2).version == 2


def test_a_stale_or_incomplete_profile_is_refused(session, make_user):
    actor = coordinator(make_user)
    svc.import_framework(session, actor, small_yaml())
    svc.set_requirement(session, actor, "sponsor", "teamwork", RequirementIn(level=3), 1)
    full = {"leadership": 1, "teamwork": 1, "security": 1}
    with pytest.raises(Conflict):  # made before the single edit above
        svc.set_profile(session, actor, "sponsor", ProfileIn(levels=full), 1)
    with pytest.raises(Invalid) as exc:
        svc.set_profile(
            session, actor, "sponsor", ProfileIn(levels={"leadership": 1, "nope": 2}), 2
        )
    assert set(exc.value.errors) == {"levels.nope", "levels"}
    assert "teamwork" in str(exc.value.errors["levels"])
    levels = {ln.skill.key: ln.requirement.level for ln in svc.profile(session, _role(session))}
    assert levels == {"leadership": 4, "teamwork": 3, "security": 1}


def _role(session: Session) -> SkillRole:
    return svc.get_role(session, SYSTEM, "sponsor")


def test_edits_change_the_framework_in_use_only(session, make_user):
    actor = coordinator(make_user)
    old = svc.import_framework(session, actor, small_yaml("1.0.0"))
    svc.import_framework(session, actor, small_yaml("2.0.0"))
    svc.set_requirement(session, actor, "sponsor", "security", RequirementIn(level=4), 1)
    old_sponsor = session.exec(
        select(SkillRole).where(SkillRole.framework_id == old.id, SkillRole.key == "sponsor")
    ).one()
    old_levels = {ln.skill.key: ln.requirement.level for ln in svc.profile(session, old_sponsor)}
    assert old_levels["security"] == 1
    assert svc.shapes(session, old.id)[old_sponsor.id] == {1: 1, 2: 1, 3: 0, 4: 1}


def test_unknown_roles_and_skills_are_not_found(session, make_user):
    from eagov.errors import NotFound

    actor = coordinator(make_user)
    with pytest.raises(NotFound):
        svc.framework_in_use(session, actor)
    svc.import_framework(session, actor, small_yaml())
    with pytest.raises(NotFound):
        svc.get_role(session, actor, "it_designer")
    with pytest.raises(NotFound):
        svc.set_requirement(session, actor, "sponsor", "cooking", RequirementIn(level=2), 1)


# --- the CLI --------------------------------------------------------------------------------------


def test_cli_import_list_export(app, tmp_path):
    runner = app.test_cli_runner()
    source = tmp_path / "skills.yaml"
    source.write_text(small_yaml(), encoding="utf-8")
    result = runner.invoke(args=["skills", "import", str(source)])
    assert result.exit_code == 0 and "Imported test-skills version 1.0.0" in result.output
    result = runner.invoke(args=["skills", "import", str(svc.SHIPPED)])
    assert result.exit_code == 0
    listed = runner.invoke(args=["skills", "list"]).output.splitlines()
    assert listed[0].startswith("* eagov-architecture-skills  1.0.0")
    assert listed[1].startswith("  test-skills  1.0.0")

    out = tmp_path / "out.yaml"
    result = runner.invoke(args=["skills", "export", "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8") == svc.SHIPPED.read_text(encoding="utf-8")
    # the version in use is the shipped one; both have 1.0.0, the key in use wins
    printed = runner.invoke(args=["skills", "export", "--version", "1.0.0"]).output
    assert "key: eagov-architecture-skills" in printed
    missing = runner.invoke(args=["skills", "export", "--version", "9.9"])
    assert missing.exit_code != 0 and "9.9" in missing.output

    again = runner.invoke(args=["skills", "import", str(source)])
    assert again.exit_code == 1 and "already imported" in again.output
    bad = tmp_path / "bad.yaml"
    text = small_yaml().replace("security: 1\n", "security: 7\n")
    bad.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["skills", "import", str(bad)])
    assert result.exit_code == 1
    assert f"line {line_of(text, 'security: 7')}, roles.1.profile.security" in result.output
