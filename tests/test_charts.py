"""Charts: valid, accessible, deterministic SVG that escapes hostile labels and never reads
them as mathtext; PNG for documents; an empty chart says so."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from eagov import charts

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & ]]> -- $\\frac{1}{0}$'


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - our own output, parsed to prove it is valid XML


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_bar_chart_is_valid_accessible_svg_with_its_labels():
    chart = charts.bar_chart(
        ["Jan 2026", "Feb 2026"],
        {"Reviews signed off": [3, 1]},
        line=("Share compliant", [66.7, None]),
        line_max=100,
        title="Reviews per month",
        key="t-bars",
    )
    svg = chart.svg()
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("id") == "t-bars"
    assert root.get("aria-labelledby") == "t-bars-title t-bars-desc"
    assert root.find(f"{SVG}title").text == "Reviews per month"
    assert "Reviews signed off: Jan 2026: 3, Feb 2026: 1." in root.find(f"{SVG}desc").text
    shown = texts(root)
    for label in ("Jan 2026", "Feb 2026", "Reviews signed off", "Share compliant", "3"):
        assert label in shown
    assert root.get("width") is None  # scales with its container
    assert all(i.startswith("t-bars") for i in (e.get("id") for e in root.iter()) if i)


def test_hostile_labels_are_escaped_and_drawn_literally():
    chart = charts.bar_chart([HOSTILE], {HOSTILE: [1]}, title=HOSTILE, key="t-hostile")
    svg = chart.svg()
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == HOSTILE
    assert HOSTILE in texts(root)  # $...$ stayed text, not a formula
    shares = charts.share_bars([(HOSTILE, 50.0)], title="t", key="t-shares").svg()
    assert HOSTILE in texts(parse(shares))


def test_output_is_deterministic_and_ids_differ_per_key():
    def draw(key: str) -> str:
        return charts.line_chart(
            ["a", "b", "c"], {"x": [1, 2, None], "y": [2, None, 1]}, title="t", key=key
        ).svg()

    assert draw("one") == draw("one")
    first, second = parse(draw("one")), parse(draw("two"))
    ids_one = {e.get("id") for e in first.iter() if e.get("id")}
    ids_two = {e.get("id") for e in second.iter() if e.get("id")}
    assert ids_one and not ids_one & ids_two


def test_share_bars_write_values_and_missing_data():
    root = parse(
        charts.share_bars(
            [("Compliant", 75.0), ("On time", None)], title="Shares", key="t-s", no_value="none"
        ).svg()
    )
    shown = texts(root)
    assert "75.0 %" in shown and "none" in shown
    assert "Compliant" in shown and "On time" in shown


def test_empty_chart_says_so():
    root = parse(charts.bar_chart([], {}, title="Nothing", key="t-e", empty_text="No data").svg())
    assert "No data" in texts(root)


def test_png_for_documents():
    png = charts.bar_chart(["合规"], {"评审": [2]}, title="中文", key="t-png").png(dpi=72)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert charts.font_families()[0] == "DejaVu Sans"
