"""People pages: paginated list with filters, person page, create/edit/delete, permissions."""

from __future__ import annotations

import re

import pytest
from conftest import count_statements, csrf_from, post_form
from sqlmodel import select
from test_org_units_pages import make_unit

from eagov.models import Person
from eagov.permissions import SYSTEM
from eagov.schemas.org import BoardIn, BoardMemberIn, PersonIn, PositionIn
from eagov.services import org


@pytest.fixture
def units(session):
    root = make_unit(session, "Group", code="G", kind="enterprise")
    eao = make_unit(session, "Architecture", root, "EAO", "function")
    sol = make_unit(session, "Solutions", eao, "SOL")
    fin = make_unit(session, "Finance", root, "FIN", "function")
    return {"root": root, "eao": eao, "sol": sol, "fin": fin}


def add_person(session, name, email, unit=None, **kw):
    return org.create_person(
        session,
        SYSTEM,
        PersonIn(name=name, email=email, org_unit_id=unit.id if unit else None, **kw),
    )


def names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/org/people/\d+">([^<]+)</a></td>', html)


def test_people_list_filters_by_unit_and_search(client, login_as, session, units):
    add_person(session, "Alice Archer", "alice@example.com", units["eao"])
    add_person(session, "Bob Builder", "bob@example.com", units["sol"])
    add_person(session, "Carol Counter", "carol@example.com", units["fin"])
    add_person(session, "Dan Nowhere", "dan@corp.example")
    login_as("viewer")
    assert names(client.get("/org/people").text) == [
        "Alice Archer",
        "Bob Builder",
        "Carol Counter",
        "Dan Nowhere",
    ]
    eao = units["eao"].id
    assert names(client.get(f"/org/people?unit={eao}").text) == ["Alice Archer"]
    assert names(client.get(f"/org/people?unit={eao}&sub=1").text) == [
        "Alice Archer",
        "Bob Builder",
    ]
    assert names(client.get("/org/people?q=corp.example").text) == ["Dan Nowhere"]
    assert names(client.get("/org/people?q=CAROL").text) == ["Carol Counter"]
    page = client.get("/org/people").text
    assert "Finance" in page  # the unit column
    assert "/org/people/new" not in page  # no add button for a viewer


def test_people_list_paginates(client, login_as, session, units):
    for i in range(7):
        add_person(session, f"Person {i}", f"p{i}@example.com", units["eao"])
    login_as("viewer")
    first = client.get("/org/people?per_page=3").text
    third = client.get("/org/people?per_page=3&page=3").text
    assert names(first) == ["Person 0", "Person 1", "Person 2"]
    assert names(third) == ["Person 6"]
    assert "Page 1 of 3" in first and "7 items" in first


def test_person_page(client, login_as, session, units, make_user):
    user = make_user("architect")
    person = add_person(session, "Alice Archer", "alice@example.com", units["eao"], user_id=user.id)
    org.create_position(
        session,
        SYSTEM,
        PositionIn(title="Lead Architect", org_unit_id=units["eao"].id, holder_id=person.id),
    )
    board = org.create_board(session, SYSTEM, BoardIn(name="Global AB", level="global"))
    from datetime import date

    org.add_member(
        session,
        SYSTEM,
        board.id,
        BoardMemberIn(person_id=person.id, role="chair", term_start=date(2025, 1, 1)),
    )
    login_as("viewer")
    page = client.get(f"/org/people/{person.id}").text
    for text in (
        "Alice Archer",
        "Architecture",
        "Lead Architect",
        "Global AB",
        "Chair",
        user.email,
    ):
        assert text in page, text
    assert 'id="audit-history-heading"' in page


def test_create_person_shows_field_errors_and_keeps_input(client, login_as, session, units):
    login_as("review_coordinator")
    resp = post_form(
        client,
        "/org/people/new",
        {"name": "", "email": "not-an-email", "phone": "123", "org_unit_id": units["eao"].id},
    )
    assert resp.status_code == 422
    assert 'id="e-name"' in resp.text and 'id="e-email"' in resp.text
    assert 'value="not-an-email"' in resp.text and 'value="123"' in resp.text
    assert re.search(rf'<option value="{units["eao"].id}"\s+selected', resp.text)
    assert session.exec(select(Person)).all() == []


