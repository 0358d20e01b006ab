"""CSV import of people: every bad row reported, nothing imported unless all rows are good."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from eagov.errors import Forbidden
from eagov.models import AuditEvent, Person
from eagov.permissions import SYSTEM, Actor
from eagov.schemas.org import OrgUnitIn, PersonIn
from eagov.services import org
from eagov.services.people_import import ImportRejected, import_people


@pytest.fixture
def units(session):
    eao = org.create_unit(
        session, SYSTEM, OrgUnitIn(name="Architecture", code="EAO", kind="function")
    )
    sol = org.create_unit(
        session, SYSTEM, OrgUnitIn(name="Solutions", code="EAO-SOL", kind="team", parent_id=eao.id)
    )
    return {"eao": eao, "sol": sol}


def people(session) -> list[Person]:
    session.expunge_all()
    return list(session.exec(select(Person).order_by(Person.email)).all())


def rejected(session, content) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as err:
        import_people(session, SYSTEM, content)
    assert "nothing was imported" in err.value.detail
    assert people(session) == [] or all(p.email == "taken@example.com" for p in people(session))
    return [(e.row, e.column, e.message) for e in err.value.row_errors]


GOOD = (
    "name,email,org_unit_code,phone\n"
    "Ana Lima,Ana.Lima@Example.com,EAO,+44 20 7946 0000\n"
    '"Wang, Fang",wang.fang@example.com,EAO-SOL,\n'
    "No Unit,nounit@example.com,,\n"
)


def test_import_creates_everyone_with_audit_events(session, units):
    events = session.exec(select(func.count()).select_from(AuditEvent)).one()
    created = import_people(session, SYSTEM, GOOD.encode())
    assert len(created) == 3
    found = {p.email: p for p in people(session)}
    assert found["ana.lima@example.com"].org_unit_id == units["eao"].id
    assert found["ana.lima@example.com"].phone == "+44 20 7946 0000"
    assert found["wang.fang@example.com"].name == "Wang, Fang"
    assert found["wang.fang@example.com"].org_unit_id == units["sol"].id
    assert found["nounit@example.com"].org_unit_id is None
    actions = session.exec(
        select(AuditEvent.entity_type, AuditEvent.action).where(AuditEvent.seq > events)
    ).all()
    assert actions.count(("person", "create")) == 3 and ("person", "import") in actions


def test_utf8_with_bom_semicolons_and_org_unit_column(session, units):
    text = "\ufeffName;E-mail;org_unit;Phone\r\n王芳;wang@example.com;Solutions;\r\n"
    created = import_people(session, SYSTEM, text.encode("utf-8"))
    assert [(p.name, p.org_unit_id) for p in created] == [("王芳", units["sol"].id)]


def test_missing_name(session, units):
    errors = rejected(session, b"name,email\n,someone@example.com\nOk,ok@example.com\n")
    assert errors == [(2, "name", "The name is missing.")]


def test_bad_email(session, units):
    errors = rejected(session, b"name,email\nOk,ok@example.com\nBad,not-an-email\nNone,\n")
    assert errors == [
        (3, "email", "This is not a valid e-mail address."),
        (4, "email", "The e-mail address is missing."),
    ]


def test_unknown_unit_code(session, units):
    errors = rejected(session, b"name,email,org_unit_code\nA,a@example.com,NOPE\n")
    assert errors == [(2, "org_unit_code", "There is no unit with the code 'NOPE'.")]


def test_duplicate_email_inside_the_file(session, units):
    errors = rejected(
        session, b"name,email\nA,dup@example.com\nB,b@example.com\nC,DUP@example.com\n"
    )
    assert errors == [(4, "email", "This e-mail address is also on row 2 of the file.")]


def test_email_already_in_the_database(session, units):
    org.create_person(session, SYSTEM, PersonIn(name="Taken", email="taken@example.com"))
    errors = rejected(session, b"name,email\nNew,new@example.com\nT,Taken@example.com\n")
    assert errors == [(3, "email", "A person with this e-mail address exists already.")]
    assert [p.email for p in people(session)] == ["taken@example.com"]


def test_every_bad_row_is_reported_at_once(session, units):
    content = (
        "name,email,org_unit_code,phone\n"
        ",a@example.com,EAO,\n"
        "B,b-at-example.com,EAO,\n"
        "C,c@example.com,XX,\n"
        "D,a@example.com,EAO," + "9" * 50 + "\n"
        "E,e@example.com,EAO,\n"
    ).encode()
    errors = rejected(session, content)
    assert [(r, c) for r, c, _m in errors] == [
        (2, "name"),
        (3, "email"),
        (4, "org_unit_code"),
        (5, "phone"),
        (5, "email"),
    ]


def test_file_level_problems(session, units):
    assert rejected(session, b"") == [
        (1, "", "The file is empty; the first row must be the header.")
    ]
    no_header = rejected(session, b"Ana,ana@example.com,EAO\n")
    assert {c for _r, c, _m in no_header} == {"name", "email"}
    assert all(r == 1 for r, _c, _m in no_header)
    assert rejected(session, b"name,email\n") == [
        (2, "", "The file has a header row but no people.")
    ]
    latin1 = "name,email\nJos\xe9,jose@example.com\n".encode("latin-1")
    ((row, _column, message),) = rejected(session, latin1)
    assert row == 0 and "not UTF-8" in message
    assert rejected(session, b"name,email\x00\n")[0][2] == "The file is not a text file."


def test_import_needs_people_edit(session, units):
    viewer = Actor(9, "v@example.com", frozenset({"viewer"}))
    with pytest.raises(Forbidden):
        import_people(session, viewer, GOOD.encode())
    assert people(session) == []


def test_cli_import_people(app, session, units, tmp_path):
    runner = app.test_cli_runner()
    good = tmp_path / "people.csv"
    good.write_bytes(GOOD.encode("utf-8-sig"))
    result = runner.invoke(args=["org", "import-people", str(good)])
    assert result.exit_code == 0, result.output
    assert "Imported 3 people" in result.output
    assert len(people(session)) == 3

    bad = tmp_path / "bad.csv"
    bad.write_text("name,email,org_unit_code\nX,x@example.com,NOPE\nY,ana.lima@example.com,\n")
    result = runner.invoke(args=["org", "import-people", str(bad)])
    assert result.exit_code != 0
    assert "bad.csv: row 2, org_unit_code: There is no unit with the code 'NOPE'." in result.output
    assert "bad.csv: row 3, email: A person with this e-mail address exists already." in (
        result.output
    )
    assert len(people(session)) == 3
