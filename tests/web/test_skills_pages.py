"""The skills framework pages: the framework, role profiles and their editing (one requirement
or the whole grid, with version checks), the role comparison, versions with import and
export, permissions, and a bounded number of SQL statements whatever the framework's size."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from conftest import count_statements, csrf_from, post_form
from sqlmodel import select
from test_skill_frameworks import small_data, small_yaml

from eagov.models import AuditEvent
from eagov.permissions import SYSTEM
from eagov.services import skill_frameworks as svc


@pytest.fixture
def small(session):
    return svc.import_framework(session, SYSTEM, small_yaml())


def upload(client, text: str, name: str = "skills.yaml"):
    page = client.get("/skills/frameworks")
    return client.post(
        "/skills/frameworks",
        data={"csrf_token": csrf_from(page.text), "file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def required(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-skill="([^"]+)" data-required="(\d*)"', html))


def test_a_manager_starts_from_the_shipped_framework(client, login_as):
    login_as("review_coordinator")
    page = client.get("/skills/")
    assert page.status_code == 200 and 'id="no-framework"' in page.text
    resp = post_form(client, "/skills/frameworks/shipped", {}, page="/skills/")
    assert resp.status_code == 302
    page = client.get("/skills/").text
    assert page.count('id="category-') == 7
    assert "Data design" in page and "Background" in page and "Expert" in page
    again = post_form(client, "/skills/frameworks/shipped", {}, page="/skills/")
    assert again.status_code == 409


def test_the_framework_reads_in_chinese(client, login_as, small):
    login_as("viewer")
    page = client.get("/skills/", headers={"Accept-Language": "zh-Hans"}).text
    assert "Leadership（中文）" in page and "Expert（中文）" in page
    role = client.get("/skills/roles/ea_data", headers={"Accept-Language": "zh-Hans"}).text
    assert "Data architect（中文）" in role


def test_viewers_read_but_do_not_change(client, login_as, small):
    login_as("viewer")
    page = client.get("/skills/").text
    assert "Leadership" in page and "import_shipped" not in page
    role = client.get("/skills/roles/sponsor").text
    assert required(role) == {"leadership": "4", "teamwork": "2", "security": "1"}
    assert "/skills/roles/sponsor/edit" not in role
    assert client.get("/skills/roles/sponsor/edit").status_code == 403
    assert client.get("/skills/roles/sponsor/skills/security").status_code == 403
    html = client.get("/skills/compare").text
    resp = client.post(
        "/skills/roles/sponsor/skills/security",
        data={"csrf_token": csrf_from(html), "level": "3", "version": "1"},
    )
    assert resp.status_code == 403
    assert 'type="file"' not in client.get("/skills/frameworks").text
    assert upload(client, small_yaml("2.0.0")).status_code == 403
    assert post_form(client, "/skills/frameworks/shipped", {}, page="/skills/").status_code == 403


def test_roles_list_shows_each_profile_shape(client, login_as, small):
    login_as("architect")
    html = client.get("/skills/roles/").text
    row = html.split('data-role="sponsor"')[1].split("</tr>")[0]
    counts = dict(re.findall(r'data-count="(\d)">(\d+)<', row))
    assert counts == {"1": "1", "2": "1", "3": "0", "4": "1"}
    assert 'data-role="ea_data"' in html


def test_one_requirement_is_changed_and_a_stale_form_is_refused(client, login_as, small, session):
    login_as("review_coordinator")
    url = "/skills/roles/sponsor/skills/security"
    form = client.get(url).text
    assert 'name="version" value="1"' in form and 'value="1" checked' in form
    resp = post_form(client, url, {"level": "3", "version": "1"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#skill-security")
    assert required(client.get("/skills/roles/sponsor").text)["security"] == "3"
    stale = post_form(client, url, {"level": "2", "version": "1"})
    assert stale.status_code == 409
    assert "Someone else changed" in stale.text
    assert 'value="2" checked' in stale.text  # what was chosen is kept
    bad = post_form(client, url, {"level": "7", "version": "2"})
    assert bad.status_code == 422 and "invalid-feedback" in bad.text
    assert session.exec(select(AuditEvent).where(AuditEvent.entity_type == "role_requirement"))


def test_the_whole_profile_is_saved_from_the_grid(client, login_as, small):
    login_as("admin")
    url = "/skills/roles/ea_data/edit"
    grid = client.get(url).text
    assert grid.count('type="radio"') == 3 * 4
    assert 'name="level-teamwork" value="4"' in grid
    data = {"version": "1", "level-leadership": "1", "level-teamwork": "2", "level-security": "3"}
    resp = post_form(client, url, data)
    assert resp.status_code == 302
    assert required(client.get("/skills/roles/ea_data").text) == {
        "leadership": "1",
        "teamwork": "2",
        "security": "3",
    }
    stale = post_form(client, url, data | {"level-security": "4"})
    assert stale.status_code == 409 and "Someone else changed" in stale.text
    incomplete = post_form(client, url, {"version": "2", "level-leadership": "2"})
    assert incomplete.status_code == 422
    assert "teamwork" in incomplete.text and "security" in incomplete.text


def test_compare_puts_roles_side_by_side(client, login_as, small):
    login_as("viewer")
    html = client.get("/skills/compare").text
    assert re.findall(r'<th scope="col" class="text-center small" data-role="(\w+)"', html) == [
        "ea_data",
        "sponsor",
    ]
    row = html.split('data-skill="security"')[1].split("</tr>")[0]
    assert re.findall(r">(\d)</td>", row) == ["4", "1"]
    one = client.get("/skills/compare?role=sponsor").text
    assert 'data-role="ea_data"' not in one.split('id="comparison"')[1]
    differ = client.get("/skills/compare?differences=1").text.split('id="comparison"')[1]
    assert 'data-skill="leadership"' in differ  # 3 vs 4
    svc_levels = {"leadership": 3, "teamwork": 4, "security": 4}
    assert all(f'data-skill="{k}"' in differ for k in svc_levels)


def test_versions_import_errors_and_export(client, login_as, small):
    login_as("review_coordinator")
    bad = upload(client, small_yaml("2.0.0").replace("security: 1\n", "security: 9\n"))
    assert bad.status_code == 422
    assert re.search(r"line \d+, roles\.1\.profile\.security", bad.text)
    assert upload(client, small_yaml("1.0.0")).status_code == 409
    assert upload(client, "x", name="skills.txt").status_code == 422
    ok = upload(client, small_yaml("2.0.0"))
    assert ok.status_code == 302
    listing = client.get("/skills/frameworks").text
    assert listing.count("In use") == 1 and "2.0.0" in listing and "1.0.0" in listing
    export = client.get(f"/skills/frameworks/{small.id}/export.yaml")
    assert export.status_code == 200 and export.mimetype == "application/yaml"
    assert export.get_data(as_text=True) == small_yaml("1.0.0")
    assert "test-skills-1.0.0.yaml" in export.headers["Content-Disposition"]
    assert client.get("/skills/frameworks/999/export.yaml").status_code == 404


def test_unknown_roles_and_skills_are_404(client, login_as, small):
    login_as("admin")
    assert client.get("/skills/roles/chief").status_code == 404
    assert client.get("/skills/roles/sponsor/skills/cooking").status_code == 404


def big_yaml(categories: int, per_category: int) -> str:
    data: dict[str, Any] = small_data()
    data["categories"] = [
        {
            "key": f"c{c}",
            "name": {"en": f"Category {c}", "zh_Hans": f"类别 {c}"},
            "skills": [
                {
                    "key": f"s{c}-{s}",
                    "name": {"en": f"Skill {c}.{s}", "zh_Hans": f"技能 {c}.{s}"},
                    "description": {"en": "A skill.", "zh_Hans": "一项技能。"},
                }
                for s in range(per_category)
            ],
        }
        for c in range(categories)
    ]
    keys = [s["key"] for c in data["categories"] for s in c["skills"]]
    for n, role in enumerate(data["roles"]):
        role["profile"] = {k: 1 + (i + n) % 4 for i, k in enumerate(keys)}
    return svc.dump(data)


PAGES = (
    "/skills/",
    "/skills/roles/",
    "/skills/roles/sponsor",
    "/skills/roles/sponsor/edit",
    "/skills/roles/sponsor/skills/s0-0",
    "/skills/compare",
    "/skills/frameworks",
)


def test_pages_run_a_bounded_number_of_statements(app, client, login_as, session):
    login_as("admin")
    svc.import_framework(session, SYSTEM, big_yaml(2, 3))

    def measure() -> list[int]:
        sizes = []
        for url in PAGES:
            with count_statements(app) as seen:
                assert client.get(url).status_code == 200, url
            sizes.append(len(seen))
        return sizes

    small_counts = measure()
    svc.import_framework(session, SYSTEM, big_yaml(6, 10).replace('"1.0.0"', '"2.0.0"'))
    assert measure() == small_counts
