"""Maturity model libraries: the YAML format, import errors naming line and field, versions
side by side, export that re-imports to the same model, the shipped models, the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select

from eagov.errors import Conflict, Forbidden
from eagov.models import AuditEvent, MaturityElement, MaturityModel
from eagov.permissions import ANONYMOUS, SYSTEM, Actor
from eagov.schemas.maturity_models import ModelFile
from eagov.services import maturity_models as svc
from eagov.yaml_source import SourceInvalid, parse

LIBRARY = Path(__file__).resolve().parent.parent / "eagov" / "library" / "maturity"
ACMM = LIBRARY / "acmm.yaml"
CMMI = LIBRARY / "cmmi-staged.yaml"
HAN = re.compile(r"[\u4e00-\u9fff]")


def model_yaml(
    version: str = "1.0.0",
    method: str = "weighted_mean",
    weight: str = "2",
    key2: str = "governance",
    level2: str = "2",
) -> str:
    """A small model: three levels (0-2), two elements. Line numbers matter to the tests."""
    return f"""\
format: eagov-maturity/1
key: test-model
version: "{version}"
name: {{en: Test model, zh_Hans: 测试模型}}
method: {method}
levels:
  - value: 0
    name: {{en: None, zh_Hans: 无}}
    summary: {{en: Nothing yet., zh_Hans: 尚无。}}
  - value: 1
    name: {{en: Initial, zh_Hans: 初始}}
    summary: {{en: Ad hoc., zh_Hans: 临时。}}
  - value: 2
    name: {{en: Defined, zh_Hans: 已定义}}
    summary: {{en: Written down., zh_Hans: 已成文。}}
elements:
  - key: process
    name: {{en: Process, zh_Hans: 流程}}
    weight: {weight}
    descriptors:
      0: {{en: No process., zh_Hans: 没有流程。}}
      1: {{en: Some habits., zh_Hans: 有一些习惯。}}
      2: {{en: A written process., zh_Hans: 有成文的流程。}}
  - key: {key2}
    name: {{en: Governance, zh_Hans: 治理}}
    description: {{en: Who oversees., zh_Hans: 由谁监督。}}
    descriptors:
      0: {{en: Nobody oversees., zh_Hans: 无人监督。}}
      1: {{en: Advice on request., zh_Hans: 应要求提供建议。}}
      {level2}: {{en: A board meets., zh_Hans: 委员会定期开会。}}
