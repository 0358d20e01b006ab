"""Org unit pages: the tree list, the unit page, forms, dotted lines, permissions, queries."""

from __future__ import annotations

import re

import pytest
from conftest import count_statements, csrf_from, post_form
from sqlmodel import select

from eagov.models import AuditEvent, OrgLink, OrgUnit, Person, Position
from eagov.permissions import SYSTEM
from eagov.schemas.org import OrgLinkIn, OrgUnitIn, PersonIn, PositionIn
from eagov.services import org


def make_unit(session, name, parent=None, code=None, kind="team"):
    return org.create_unit(
        session,
        SYSTEM,
        OrgUnitIn(name=name, code=code, kind=kind, parent_id=parent.id if parent else None),
    )


@pytest.fixture
def tree(session):
    root = make_unit(session, "Northwind", code="NW", kind="enterprise")
    tech = make_unit(session, "Technology", root, "TECH", "division")
    eao = make_unit(session, "Architecture Office", tech, "EAO", "function")
    gov = make_unit(session, "Governance", eao, "EAO-GOV")
    retail = make_unit(session, "Retail", root, "RB", "division")
    return {"root": root, "tech": tech, "eao": eao, "gov": gov, "retail": retail}


def test_pages_need_login(client, tree):
    for url in ("/org/units", f"/org/units/{tree['eao'].id}", "/org/units/new", "/org/chart"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], url


def test_unit_list_is_an_indented_tree_with_kind_badges(client, login_as, tree):
    login_as("viewer")
    page = client.get("/org/units").text
    rows = re.findall(r'<tr data-depth="(\d)">.*?<a href="/org/units/\d+">([^<]+)</a>', page, re.S)
    assert rows == [
        ("0", "Northwind"),
        ("1", "Retail"),
        ("1", "Technology"),
        ("2", "Architecture Office"),
        ("3", "Governance"),
    ]
    assert "Function / department" in page and "Enterprise" in page
    # A viewer sees no button to create a unit.
    assert "/org/units/new" not in page


def test_unit_list_search_keeps_depth_and_names_the_parent(client, login_as, tree):
    login_as("viewer")
    page = client.get("/org/units", query_string={"q": "gov"}).text
    assert "Governance" in page and "Retail" not in page
    assert 'data-depth="3"' in page and "in Architecture Office" in page
    # LIKE wildcards typed by the user are taken literally.
    assert "data-depth" not in client.get("/org/units", query_string={"q": "%"}).text


def test_unit_list_paginates_in_tree_order(client, login_as, tree):
    login_as("viewer")
    first = client.get("/org/units", query_string={"per_page": 2}).text
    second = client.get("/org/units", query_string={"per_page": 2, "page": 2}).text
    assert "Northwind" in first and "Retail" in first and "Technology" not in first
    assert "Technology" in second and "Architecture Office" in second
    assert "Page 1 of 3" in first


def test_unit_page_shows_everything_about_the_unit(client, login_as, session, tree):
    eao, gov, retail = tree["eao"], tree["gov"], tree["retail"]
    person = org.create_person(
        session, SYSTEM, PersonIn(name="Ada Lovelace", email="ada@example.com", org_unit_id=eao.id)
    )
    org.create_position(
        session,
        SYSTEM,
        PositionIn(
            title="Chief Architect",
            org_unit_id=eao.id,
            holder_id=person.id,
            architecture_role="ea_manager",
        ),
    )
    org.add_link(session, SYSTEM, OrgLinkIn(from_unit_id=eao.id, to_unit_id=retail.id, note="x1"))
    org.add_link(session, SYSTEM, OrgLinkIn(from_unit_id=gov.id, to_unit_id=eao.id, note="y2"))
    from eagov.schemas.org import BoardIn

    org.create_board(
        session,
        SYSTEM,
        BoardIn(name="Group Architecture Board", level="global", org_unit_id=eao.id),
    )
    login_as("viewer")
    page = client.get(f"/org/units/{eao.id}").text
    for text in (
        "Governance",  # sub-unit
        "Ada Lovelace",  # people
        "Chief Architect",  # positions
        "Enterprise Architecture manager",
        "Retail",  # dotted line out
        "x1",
        "y2",  # dotted line in
        "Group Architecture Board",
        "Northwind",  # breadcrumb
        "Technology",
        'id="audit-history-heading"',  # the history section
    ):
        assert text in page, text
    # A viewer sees no edit buttons and no dotted-line form.
    assert f"/org/units/{eao.id}/edit" not in page and "Add a dotted line" not in page


