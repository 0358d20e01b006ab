"""People's skills pages: a person's page with its forms, the team views and the downloads."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from conftest import count_statements, csrf_from, login
from skills_people_factory import (
    assess,
    give_role,
    make_framework,
    make_person,
    make_position,
    make_unit,
)
from sqlmodel import select

from eagov.models import SkillAssessment

D1 = date(2026, 1, 10)


@pytest.fixture
def world(session, make_user):  # type: ignore[no-untyped-def]
    fw = make_framework(session)
    unit = make_unit(session, "Architecture")
    boss_user, me_user, arch_user = (
        make_user("contributor"),
        make_user("contributor"),
        make_user("architect"),
    )
    boss = make_person(session, "Boss Person", unit, boss_user)
    me = make_person(session, "Me Person", unit, me_user)
    peer = make_person(session, "Peer Person", unit)
    make_person(session, "Arch Person", unit, arch_user)
    top = make_position(session, boss, unit, title="Head")
    make_position(session, me, unit, reports_to=top, role="ea_data")
    give_role(session, peer, fw.roles["ea_data"])
    for key, lv in {"leadership": 3, "teamwork": 1, "data-design": 3}.items():
        assess(session, me, fw.skills[key], lv, D1)
    assess(session, peer, fw.skills["leadership"], 1, D1)
    return {"fw": fw, "unit": unit, "boss": boss_user, "me": (me_user, me), "arch": arch_user,
            "peer": peer}  # fmt: skip


def _post(client, url, page, data):  # type: ignore[no-untyped-def]
    return client.post(url, data={**data, "csrf_token": csrf_from(client.get(page).text)})


def test_a_person_sees_their_skills_and_gap_but_not_a_colleagues(client, world):  # type: ignore[no-untyped-def]
    user, me = world["me"]
    login(client, user.email)
    resp = client.get(f"/skills/people/{me.id}")
    assert resp.status_code == 200
    assert 'data-skill="leadership" data-level="3"' in resp.text
    # The gap against the role of their position is shown by default.
    assert 'data-total="2" data-short="2"' in resp.text  # teamwork and data-design: 1 each
    assert "<svg" in resp.text
    assert client.get(f"/skills/people/{world['peer'].id}").status_code == 403
    assert client.get("/skills/people/me").headers["Location"].endswith(f"/skills/people/{me.id}")
    assert client.get("/skills/gaps/heatmap").status_code == 403
    assert client.get("/skills/coverage").status_code == 403


def test_self_assessment_then_confirmation_by_the_manager(client, session, world):  # type: ignore[no-untyped-def]
    fw = world["fw"]
    user, me = world["me"]
    login(client, user.email)
    page = f"/skills/people/{me.id}"
    resp = _post(client, f"{page}/assessments", page,
                 {"skill_id": fw.sid("teamwork"), "level": "4", "source": "self",
                  "assessed_on": "2026-02-01", "evidence": "Led the guild"})  # fmt: skip
    assert resp.status_code == 302
    own = session.exec(select(SkillAssessment).where(SkillAssessment.source == "self")).one()
    assert 'data-skill="teamwork" data-level="1"' in client.get(page).text  # not agreed yet
    # A bad form keeps what was typed and says why.
    bad = _post(client, f"{page}/assessments", page,
                {"skill_id": fw.sid("teamwork"), "level": "7", "source": "self",
                 "evidence": "kept text"})  # fmt: skip
    assert bad.status_code == 422 and "kept text" in bad.text and "is-invalid" in bad.text
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    login(client, world["boss"].email)
    assert "Confirm" in client.get(page).text
    resp = _post(client, f"{page}/assessments/{own.id}/confirm", page, {"note": ""})
    assert resp.status_code == 302
    assert 'data-skill="teamwork" data-level="4"' in client.get(page + "?as_of=2026-02-01").text


def test_a_contributor_cannot_assess_a_colleague(client, world):  # type: ignore[no-untyped-def]
    user, me = world["me"]
    login(client, user.email)
    peer = world["peer"].id
    data = {"skill_id": world["fw"].sid("teamwork"), "level": "2", "source": "self"}
    resp = _post(client, f"/skills/people/{peer}/assessments", f"/skills/people/{me.id}", data)
    assert resp.status_code == 403


def test_team_pages_show_the_service_numbers(client, world):  # type: ignore[no-untyped-def]
    fw = world["fw"]
    login(client, world["arch"].email)
    hm = client.get(f"/skills/gaps/heatmap?unit={world['unit'].id}&as_of=2026-07-01")
    assert hm.status_code == 200
    me = world["me"][1]
    assert f'data-person="{me.id}"' in hm.text and 'data-total="2"' in hm.text
    cov = client.get("/skills/coverage?as_of=2026-07-01")
    assert 'data-role="ea_data" data-people="2" data-meeting="0" data-within="1"' in cov.text
    cand = client.get(f"/skills/candidates?role={fw.rid('ea_data')}&as_of=2026-07-01")
    assert f'data-person="{me.id}" data-rank="1" data-total="2"' in cand.text
    need = client.get("/skills/training-needs?as_of=2026-07-01")
    assert 'data-skill="data-design" data-total="5" data-people="2"' in need.text
    assert client.get("/skills/coverage?as_of=nonsense").status_code == 422


def test_downloads(client, world):  # type: ignore[no-untyped-def]
    login(client, world["arch"].email)
    resp = client.get("/skills/gaps/report.csv?as_of=2026-07-01")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0][0] == "Person" and len(rows) == 1 + 6  # two people x three skills
    for fmt, mimetype in (("xlsx", "spreadsheetml"), ("docx", "wordprocessingml")):
        resp = client.get(f"/skills/gaps/report.{fmt}")
        assert resp.status_code == 200 and mimetype in resp.mimetype
    me = world["me"][1]
    resp = client.get(f"/skills/people/{me.id}/gap.docx?role={world['fw'].rid('ea_data')}")
    assert resp.status_code == 200 and "wordprocessingml" in resp.mimetype


def test_team_pages_run_a_bounded_number_of_statements(app, client, session, world):  # type: ignore[no-untyped-def]
    fw = world["fw"]
    login(client, world["arch"].email)
    urls = [
        "/skills/gaps/heatmap",
        f"/skills/candidates?role={fw.rid('ea_data')}",
        "/skills/coverage",
        "/skills/training-needs",
        f"/skills/people/{world['me'][1].id}",
    ]

    def counts() -> list[int]:
        out = []
        for url in urls:
            with count_statements(app) as seen:
                assert client.get(url).status_code == 200
            out.append(len(seen))
        return out

    before = counts()
    unit = make_unit(session, "Crowd")
    for i in range(20):
        p = make_person(session, f"Crowd {i}", unit)
        give_role(session, p, fw.roles["ea_applications"], "held" if i % 2 else "target")
        assess(session, p, fw.skills["leadership"], 1 + i % 4, D1)
        assess(session, world["me"][1], fw.skills["application-design"], 1 + i % 4, D1)
    assert counts() == before