"""


def errors_of(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(SourceInvalid) as exc:
        parse(text, ModelFile)
    return [(e.line, e.field, e.message) for e in exc.value.source_errors]


def test_import_stores_levels_elements_and_descriptors(session):
    model = svc.import_model(session, SYSTEM, model_yaml())
    assert (model.key, model.version, model.method) == ("test-model", "1.0.0", "weighted_mean")
    assert [lv["value"] for lv in model.levels] == [0, 1, 2]
    assert model.levels[2]["name"] == {"en": "Defined", "zh_Hans": "已定义"}
    process, governance = svc.elements(session, model.id)
    assert (process.key, process.position, process.weight) == ("process", 1, 2.0)
    assert process.descriptors["2"] == {"en": "A written process.", "zh_Hans": "有成文的流程。"}
    assert governance.weight == 1.0 and process.description == {}
    assert governance.description["en"] == "Who oversees."


def test_the_import_is_audited(session, make_user):
    coordinator = make_user("review_coordinator")
    model = svc.import_model(session, Actor.of(coordinator), model_yaml())
    assert model.imported_by_id == coordinator.id
    event = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "maturity_model", AuditEvent.entity_id == str(model.id)
        )
    ).one()
    assert event.action == "import" and event.changes["elements"] == 2


def test_a_missing_descriptor_names_the_element_and_its_line():
    missing, unknown = errors_of(model_yaml(level2="7"))
    assert missing[:2] == (27, "elements.1.descriptors")
    assert "governance has no descriptor for level 2" in missing[2]
    assert unknown[:2] == (30, "elements.1.descriptors.7") and "no level 7" in unknown[2]
    [(line, field, message)] = errors_of(model_yaml().replace("      0: {en: No process.", "#"))
    assert (line, field) == (20, "elements.0.descriptors")
    assert "no descriptor for level 0" in message


def test_a_missing_translation_names_its_line():
    text = model_yaml().replace("1: {en: Some habits., zh_Hans: 有一些习惯。}", "1: {en: Habits.}")
    [(line, field, message)] = errors_of(text)
    assert (line, field) == (22, "elements.0.descriptors.1.zh_Hans")
    assert message == "This field is required."


def test_duplicate_keys_bad_methods_and_weights_are_refused_with_lines():
    [(line, field, message)] = errors_of(model_yaml(key2="process"))
    assert (line, field) == (24, "elements.1.key") and "already used" in message
    [(line, field, message)] = errors_of(model_yaml(method="average"))
    assert (line, field) == (5, "method") and "weighted_mean" in message
    for bad in ("0", "-1"):
        [(line, field, _)] = errors_of(model_yaml(weight=bad))
        assert (line, field) == (19, "elements.0.weight")


def test_levels_must_ascend_without_gaps():
    text = model_yaml().replace("  - value: 1\n", "  - value: 3\n")
    problems = errors_of(text)
    assert (10, "levels.1.value") in [(line, field) for line, field, _ in problems]


def test_broken_yaml_and_unknown_fields_are_reported():
    [(line, _, message)] = errors_of("format: x\n  bad: [indent\n")
    assert line is not None and "YAML" in message
    [(line, field, _)] = errors_of(model_yaml().replace("method:", "colour: red\nmethod:"))
    assert (line, field) == (5, "colour")


def test_a_bad_file_stores_nothing(session):
    with pytest.raises(SourceInvalid):
        svc.import_model(session, SYSTEM, model_yaml(level2="7"))
    assert session.exec(select(MaturityModel)).all() == []
    assert session.exec(select(MaturityElement)).all() == []


def test_same_version_twice_is_refused_and_a_newer_one_sits_beside_it(session):
    old = svc.import_model(session, SYSTEM, model_yaml("1.9.0"))
    with pytest.raises(Conflict):
        svc.import_model(session, SYSTEM, model_yaml("1.9.0"))
    new = svc.import_model(session, SYSTEM, model_yaml("1.10.0"))
    assert svc.find_model(session, SYSTEM, "test-model").id == new.id
    assert svc.find_model(session, SYSTEM, "test-model", "1.9.0").id == old.id
    assert len(svc.elements(session, old.id)) == 2  # the old version is untouched
    [entry] = svc.catalogue(session, SYSTEM)
    assert [m.version for m in entry.versions] == ["1.10.0", "1.9.0"]
    assert entry.element_count == 2


def test_export_re_imports_to_the_same_model(session):
    for path in (ACMM, CMMI, None):
        source = path.read_text(encoding="utf-8") if path else model_yaml()
        model = svc.import_model(session, SYSTEM, source)
        exported = svc.export_model(session, SYSTEM, model.id)
        assert parse(exported, ModelFile) == parse(source, ModelFile)
        with pytest.raises(Conflict):  # the same key and version: it is this model
            svc.import_model(session, SYSTEM, exported)


def test_permissions(session, make_user):
    architect = Actor.of(make_user("architect"))
    with pytest.raises(Forbidden):
        svc.import_model(session, architect, model_yaml())
    admin = Actor.of(make_user("admin"))
    model = svc.import_model(session, admin, model_yaml())
    assert svc.get_model(session, architect, model.id).key == "test-model"  # everyone reads
    for read in (svc.list_models, svc.catalogue):
        with pytest.raises(Forbidden):
            read(session, ANONYMOUS)
    with pytest.raises(Forbidden):
        svc.export_model(session, ANONYMOUS, model.id)


@pytest.mark.parametrize(
    ("path", "key", "method", "levels", "elements"),
    [
        (ACMM, "acmm", "weighted_mean", [0, 1, 2, 3, 4, 5], 9),
        (CMMI, "cmmi-staged", "lowest", [1, 2, 3, 4, 5], 7),
    ],
)
def test_the_shipped_models_are_complete_in_both_languages(
    session, path, key, method, levels, elements
):
    model = svc.import_model(session, SYSTEM, path.read_bytes())
    assert (model.key, model.method) == (key, method)
    assert [lv["value"] for lv in model.levels] == levels
    rows = svc.elements(session, model.id)
    assert len(rows) == elements
    texts = [model.name, model.description]
    texts += [t for lv in model.levels for t in (lv["name"], lv["summary"])]
    for row in rows:
        assert sorted(row.descriptors) == [str(v) for v in levels]
        assert row.weight == 1.0
        texts += [row.name, row.description, *row.descriptors.values()]
    for text in texts:
        assert set(text) == {"en", "zh_Hans"}
        assert not HAN.search(text["en"]), text["en"]
        assert HAN.search(text["zh_Hans"]), text["zh_Hans"]
    # No two descriptors say the same thing.
    descriptors = [d["en"] for row in rows for d in row.descriptors.values()]
    assert len(set(descriptors)) == len(descriptors)


def test_the_acmm_elements_are_the_nine_of_the_model(session):
    model = svc.import_model(session, SYSTEM, ACMM.read_bytes())
    assert [row.name["en"] for row in svc.elements(session, model.id)] == [
        "Architecture process",
        "Architecture development",
        "Business linkage",
        "Senior management involvement",
        "Operating unit participation",
        "Architecture communication",
        "IT security",
        "Architecture governance",
        "IT investment and acquisition strategy",
    ]
    assert [lv["name"]["en"] for lv in model.levels] == [
        "None",
        "Initial",
        "Under development",
        "Defined",
        "Managed",
        "Measured",
    ]


def test_ensure_shipped_models_imports_only_what_is_missing(session):
    svc.import_model(session, SYSTEM, ACMM.read_bytes())
    imported = svc.ensure_shipped_models(session)
    assert [m.key for m in imported] == ["cmmi-staged"]
    assert svc.ensure_shipped_models(session) == []
    assert sorted(e.key for e in svc.catalogue(session, SYSTEM)) == ["acmm", "cmmi-staged"]


def test_cli_import_list_export(app, tmp_path):
    source = tmp_path / "model.yaml"
    source.write_text(model_yaml(), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["maturity", "import", str(source)])
    assert result.exit_code == 0 and "Imported test-model version 1.0.0" in result.output
    listed = runner.invoke(args=["maturity", "list"]).output
    assert "test-model  1.0.0  weighted_mean  2 elements  Test model" in listed
    out = tmp_path / "out.yaml"
    result = runner.invoke(args=["maturity", "export", "test-model", "-o", str(out)])
    assert result.exit_code == 0
    assert parse(out.read_text(encoding="utf-8"), ModelFile) == parse(model_yaml(), ModelFile)
    printed = runner.invoke(args=["maturity", "export", "test-model", "--version", "1.0.0"])
    assert printed.output == out.read_text(encoding="utf-8")
    missing = runner.invoke(args=["maturity", "export", "test-model", "--version", "9.0"])
    assert missing.exit_code == 1 and "no version 9.0" in missing.output
    again = runner.invoke(args=["maturity", "import", str(source)])
    assert again.exit_code == 1 and "already imported" in again.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(model_yaml(weight="0"), encoding="utf-8")
    result = runner.invoke(args=["maturity", "import", str(bad)])
    assert result.exit_code == 1 and "line 19, elements.0.weight" in result.output