def test_unknown_unit_is_404(client, login_as):
    login_as("viewer")
    assert client.get("/org/units/999").status_code == 404


def test_create_unit_with_field_errors_keeps_input(client, login_as, session, tree):
    login_as("review_coordinator")
    resp = post_form(
        client,
        "/org/units/new",
        {"name": "", "code": "bad code!", "kind": "team", "description": "kept text"},
    )
    assert resp.status_code == 422
    assert 'id="e-name"' in resp.text and 'id="e-code"' in resp.text
    assert "kept text" in resp.text and 'value="bad code!"' in resp.text
    assert session.exec(select(OrgUnit).where(OrgUnit.code == "bad code!")).first() is None


def test_create_unit_refuses_a_duplicate_code(client, login_as, tree):
    login_as("admin")
    resp = post_form(client, "/org/units/new", {"name": "Again", "code": "EAO", "kind": "team"})
    assert resp.status_code == 422
    assert "already uses" in resp.text and 'value="Again"' in resp.text


def test_create_and_edit_unit(client, login_as, session, tree):
    login_as("admin")
    resp = post_form(
        client,
        f"/org/units/new?parent={tree['eao'].id}",
        {"name": "Solutions", "code": "EAO-SOL", "kind": "team", "parent_id": tree["eao"].id},
    )
    assert resp.status_code == 302
    created = session.exec(select(OrgUnit).where(OrgUnit.code == "EAO-SOL")).one()
    assert created.parent_id == tree["eao"].id
    assert resp.headers["Location"].endswith(f"/org/units/{created.id}")

    url = f"/org/units/{created.id}/edit"
    form = client.get(url).text
    assert 'name="version" value="1"' in form
    resp = client.post(
        url,
        data={
            "csrf_token": csrf_from(form),
            "version": "1",
            "name": "Solution Architecture",
            "code": "EAO-SOL",
            "kind": "team",
            "parent_id": str(tree["eao"].id),
        },
    )
    assert resp.status_code == 302
    session.refresh(created)
    assert created.name == "Solution Architecture" and created.version == 2
    events = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "org_unit", AuditEvent.entity_id == str(created.id)
        )
    ).all()
    assert [e.action for e in events] == ["create", "update"]
    history = client.get(f"/org/units/{created.id}").text.split('id="audit-history-heading"')[1]
    assert "updated" in history and "created" in history and "Solution Architecture" in history


def test_edit_unit_cannot_move_below_its_own_sub_unit(client, login_as, tree):
    login_as("admin")
    eao = tree["eao"]
    resp = post_form(
        client,
        f"/org/units/{eao.id}/edit",
        {"version": "1", "name": eao.name, "kind": "function", "parent_id": tree["gov"].id},
    )
    assert resp.status_code == 422 and "below itself" in resp.text


