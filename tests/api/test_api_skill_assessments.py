"""/api/v1 skill assessments, person roles and gap endpoints."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from apihelp import Api, assert_problem, created
from skills_people_factory import (
    assess,
    give_role,
    make_framework,
    make_person,
    make_position,
    make_unit,
)

D1 = date(2026, 1, 10)


@pytest.fixture
def world(session, client, api_token):  # type: ignore[no-untyped-def]
    fw = make_framework(session)
    unit = make_unit(session, "Architecture")
    boss_user, boss_h = api_token("contributor")
    me_user, me_h = api_token("contributor")
    _arch_user, arch_h = api_token("architect")
    boss = make_person(session, "Boss", unit, boss_user)
    me = make_person(session, "Me", unit, me_user)
    peer = make_person(session, "Peer", unit)
    top = make_position(session, boss, unit, title="Head")
    make_position(session, me, unit, reports_to=top, role="ea_data", title="Data architect")
    give_role(session, peer, fw.roles["ea_data"])
    for key, lv in {"leadership": 3, "teamwork": 1, "data-design": 3}.items():
        assess(session, me, fw.skills[key], lv, D1)
    assess(session, peer, fw.skills["leadership"], 1, D1)
    return {
        "fw": fw,
        "unit": unit,
        "me": me,
        "peer": peer,
        "me_api": Api(client, me_h),
        "boss_api": Api(client, boss_h),
        "arch_api": Api(client, arch_h),
    }


def test_self_assessment_confirmation_and_the_list(world):  # type: ignore[no-untyped-def]
    fw, me = world["fw"], world["me"]
    mine, boss = world["me_api"], world["boss_api"]
    body = {"person_id": me.id, "skill_id": fw.sid("teamwork"), "level": 4, "source": "self",
            "assessed_on": "2026-02-01", "evidence": "Guild lead"}  # fmt: skip
    own = created(mine.post("/skill-assessments", body))
    assert (own["agreed"], own["confirmed"], own["skill_key"]) == (False, False, "teamwork")
    assert_problem(mine.post("/skill-assessments", body | {"source": "manager"}), 403)
    assert_problem(mine.post("/skill-assessments", body | {"level": 5}), 422)
    assert_problem(mine.post(f"/skill-assessments/{own['id']}/confirm", {}), 403)
    agreed = created(boss.post(f"/skill-assessments/{own['id']}/confirm", {"note": "ok"}))
    assert (agreed["source"], agreed["agreed"], agreed["level"]) == ("manager", True, 4)
    assert_problem(boss.post(f"/skill-assessments/{own['id']}/confirm", {}), 409)
    assert mine.get(f"/skill-assessments/{own['id']}").json["confirmed"] is True
    listing = mine.get("/skill-assessments?source=self").json
    assert [i["id"] for i in listing["items"]] == [own["id"]]
    # A contributor cannot read a colleague's assessments.
    assert mine.get(f"/skill-assessments?person_id={world['peer'].id}").json["total"] == 0
    levels = mine.get(f"/skill-assessments/current?person_id={me.id}&as_of=2026-02-01").json
    assert {i["skill_key"]: i["level"] for i in levels["items"]}["teamwork"] == 4
    assert_problem(mine.get(f"/skill-assessments/current?person_id={world['peer'].id}"), 403)


def test_person_roles(world):  # type: ignore[no-untyped-def]
    fw, me = world["fw"], world["me"]
    mine, boss = world["me_api"], world["boss_api"]
    target = {"person_id": me.id, "role_id": fw.rid("ea_applications"), "relation": "target"}
    row = created(mine.post("/person-roles", target))
    assert_problem(mine.post("/person-roles", target), 409)
    assert_problem(mine.post("/person-roles", target | {"relation": "held"}), 403)
    created(boss.post("/person-roles", target | {"relation": "held"}))
    items = mine.get(f"/person-roles?person_id={me.id}").json["items"]
    assert {(i["role_key"], i["relation"], i["from_position"]) for i in items} == {
        ("ea_applications", "target", None),
        ("ea_applications", "held", None),
        ("ea_data", "held", "Data architect"),
    }
    assert mine.delete(f"/person-roles/{row['id']}").status_code == 204


def test_gap_endpoints_match_the_service(world):  # type: ignore[no-untyped-def]
    fw, me, unit = world["fw"], world["me"], world["unit"]
    arch = world["arch_api"]
    gap = (
        world["me_api"]
        .get(f"/skill-gaps/person?person_id={me.id}&role_id={fw.rid('ea_data')}&as_of=2026-07-01")
        .json
    )
    assert (gap["total_gap"], gap["skills_short"], gap["meets"]) == (2, 2, False)
    assert [(r["skill_key"], r["required"], r["current"], r["gap"]) for r in gap["rows"]] == [
        ("leadership", 3, 3, 0),
        ("teamwork", 2, 1, 1),
        ("data-design", 4, 3, 1),
    ]
    hm = arch.get(f"/skill-gaps/heatmap?org_unit_id={unit.id}&as_of=2026-07-01").json
    assert [c["skill_key"] for c in hm["columns"]] == ["leadership", "teamwork", "data-design"]
    assert {p["name"]: p["gaps"] for p in hm["people"]} == {
        "Me": [0, 1, 1],
        "Peer": [2, 2, 4],
    }
    cov = arch.get("/skill-gaps/coverage?as_of=2026-07-01").json["roles"]
    assert [(c["role_key"], c["people"], c["meeting"], c["within_one"]) for c in cov] == [
        ("ea_data", 2, 0, 1),
        ("ea_applications", 0, 0, 0),
    ]
    cand = arch.get(f"/skill-gaps/candidates?role_id={fw.rid('ea_data')}&as_of=2026-07-01").json
    assert [(c["name"], c["total_shortfall"]) for c in cand["items"]] == [
        ("Me", 2),
        ("Peer", 8),
        ("Boss", 9),
    ]
    assert [g["skill_key"] for g in cand["items"][0]["gaps"]] == ["data-design", "teamwork"]
    needs = arch.get("/skill-gaps/training-needs?as_of=2026-07-01").json["items"]
    assert [(n["skill_key"], n["total_gap"], n["people_short"]) for n in needs] == [
        ("data-design", 5, 2),
        ("teamwork", 3, 2),
        ("leadership", 2, 1),
    ]
    # Team views are for skills.read_all holders.
    assert_problem(world["me_api"].get("/skill-gaps/heatmap"), 403)
    assert_problem(world["me_api"].get("/skill-gaps/coverage"), 403)
    assert_problem(arch.get("/skill-gaps/candidates"), 422)  # role_id is required


def test_downloads(world):  # type: ignore[no-untyped-def]
    arch = world["arch_api"]
    resp = arch.get("/skill-gaps/report.csv?as_of=2026-07-01")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert len(rows) == 1 + 6
    assert arch.get("/skill-gaps/report.xlsx").status_code == 200
    assert arch.get("/skill-gaps/report.docx?locale=zh_Hans").status_code == 200
    fw, me = world["fw"], world["me"]
    resp = world["me_api"].get(
        f"/skill-gaps/person.docx?person_id={me.id}&role_id={fw.rid('ea_data')}"
    )
    assert resp.status_code == 200 and "wordprocessingml" in resp.mimetype
    assert_problem(world["me_api"].get("/skill-gaps/report.csv"), 403)
