"""Org structure template pages: list, preview in both languages, apply, refusal."""

from __future__ import annotations

from conftest import csrf_from, post_form
from sqlmodel import select

from eagov.models import OrgUnit, Position
from eagov.permissions import SYSTEM
from eagov.schemas.org import OrgUnitIn
from eagov.services import org


def test_template_list_and_preview(client, login_as):
    login_as("review_coordinator")
    page = client.get("/org/templates").text
    for name in (
        "Architecture function for a large enterprise",
        "Architecture function for a small or medium enterprise",
        "Service-oriented architecture function",
        "Technology-oriented architecture function",
    ):
        assert name in page
    preview = client.get("/org/templates/technology_oriented").text
    assert "Technical Support and Solution Engineering" in preview and "TO-TSSE" in preview
    assert "Head of Solution Engineering" in preview
    chinese = client.get("/org/templates/technology_oriented?locale=zh_Hans").text
    assert "技术支持与解决方案工程部" in chinese
    assert client.get("/org/templates/nothing_here").status_code == 404


def test_apply_a_template_under_a_unit_then_refuse_again(client, login_as, session):
    group = org.create_unit(session, SYSTEM, OrgUnitIn(name="Group", kind="enterprise"))
    login_as("admin")
    url = "/org/templates/small_medium_enterprise"
    resp = post_form(client, url, {"under_unit_id": group.id, "locale": "en"})
    assert resp.status_code == 302
    top = session.exec(select(OrgUnit).where(OrgUnit.code == "SME-EA")).one()
    assert top.parent_id == group.id and resp.headers["Location"].endswith(f"/org/units/{top.id}")
    assert len(session.exec(select(OrgUnit)).all()) == 5
    assert "4 units and 4 positions created" in client.get(resp.headers["Location"]).text

    page = client.get(url).text
    assert "cannot be applied again" in page
    resp = client.post(url, data={"csrf_token": csrf_from(page), "locale": "en"})
    assert resp.status_code == 422 and "exist already" in resp.text
    assert len(session.exec(select(OrgUnit)).all()) == 5
    assert len(session.exec(select(Position)).all()) == 4


def test_apply_in_chinese(client, login_as, session):
    login_as("admin")
    resp = post_form(client, "/org/templates/service_oriented", {"locale": "zh_Hans"})
    assert resp.status_code == 302
    assert session.exec(select(OrgUnit).where(OrgUnit.name == "架构服务台")).one()


def test_templates_need_org_edit(client, login_as, session):
    login_as("viewer")
    assert client.get("/org/templates").status_code == 403
    assert client.get("/org/templates/large_enterprise").status_code == 403
    token = csrf_from(client.get("/org/units").text)
    resp = client.post("/org/templates/large_enterprise", data={"csrf_token": token})
    assert resp.status_code == 403
    assert session.exec(select(OrgUnit)).first() is None
    assert "/org/templates" not in client.get("/org/units").text