def test_stale_edit_is_a_409_that_keeps_the_input(client, login_as, session, tree):
    login_as("admin")
    unit = tree["gov"]
    seen_parent = unit.parent_id
    url = f"/org/units/{unit.id}/edit"
    token = csrf_from(client.get(url).text)
    # Someone else saves first.
    org.update_unit(
        session,
        SYSTEM,
        unit.id,
        OrgUnitIn(name="Governance Office", code="EAO-GOV", kind="team", parent_id=tree["tech"].id),
        1,
    )
    resp = client.post(
        url,
        data={
            "csrf_token": token,
            "version": "1",
            "name": "My new name",
            "code": "EAO-GOV",
            "kind": "team",
            "parent_id": str(seen_parent),
        },
    )
    assert resp.status_code == 409
    assert "Someone else changed" in resp.text
    assert 'value="My new name"' in resp.text  # what the user typed is kept
    assert "Governance Office" in resp.text  # and what the other person saved is shown
    assert 'name="version" value="2"' in resp.text
    box = resp.text.split("Saved meanwhile by someone else")[1].split("</dl>")[0]
    assert "Parent unit" in box and "Technology (TECH)" in box  # the option's label
    assert "Governance Office" in box and "Kind" not in box
    session.refresh(unit)
    assert unit.name == "Governance Office"


def test_delete_unit(client, login_as, session, tree):
    login_as("admin")
    gov = tree["gov"]
    org.create_position(session, SYSTEM, PositionIn(title="Clerk", org_unit_id=gov.id))
    confirm = client.get(f"/org/units/{gov.id}/delete").text
    assert "1 position of this unit will be deleted with it." in confirm
    resp = client.post(
        f"/org/units/{gov.id}/delete", data={"csrf_token": csrf_from(confirm), "version": "1"}
    )
    assert resp.status_code == 302
    session.expunge_all()
    assert session.get(OrgUnit, gov.id) is None
    assert session.exec(select(Position)).all() == []


def test_delete_unit_with_sub_units_is_refused(client, login_as, session, tree):
    login_as("admin")
    resp = post_form(client, f"/org/units/{tree['eao'].id}/delete", {"version": "1"})
    assert resp.status_code == 409 and "still has sub-units" in resp.text
    session.expunge_all()
    assert session.get(OrgUnit, tree["eao"].id) is not None


def test_stale_delete_is_refused(client, login_as, session, tree):
    login_as("admin")
    gov = tree["gov"]
    resp = post_form(client, f"/org/units/{gov.id}/delete", {"version": "7"})
    assert resp.status_code == 409
    session.expunge_all()
    assert session.get(OrgUnit, gov.id) is not None


def test_add_and_remove_dotted_lines(client, login_as, session, tree):
    login_as("admin")
    eao, retail, tech = tree["eao"], tree["retail"], tree["tech"]
    url = f"/org/units/{eao.id}/links"
    page = f"/org/units/{eao.id}"
    resp = post_form(
        client, url, {"direction": "out", "other_unit_id": retail.id, "note": "embedded"}, page
    )
    assert resp.status_code == 302
    resp = post_form(client, url, {"direction": "in", "other_unit_id": tech.id}, page)
    assert resp.status_code == 302
    links = {(lk.from_unit_id, lk.to_unit_id, lk.note) for lk in session.exec(select(OrgLink))}
    assert links == {(eao.id, retail.id, "embedded"), (tech.id, eao.id, "")}

    # The same line twice: a field message next to the select, the note kept.
    resp = post_form(
        client, url, {"direction": "out", "other_unit_id": retail.id, "note": "again"}, page
    )
    assert resp.status_code == 422
    assert "already exists" in resp.text and 'value="again"' in resp.text
    # No unit chosen.
    resp = post_form(client, url, {"direction": "out", "other_unit_id": ""}, page)
    assert resp.status_code == 422 and 'id="e-other_unit_id"' in resp.text

    link = session.exec(select(OrgLink).where(OrgLink.to_unit_id == retail.id)).one()
    resp = post_form(client, f"/org/links/{link.id}/remove", {"unit_id": eao.id}, page)
    assert resp.status_code == 302
    session.expunge_all()
    assert session.get(OrgLink, link.id) is None


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/org/units/new"),
        ("post", "/org/units/new"),
        ("get", "/org/units/{id}/edit"),
        ("post", "/org/units/{id}/edit"),
        ("get", "/org/units/{id}/delete"),
        ("post", "/org/units/{id}/delete"),
        ("post", "/org/units/{id}/links"),
    ],
)
def test_viewer_cannot_edit_units(client, login_as, tree, method, url):
    login_as("viewer")
    target = url.format(id=tree["eao"].id)
    if method == "get":
        assert client.get(target).status_code == 403
    else:
        token = csrf_from(client.get("/org/units").text)
        resp = client.post(target, data={"csrf_token": token, "name": "x", "kind": "team"})
        assert resp.status_code == 403