def test_create_person_refuses_a_duplicate_email(client, login_as, session, units):
    add_person(session, "Alice", "alice@example.com")
    login_as("admin")
    resp = post_form(client, "/org/people/new", {"name": "Other", "email": "ALICE@example.com"})
    assert resp.status_code == 422 and "already has this e-mail" in resp.text


def test_create_edit_and_delete_person(client, login_as, session, units):
    login_as("admin")
    resp = post_form(
        client,
        "/org/people/new",
        {"name": "Ann Lee", "email": "Ann@Example.com", "org_unit_id": units["sol"].id},
    )
    assert resp.status_code == 302
    person = session.exec(select(Person)).one()
    assert person.email == "ann@example.com" and person.org_unit_id == units["sol"].id

    resp = post_form(
        client,
        f"/org/people/{person.id}/edit",
        {"version": "1", "name": "Ann Lee-Smith", "email": "ann@example.com", "phone": "+1 555"},
    )
    assert resp.status_code == 302
    session.refresh(person)
    assert person.name == "Ann Lee-Smith" and person.org_unit_id is None and person.version == 2

    resp = post_form(client, f"/org/people/{person.id}/delete", {"version": "2"})
    assert resp.status_code == 302
    session.expunge_all()
    assert session.get(Person, person.id) is None


def test_stale_person_edit_is_409_and_keeps_input(client, login_as, session, units):
    person = add_person(session, "Ann", "ann@example.com")
    login_as("admin")
    url = f"/org/people/{person.id}/edit"
    token = csrf_from(client.get(url).text)
    org.update_person(
        session, SYSTEM, person.id, PersonIn(name="Ann", email="ann@example.com", phone="999"), 1
    )
    resp = client.post(
        url,
        data={"csrf_token": token, "version": "1", "name": "Ann B", "email": "ann@example.com"},
    )
    assert resp.status_code == 409
    assert 'value="Ann B"' in resp.text and "999" in resp.text
    session.refresh(person)
    assert person.name == "Ann" and person.phone == "999"


@pytest.mark.parametrize(
    "url",
    ["/org/people/new", "/org/people/{id}/edit", "/org/people/{id}/delete", "/org/people/import"],
)
def test_viewer_and_board_chair_cannot_edit_people(client, login_as, session, units, url):
    person = add_person(session, "Ann", "ann@example.com")
    login_as("viewer", "board_chair")
    target = url.format(id=person.id)
    assert client.get(target).status_code == 403
    token = csrf_from(client.get("/org/people").text)
    resp = client.post(
        target, data={"csrf_token": token, "name": "X", "email": "x@example.com", "version": "1"}
    )
    assert resp.status_code == 403
    session.expunge_all()
    assert session.get(Person, person.id).name == "Ann"


def test_people_list_query_count_does_not_grow_with_rows(app, client, login_as, session, units):
    login_as("viewer")

    def fill(start: int, stop: int) -> None:
        for i in range(start, stop):
            unit = [units["eao"], units["sol"], units["fin"], None][i % 4]
            p = add_person(session, f"Person {i:03d}", f"p{i}@example.com", unit)
            if i % 2:
                org.create_position(
                    session,
                    SYSTEM,
                    PositionIn(title=f"Role {i}", org_unit_id=units["eao"].id, holder_id=p.id),
                )

    fill(0, 10)
    with count_statements(app) as small:
        page = client.get("/org/people?per_page=200")
    assert len(names(page.text)) == 10
    fill(10, 100)
    with count_statements(app) as large:
        page = client.get("/org/people?per_page=200")
    assert len(names(page.text)) == 100 and "Role 99" in page.text
    assert len(small) == len(large)
