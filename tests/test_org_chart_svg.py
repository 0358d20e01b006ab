"""The SVG org chart builder: well-formed at 300 units, collapsed markers, subtrees, escaping."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import pytest

from eagov.orgchart import MAX_BOXES, ChartLink, ChartUnit, build_chart, fit

SVG = "{http://www.w3.org/2000/svg}"


def parse_svg(text: str | bytes) -> ET.Element:
    """Parse with xml.etree: the input is our own output, and must be well-formed XML."""
    return ET.fromstring(text)  # noqa: S314


def generated(n: int = 300, seed: int = 7) -> list[ChartUnit]:
    """A random organisation of ``n`` units under one root, up to about 7 levels deep."""
    rnd = random.Random(seed)  # noqa: S311 - test data, not secrets
    units = [ChartUnit(1, "Group", "G", "enterprise", None)]
    depth = {1: 0}
    for i in range(2, n + 1):
        parent = rnd.choice([u.id for u in units if depth[u.id] < 6])
        depth[i] = depth[parent] + 1
        units.append(ChartUnit(i, f"Unit {i}", f"U{i}", "team", parent))
    return units


def below(units: list[ChartUnit], root: int) -> set[int]:
    kids: dict[int | None, list[int]] = {}
    for u in units:
        kids.setdefault(u.parent_id, []).append(u.id)
    out, stack = set(), [root]
    while stack:
        x = stack.pop()
        out.add(x)
        stack.extend(kids.get(x, []))
    return out


def nodes(svg: str) -> dict[int, ET.Element]:
    root = parse_svg(svg)
    return {int(g.get("data-unit-id")): g for g in root.iter(f"{SVG}g") if g.get("data-unit-id")}


def test_300_units_default_view_is_well_formed_and_shows_three_levels():
    units = generated()
    chart = build_chart(units, [ChartLink(2, 150, "matrix"), ChartLink(40, 3)])
    root = parse_svg(chart.svg)  # well-formed XML
    assert root.tag == f"{SVG}svg"
    shown = nodes(chart.svg)
    level = {1: 0}
    for u in units[1:]:
        level[u.id] = level[u.parent_id] + 1
    assert set(shown) == {i for i, lv in level.items() if lv <= 3}
    assert max(level.values()) > 3  # so something is collapsed
    assert len(shown) < 300
    assert int(root.get("width")) == chart.width and chart.width < 20000


def test_collapsed_nodes_carry_a_plus_n_marker_with_the_hidden_count():
    units = generated()
    chart = build_chart(units, chart_url=lambda i: f"/org/chart?root={i}")
    shown = nodes(chart.svg)
    kids: dict[int, list[int]] = {}
    for u in units:
        if u.parent_id:
            kids.setdefault(u.parent_id, []).append(u.id)
    collapsed = {i for i in shown if kids.get(i) and not set(kids[i]) & set(shown)}
    assert collapsed and set(chart.collapsed) == collapsed
    for uid in collapsed:
        hidden = len(below(units, uid)) - 1
        g = shown[uid]
        assert g.get("data-hidden") == str(hidden)
        marker = g.find(f"{SVG}a[@class='more']")
        assert marker is not None and marker.get("href") == f"/org/chart?root={uid}"
        assert [t.text for t in marker.iter(f"{SVG}text")] == [f"+{hidden}"]
    for uid in set(shown) - collapsed:
        assert shown[uid].get("data-hidden") == "0"
        assert shown[uid].find(f"{SVG}a[@class='more']") is None


def test_subtree_view_contains_only_that_subtree():
    units = generated()
    sub_root = next(u.id for u in units if u.parent_id == 1 and len(below(units, u.id)) > 5)
    chart = build_chart(units, [ChartLink(sub_root, 1, "out of the subtree")], root_id=sub_root)
    shown = set(nodes(chart.svg))
    assert sub_root in shown and shown <= below(units, sub_root)
    assert 1 not in shown
    assert chart.links == 0  # a link leaving the subtree is not drawn


def test_depth_expands_the_chart():
    units = generated()
    everything = build_chart(units, depth=30, max_boxes=None)
    assert len(nodes(everything.svg)) == 300 and not everything.collapsed
    parse_svg(everything.svg)
    one = build_chart(units, depth=1)
    assert set(nodes(one.svg)) == {1} | {u.id for u in units if u.parent_id == 1}


def test_nodes_link_to_the_unit_page_and_to_the_chart_from_there():
    units = [ChartUnit(1, "Root", None, "enterprise", None), ChartUnit(2, "Child", "C", "team", 1)]
    chart = build_chart(
        units, unit_url=lambda i: f"/org/units/{i}", chart_url=lambda i: f"/org/chart?root={i}&d=2"
    )
    g = nodes(chart.svg)[2]
    hrefs = [a.get("href") for a in g.iter(f"{SVG}a")]
    assert hrefs == ["/org/units/2", "/org/chart?root=2&d=2"]
    assert "&amp;d=2" in chart.svg  # escaped in the markup


def test_matrix_links_are_dashed_and_attach_to_visible_units():
    units = [
        ChartUnit(1, "Root", None, "enterprise", None),
        ChartUnit(2, "A", None, "division", 1),
        ChartUnit(3, "B", None, "division", 1),
        ChartUnit(4, "A1", None, "team", 2),
    ]
    chart = build_chart(units, [ChartLink(4, 3, "deep"), ChartLink(2, 3)], depth=1)
    paths = [p for p in parse_svg(chart.svg).iter(f"{SVG}path") if p.get("class") == "matrix"]
    # A1 is hidden below A, so both links run from A to B: drawn once.
    assert len(paths) == 1 and paths[0].get("stroke-dasharray")
    assert chart.links == 1


def test_all_text_is_escaped():
    nasty = "<script>alert(\"x\")</script> & 'q' \x01\x1f"
    units = [ChartUnit(1, nasty, "<b>", "team", None), ChartUnit(2, "x", None, "team", 1)]
    chart = build_chart(units, [ChartLink(1, 2, nasty)])
    root = parse_svg(chart.svg)  # control characters removed, markup escaped
    assert "<script>" not in chart.svg and "<b>" not in chart.svg
    titles = " ".join(t.text or "" for t in root.iter(f"{SVG}title"))
    assert '<script>alert("x")</script>' in titles  # readable after parsing


def test_unknown_root_raises():
    with pytest.raises(KeyError):
        build_chart([ChartUnit(1, "Root", None, "team", None)], root_id=5)


def test_empty_organisation_gives_an_empty_but_valid_chart():
    chart = build_chart([])
    assert parse_svg(chart.svg).tag == f"{SVG}svg" and chart.shown == []


def test_fit_shortens_long_and_wide_text():
    assert fit("short", 10) == "short"
    assert fit("a" * 30, 10) == "a" * 10 + "…"
    assert fit("技术支持与解决方案工程部", 10) == "技术支持与…"


def test_a_large_organisation_shows_whole_levels_within_the_box_budget():
    units = generated(n=2000, seed=11)
    depth_of = {1: 0}
    for u in units[1:]:
        depth_of[u.id] = depth_of[u.parent_id] + 1  # type: ignore[index]
    chart = build_chart(units, depth=30)
    shown = set(nodes(chart.svg))
    assert len(shown) <= MAX_BOXES
    # Whole levels: every unit down to the deepest level shown, none below it.
    deepest = max(depth_of[i] for i in shown)
    assert shown == {u.id for u in units if depth_of[u.id] <= deepest}
    # Nothing is lost: each unit hidden is counted by exactly one "+N" marker on the chart.
    assert len(shown) + sum(chart.collapsed.values()) == len(units)
    assert set(chart.collapsed) <= shown
    # A marker's chart starts at that unit and shows its sub-units.
    unit = next(iter(chart.collapsed))
    deeper = build_chart(units, root_id=unit, depth=30)
    assert {u.id for u in units if u.parent_id == unit} <= set(nodes(deeper.svg))


def test_the_roots_sub_units_always_show_however_many():
    units = [ChartUnit(1, "Group", None, "enterprise", None)] + [
        ChartUnit(i, f"Unit {i}", None, "team", 1) for i in range(2, 2 + MAX_BOXES + 50)
    ]
    chart = build_chart(units)
    assert len(nodes(chart.svg)) == len(units) and not chart.collapsed
