"""The org chart page and its SVG download, on 300 generated units."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET

import pytest
from sqlmodel import select

from eagov.models import OrgUnit
from eagov.permissions import SYSTEM
from eagov.schemas.org import OrgLinkIn, OrgUnitIn
from eagov.services import org

SVG = "{http://www.w3.org/2000/svg}"


def parse_svg(text: str | bytes) -> ET.Element:
    """Parse with xml.etree: the input is our own output, and must be well-formed XML."""
    return ET.fromstring(text)  # noqa: S314


@pytest.fixture
def big_org(session):
    """300 units, up to six levels, with a few dotted lines and one nasty name."""
    rnd = random.Random(3)  # noqa: S311 - test data, not secrets
    root = org.create_unit(session, SYSTEM, OrgUnitIn(name="Group & <Co>", kind="enterprise"))
    ids, level = [root.id], {root.id: 0}
    for i in range(299):
        parent = rnd.choice([u for u in ids if level[u] < 5])
        unit = org.create_unit(
            session,
            SYSTEM,
            OrgUnitIn(name=f"Unit {i}", code=f"U{i}", kind="team", parent_id=parent),
        )
        ids.append(unit.id)
        level[unit.id] = level[parent] + 1
    for a, b in rnd.sample([(x, y) for x in ids[:40] for y in ids[40:80]], 5):
        org.add_link(session, SYSTEM, OrgLinkIn(from_unit_id=a, to_unit_id=b))
    return {"root": root, "ids": ids, "level": level}


def shown_ids(svg: str) -> set[int]:
    root = parse_svg(svg)
    return {int(g.get("data-unit-id")) for g in root.iter(f"{SVG}g") if g.get("data-unit-id")}


def test_chart_page_renders_three_levels_by_default(client, login_as, big_org):
    login_as("viewer")
    page = client.get("/org/chart")
    assert page.status_code == 200
    svg = re.search(r"<svg .*?</svg>", page.text, re.S).group(0)
    expected = {u for u, lv in big_org["level"].items() if lv <= 3}
    assert shown_ids(svg) == expected
    assert 'class="more"' in svg and "Group &amp; &lt;Co&gt;" in svg
    assert "<script" not in svg


def test_chart_svg_download_is_well_formed(client, login_as, big_org):
    login_as("viewer")
    resp = client.get("/org/chart.svg?depth=30")
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    assert shown_ids(resp.text.split("\n", 1)[1]) == set(big_org["ids"])
    parse_svg(resp.data)  # with the XML declaration


def test_chart_of_a_subtree(client, login_as, session, big_org):
    login_as("viewer")
    level = big_org["level"]
    sub = next(u for u, lv in level.items() if lv == 1)
    resp = client.get(f"/org/chart.svg?root={sub}&depth=30")
    inside = org.subtree_ids(session, sub)
    assert shown_ids(resp.text.split("\n", 1)[1]) == inside
    page = client.get(f"/org/chart?root={sub}").text
    assert "Whole organisation" in page  # way back to the full chart
    name = session.get(OrgUnit, sub).name
    assert f"Org chart: {name}" in page


def test_each_node_links_to_its_page_and_to_the_chart_from_there(client, login_as, big_org):
    login_as("viewer")
    svg = client.get("/org/chart.svg?depth=2").text.split("\n", 1)[1]
    root = parse_svg(svg)
    some = next(g for g in root.iter(f"{SVG}g") if g.get("data-unit-id") == str(big_org["ids"][1]))
    hrefs = [a.get("href") for a in some.iter(f"{SVG}a")]
    uid = big_org["ids"][1]
    assert f"/org/units/{uid}" in hrefs
    assert any(h.startswith("/org/chart?") and f"root={uid}" in h for h in hrefs)


def test_chart_arguments_are_checked(client, login_as, big_org):
    login_as("viewer")
    assert client.get("/org/chart?root=99999").status_code == 404
    assert client.get("/org/chart?depth=-4").status_code == 200  # clamped to 1
    assert client.get("/org/chart?depth=abc").status_code == 200


def test_empty_organisation(client, login_as, session):
    login_as("viewer")
    assert session.exec(select(OrgUnit)).first() is None
    page = client.get("/org/chart")
    assert page.status_code == 200 and "There are no units yet." in page.text
