"""Position pages: list grouped by unit, position page, form with every field, permissions."""

from __future__ import annotations

import re

import pytest
from conftest import csrf_from, post_form
from sqlmodel import select

from eagov.models import Position
from eagov.permissions import SYSTEM
from eagov.schemas.org import OrgUnitIn, PersonIn, PositionIn
from eagov.services import org


@pytest.fixture
def setup(session):
    eao = org.create_unit(
        session, SYSTEM, OrgUnitIn(name="Architecture", code="EAO", kind="function")
    )
    fin = org.create_unit(session, SYSTEM, OrgUnitIn(name="Finance", code="FIN", kind="function"))
    ada = org.create_person(session, SYSTEM, PersonIn(name="Ada", email="ada@example.com"))
    chief = org.create_position(
        session,
        SYSTEM,
        PositionIn(
            title="Chief Architect",
            org_unit_id=eao.id,
            holder_id=ada.id,
            architecture_role="ea_manager",
            duties="Leads the function.",
        ),
    )
    return {"eao": eao, "fin": fin, "ada": ada, "chief": chief}


def test_positions_are_listed_by_unit(client, login_as, session, setup):
    org.create_position(
        session,
        SYSTEM,
        PositionIn(title="Controller", org_unit_id=setup["fin"].id),
    )
    org.create_position(
        session,
        SYSTEM,
        PositionIn(
            title="Data Architect",
            org_unit_id=setup["eao"].id,
            reports_to_id=setup["chief"].id,
            architecture_role="ea_data",
        ),
    )
    login_as("viewer")
    page = client.get("/org/positions").text
    groups = re.findall(r'scope="rowgroup"><a href="/org/units/\d+">([^<]+)</a>', page)
    assert groups == ["Architecture", "Finance"]
    titles = re.findall(r'<td class="ps-4"><a href="/org/positions/\d+">([^<]+)</a>', page)
    assert titles == ["Chief Architect", "Data Architect", "Controller"]
    assert "Enterprise architect (data)" in page and "vacant" in page
    only_fin = client.get(f"/org/positions?unit={setup['fin'].id}").text
    assert "Controller" in only_fin and "Chief Architect" not in only_fin
    assert "Chief Architect" in client.get("/org/positions?q=ada").text  # by holder
    assert "/org/positions/new" not in page


def test_position_page(client, login_as, session, setup):
    org.create_position(
        session,
        SYSTEM,
        PositionIn(
            title="Data Architect", org_unit_id=setup["eao"].id, reports_to_id=setup["chief"].id
        ),
    )
    login_as("viewer")
    page = client.get(f"/org/positions/{setup['chief'].id}").text
    for text in ("Chief Architect", "Ada", "Leads the function.", "Data Architect", "History"):
        assert text in page, text
    assert client.get("/org/positions/999").status_code == 404


def test_position_form_with_every_field(client, login_as, session, setup):
    login_as("review_coordinator")
    form = client.get(f"/org/positions/new?unit={setup['eao'].id}").text
    for name in (
        "title",
        "org_unit_id",
        "reports_to_id",
        "holder_id",
        "architecture_role",
        "duties",
        "requirements",
        "performance_criteria",
    ):
        assert f'name="{name}"' in form, name
    resp = client.post(
        f"/org/positions/new?unit={setup['eao'].id}",
        data={
            "csrf_token": csrf_from(form),
            "title": "Solution Architect",
            "org_unit_id": str(setup["eao"].id),
            "reports_to_id": str(setup["chief"].id),
            "holder_id": str(setup["ada"].id),
            "architecture_role": "ea_applications",
            "duties": "Designs solutions.",
            "requirements": "Five years.",
            "performance_criteria": "Review cycle time.",
        },
    )
    assert resp.status_code == 302
    pos = session.exec(select(Position).where(Position.title == "Solution Architect")).one()
    assert (pos.reports_to_id, pos.holder_id, pos.architecture_role) == (
        setup["chief"].id,
        setup["ada"].id,
        "ea_applications",
    )
    assert pos.performance_criteria == "Review cycle time."


def test_position_form_errors_keep_input(client, login_as, setup):
    login_as("admin")
    resp = post_form(
        client,
        "/org/positions/new",
        {"title": "", "org_unit_id": "", "architecture_role": "wizard", "duties": "typed duties"},
    )
    assert resp.status_code == 422
    for name in ("title", "org_unit_id", "architecture_role"):
        assert f'id="e-{name}"' in resp.text, name
    assert "typed duties" in resp.text


def test_position_cannot_report_to_itself(client, login_as, session, setup):
    chief = setup["chief"]
    login_as("admin")
    resp = post_form(
        client,
        f"/org/positions/{chief.id}/edit",
        {
            "version": "1",
            "title": chief.title,
            "org_unit_id": setup["eao"].id,
            "reports_to_id": chief.id,
        },
    )
    assert resp.status_code == 422 and "cannot report to itself" in resp.text


def test_stale_position_edit_is_409(client, login_as, session, setup):
    chief = setup["chief"]
    login_as("admin")
    url = f"/org/positions/{chief.id}/edit"
    token = csrf_from(client.get(url).text)
    org.update_position(
        session,
        SYSTEM,
        chief.id,
        PositionIn(title="Chief Architect", org_unit_id=setup["eao"].id, duties="Changed."),
        1,
    )
    resp = client.post(
        url,
        data={
            "csrf_token": token,
            "version": "1",
            "title": "Head of Architecture",
            "org_unit_id": str(setup["eao"].id),
            "duties": "Mine.",
        },
    )
    assert resp.status_code == 409
    assert 'value="Head of Architecture"' in resp.text and "Mine." in resp.text
    assert "Changed." in resp.text
    # Only what the other person changed is listed, not what this user changed.
    assert '<dt class="col-sm-4">Duties</dt>' in resp.text
    assert '<dt class="col-sm-4">Title</dt>' not in resp.text
    session.refresh(chief)
    assert chief.title == "Chief Architect"


def test_delete_position(client, login_as, session, setup):
    login_as("admin")
    chief = setup["chief"]
    resp = post_form(client, f"/org/positions/{chief.id}/delete", {"version": "1"})
    assert resp.status_code == 302
    session.expunge_all()
    assert session.get(Position, chief.id) is None


@pytest.mark.parametrize(
    "url", ["/org/positions/new", "/org/positions/{id}/edit", "/org/positions/{id}/delete"]
)
def test_viewer_cannot_edit_positions(client, login_as, setup, url):
    login_as("viewer")
    target = url.format(id=setup["chief"].id)
    assert client.get(target).status_code == 403
    token = csrf_from(client.get("/org/positions").text)
    assert client.post(target, data={"csrf_token": token, "version": "1"}).status_code == 403