def test_viewer_cannot_remove_a_dotted_line(client, login_as, session, tree):
    link = org.add_link(
        session, SYSTEM, OrgLinkIn(from_unit_id=tree["eao"].id, to_unit_id=tree["retail"].id)
    )
    login_as("viewer")
    resp = post_form(client, f"/org/links/{link.id}/remove", {}, "/org/units")
    assert resp.status_code == 403
    session.expunge_all()
    assert session.get(OrgLink, link.id) is not None


def _grow(session, total: int, prefix: str) -> None:
    """Add units (three levels, some with people) until there are ``total`` of them."""
    existing = len(session.exec(select(OrgUnit.id)).all())
    parents = list(session.exec(select(OrgUnit)).all())
    for i in range(existing, total):
        parent = parents[i % len(parents)] if parents else None
        unit = make_unit(session, f"{prefix} unit {i:03d}", parent, f"{prefix}{i}")
        parents.append(unit)
        if i % 3 == 0:
            org.create_person(
                session,
                SYSTEM,
                PersonIn(name=f"P {i}", email=f"{prefix}{i}@example.com", org_unit_id=unit.id),
            )


def test_unit_list_query_count_does_not_grow_with_rows(app, client, login_as, session):
    login_as("viewer")
    _grow(session, 10, "A")
    with count_statements(app) as small:
        page = client.get("/org/units", query_string={"per_page": 200})
    assert page.status_code == 200 and page.text.count("data-depth=") == 10
    _grow(session, 100, "B")
    with count_statements(app) as large:
        page = client.get("/org/units", query_string={"per_page": 200})
    assert page.status_code == 200 and page.text.count("data-depth=") == 100
    assert len(small) == len(large), (small, large)


def test_unit_page_query_count_does_not_grow_with_its_contents(app, client, login_as, session):
    login_as("viewer")
    hub = make_unit(session, "Hub", code="HUB")

    def fill(n: int, start: int) -> None:
        for i in range(start, start + n):
            child = make_unit(session, f"Child {i}", hub, f"C{i}")
            p = org.create_person(
                session, SYSTEM, PersonIn(name=f"N {i}", email=f"n{i}@x.org", org_unit_id=hub.id)
            )
            org.create_position(
                session, SYSTEM, PositionIn(title=f"T {i}", org_unit_id=hub.id, holder_id=p.id)
            )
            org.add_link(session, SYSTEM, OrgLinkIn(from_unit_id=hub.id, to_unit_id=child.id))

    fill(2, 0)
    with count_statements(app) as small:
        assert client.get(f"/org/units/{hub.id}").status_code == 200
    fill(20, 2)
    with count_statements(app) as large:
        assert client.get(f"/org/units/{hub.id}").status_code == 200
    assert len(small) == len(large)


def test_people_of_a_deleted_unit_stay(client, login_as, session, tree):
    person = org.create_person(
        session, SYSTEM, PersonIn(name="Kept", email="kept@example.com", org_unit_id=tree["gov"].id)
    )
    login_as("admin")
    resp = post_form(client, f"/org/units/{tree['gov'].id}/delete", {"version": "1"})
    assert resp.status_code == 302
    session.expunge_all()
    assert session.get(Person, person.id).org_unit_id is None
