"""Checklist libraries: the YAML format, import errors naming line and field, versions side
by side, export, and the shipped baseline library."""

from __future__ import annotations

from pathlib import Path

import pytest

from eagov.errors import Conflict, Forbidden
from eagov.permissions import SYSTEM, Actor
from eagov.services import checklists
from eagov.yaml_source import SourceInvalid

BASELINE = (
    Path(__file__).resolve().parent.parent / "eagov" / "library" / "checklists" / "baseline.yaml"
)


def library_yaml(version: str = "1.0.0", weight: int = 2, extra: str = "") -> str:
    return f"""\
format: eagov-checklist/1
identifier: test-lib
version: "{version}"
languages: [en]
title:
  en: Test library
categories:
  - key: security
    title:
      en: Security
    items:
      - reference: SEC-01
        weight: {weight}
        question:
          en: Who may read customer data?
        guidance:
          en: A role model and the access review records.
        principle:
          en: "Least privilege: access only as needed."
{extra}"""


def test_import_stores_categories_and_items(session):
    library = checklists.import_library(session, SYSTEM, library_yaml())
    [(category, items)] = checklists.contents(session, library.id)
    assert category.key == "security" and category.title == {"en": "Security"}
    assert [i.reference for i in items] == ["SEC-01"]
    assert items[0].principle["en"].startswith("Least privilege")


def test_errors_name_the_line_and_the_field(session):
    with pytest.raises(SourceInvalid) as exc:
        checklists.import_library(session, SYSTEM, library_yaml(weight=7))
    [error] = exc.value.source_errors
    assert error.line == 13
    assert error.field == "categories.0.items.0.weight"
    assert "3" in error.message


def test_broken_yaml_names_its_line(session):
    with pytest.raises(SourceInvalid) as exc:
        checklists.import_library(session, SYSTEM, "format: x\n  bad: [indent\n")
    assert exc.value.source_errors[0].line is not None
    assert "YAML" in exc.value.source_errors[0].message


def test_missing_translation_is_reported(session):
    text = library_yaml().replace("languages: [en]", "languages: [en, zh_Hans]")
    with pytest.raises(SourceInvalid) as exc:
        checklists.import_library(session, SYSTEM, text)
    assert "zh_Hans" in str(exc.value)


def test_same_version_twice_is_refused_and_a_newer_one_sits_beside_it(session):
    old = checklists.import_library(session, SYSTEM, library_yaml("1.0.0"))
    with pytest.raises(Conflict):
        checklists.import_library(session, SYSTEM, library_yaml("1.0.0"))
    new = checklists.import_library(session, SYSTEM, library_yaml("1.1.0"))
    assert checklists.get_library(session, SYSTEM, "test-lib").id == new.id
    assert checklists.get_library(session, SYSTEM, "test-lib", "1.0.0").id == old.id
    assert len(checklists.contents(session, old.id)[0][1]) == 1  # the old one is untouched


def test_export_gives_back_the_imported_file(session):
    text = library_yaml()
    library = checklists.import_library(session, SYSTEM, text)
    assert checklists.export_library(session, SYSTEM, library.id) == text


def test_only_coordinators_and_admins_import(session, make_user):
    architect = make_user("architect")
    with pytest.raises(Forbidden):
        checklists.import_library(session, Actor.of(architect), library_yaml())


def test_cli_import_list_export(app, tmp_path):
    source = tmp_path / "lib.yaml"
    source.write_text(library_yaml(), encoding="utf-8")
    runner = app.test_cli_runner()
    assert (
        "Imported test-lib version 1.0.0"
        in runner.invoke(args=["library", "import", str(source)]).output
    )
    assert "test-lib  1.0.0" in runner.invoke(args=["library", "list"]).output
    out = tmp_path / "out.yaml"
    runner.invoke(args=["library", "export", "test-lib", "-o", str(out)])
    assert out.read_text(encoding="utf-8") == library_yaml()
    bad = tmp_path / "bad.yaml"
    bad.write_text(library_yaml(weight=0), encoding="utf-8")
    result = runner.invoke(args=["library", "import", str(bad)])
    assert result.exit_code == 1 and "line 13, categories.0.items.0.weight" in result.output


def test_the_baseline_library_imports_in_both_languages(session):
    library = checklists.import_library(session, SYSTEM, BASELINE.read_bytes())
    assert library.languages == ["en", "zh_Hans"]
    parts = checklists.contents(session, library.id)
    assert len(parts) == 8
    assert all(5 <= len(items) <= 12 for _, items in parts)
    for _, items in parts:
        for item in items:
            for text in (item.question, item.guidance, item.principle):
                assert text["en"] and text["zh_Hans"]
