"""The org chart as SVG, built on the server (no JavaScript).

Reporting lines are solid, dotted-line (matrix) links dashed with an arrow. A chart shows a
root (or every top-level unit) and up to ``depth`` levels below it, as many whole levels as
fit in ``MAX_BOXES`` boxes; a unit with hidden sub-units carries a "+N" marker that opens the
chart from that unit. A unit whose visible sub-units
have none of their own lists them in a column under it, so wide organisations stay
readable. Every piece of text is escaped; the output is well-formed XML.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

BOX_W = 196
BOX_H = 56
H_GAP = 24
V_GAP = 44
STACK_INDENT = 22
STACK_GAP = 10
MARGIN = 16
MARKER_H = 18
# Beyond a few hundred boxes a chart is read in parts anyway; it also bounds the page's cost.
MAX_BOXES = 200

KIND_FILL = {
    "enterprise": "#cfe2ff",
    "division": "#d1e7dd",
    "business_unit": "#e2f0d9",
    "function": "#fff3cd",
    "product_line": "#f8d7da",
    "customer_segment": "#e0cffc",
    "region": "#cff4fc",
    "team": "#f8f9fa",
    "board": "#ffe5d0",
}

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class ChartUnit:
    id: int
    name: str
    code: str | None
    kind: str
    parent_id: int | None


@dataclass(frozen=True)
class ChartLink:
    from_id: int
    to_id: int
    note: str = ""


@dataclass
class ChartText:
    """Words the chart shows, translated by the caller."""

    title: str = "Org chart"
    chart_from_here: str = "Chart from here"
    more: Callable[[int], str] = lambda n: f"{n} more units below"
    kind: Callable[[str], str] = lambda k: k.replace("_", " ")
    dotted_line: str = "Dotted line"


@dataclass
class OrgChart:
    svg: str
    width: int
    height: int
    shown: list[int] = field(default_factory=list)
    collapsed: dict[int, int] = field(default_factory=dict)  # unit id -> hidden units below
    links: int = 0


def esc(text: object) -> str:
    """Text or attribute value, safe inside XML (also drops characters XML cannot carry)."""
    return escape(_INVALID_XML.sub("", str(text)), {'"': "&quot;", "'": "&#39;"})


def _width_units(ch: str) -> int:
    return 2 if ord(ch) >= 0x1100 else 1  # CJK and other wide characters take two columns


def fit(text: str, columns: int) -> str:
    """Shorten ``text`` to about ``columns`` narrow characters, with an ellipsis."""
    used, out = 0, list[str]()
    for ch in text:
        w = _width_units(ch)
        if used + w > columns:
            return "".join(out).rstrip() + "…"
        out.append(ch)
        used += w
    return text


def build_chart(
    units: Iterable[ChartUnit],
    links: Iterable[ChartLink] = (),
    *,
    root_id: int | None = None,
    depth: int = 3,
    unit_url: Callable[[int], str] = lambda i: f"#unit-{i}",
    chart_url: Callable[[int], str] = lambda i: f"?root={i}",
    text: ChartText | None = None,
    max_boxes: int | None = MAX_BOXES,
) -> OrgChart:
    """Lay out and draw the chart. ``root_id`` None: every top-level unit is a root;
    ``max_boxes`` None: every level down to ``depth``."""
    text = text or ChartText()
    depth = max(0, depth)
    by_id = {u.id: u for u in units}
    kids: dict[int | None, list[ChartUnit]] = {}
    for u in by_id.values():
        parent = u.parent_id if u.parent_id in by_id else None
        kids.setdefault(parent, []).append(u)
    for group in kids.values():
        group.sort(key=lambda u: (u.name.casefold(), u.id))

    if root_id is None:
        roots = kids.get(None, [])
    elif root_id in by_id:
        roots = [by_id[root_id]]
    else:
        raise KeyError(root_id)

    # Which units are visible, and how many units hide below each collapsed one: whole levels,
    # breadth first, while they fit in ``max_boxes`` (the roots and their sub-units always
    # show), so that a large organisation gives a chart of bounded size with "+N" markers
    # that open the chart further down.
    visible_kids: dict[int, list[ChartUnit]] = {}
    collapsed: dict[int, int] = {}
    order: list[int] = []
    current, lvl, shown = list(roots), 0, len(roots)
    while current:
        below = [k for u in current for k in kids.get(u.id, [])]
        fits = max_boxes is None or lvl == 0 or shown + len(below) <= max_boxes
        expand = lvl < depth and fits
        for unit in current:
            order.append(unit.id)
            visible_kids[unit.id] = kids.get(unit.id, []) if expand else []
            if not expand and kids.get(unit.id):
                collapsed[unit.id] = _count_below(unit.id, kids)
        current = below if expand else []
        shown += len(current)
        lvl += 1

    # Layout: x/y of each box's top-left corner.
    pos: dict[int, tuple[float, float]] = {}
    edges: list[str] = []

    def is_leaf(u: ChartUnit) -> bool:
        return not visible_kids[u.id]

    def place(u: ChartUnit, x: float, y: float) -> float:
        below = visible_kids[u.id]
        if not below:
            pos[u.id] = (x, y)
            return BOX_W
        if all(is_leaf(k) for k in below):
            pos[u.id] = (x, y)
            spine = x + STACK_INDENT / 2
            cy = y + BOX_H + STACK_GAP + _marker_room(u.id, collapsed)
            for k in below:
                pos[k.id] = (x + STACK_INDENT, cy)
                edges.append(
                    f"M{spine:.0f},{y + BOX_H:.0f} V{cy + BOX_H / 2:.0f} H{x + STACK_INDENT:.0f}"
                )
                cy += BOX_H + STACK_GAP + _marker_room(k.id, collapsed)
            return BOX_W + STACK_INDENT
        cx = x
        child_y = y + BOX_H + V_GAP
        for k in below:
            cx += place(k, cx, child_y) + H_GAP
        first = pos[below[0].id][0] + BOX_W / 2
        last = pos[below[-1].id][0] + BOX_W / 2
        px = (first + last) / 2 - BOX_W / 2
        pos[u.id] = (px, y)
        mid = y + BOX_H + V_GAP / 2
        for k in below:
            kx = pos[k.id][0] + BOX_W / 2
            edges.append(
                f"M{px + BOX_W / 2:.0f},{y + BOX_H:.0f} V{mid:.0f} H{kx:.0f} V{child_y:.0f}"
            )
        return max(cx - H_GAP - x, BOX_W)

    x = float(MARGIN)
    for r in roots:
        x += place(r, x, float(MARGIN)) + H_GAP * 2
    width = int(max((p[0] for p in pos.values()), default=0) + BOX_W + MARGIN)
    height = int(
        max((p[1] + _marker_room(i, collapsed) for i, p in pos.items()), default=0)
        + BOX_H
        + MARGIN
        + 4
    )

    # Matrix links between visible units; an end hidden below a collapsed unit attaches to
    # that unit; links leaving the units shown are left out.
    links = list(links)
    ends = {i for link in links for i in (link.from_id, link.to_id) if i in by_id}
    nearest = {i: n for i in ends if (n := _nearest_visible(i, by_id, pos)) is not None}
    drawn: set[tuple[int, int]] = set()
    link_paths: list[str] = []
    for link in links:
        a, b = nearest.get(link.from_id), nearest.get(link.to_id)
        if a is None or b is None or a == b or (a, b) in drawn:
            continue
        drawn.add((a, b))
        label = f"{text.dotted_line}: {by_id[link.from_id].name} → {by_id[link.to_id].name}"
        if link.note:
            label += f" ({link.note})"
        link_paths.append(
            f'<path class="matrix" d="{_link_path(pos[a], pos[b])}" fill="none" stroke="#d63384" '
            f'stroke-width="1.6" stroke-dasharray="6 4" marker-end="url(#arrow)">'
            f"<title>{esc(label)}</title></path>"
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif" font-size="13" '
        f'role="group" aria-labelledby="orgchart-title">',
        f'<title id="orgchart-title">{esc(text.title)}</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#d63384"/></marker></defs>',
        '<g class="lines" fill="none" stroke="#6c757d" stroke-width="1.4">',
        *(f'<path d="{d}"/>' for d in edges),
        "</g>",
    ]
    for uid in order:
        parts.append(_node(by_id[uid], pos[uid], collapsed.get(uid, 0), unit_url, chart_url, text))
    parts.extend(['<g class="matrix-links">', *link_paths, "</g>", "</svg>"])
    return OrgChart(
        svg="".join(parts),
        width=width,
        height=height,
        shown=order,
        collapsed=collapsed,
        links=len(link_paths),
    )


def _count_below(uid: int, kids: dict[int | None, list[ChartUnit]]) -> int:
    total, stack = 0, list(kids.get(uid, []))
    while stack:
        u = stack.pop()
        total += 1
        stack.extend(kids.get(u.id, []))
    return total


def _marker_room(uid: int, collapsed: dict[int, int]) -> int:
    return MARKER_H if uid in collapsed else 0


def _nearest_visible(
    uid: int, by_id: dict[int, ChartUnit], pos: dict[int, tuple[float, float]]
) -> int | None:
    seen: set[int] = set()
    current: int | None = uid
    while current is not None and current not in seen:
        if current in pos:
            return current
        seen.add(current)
        parent = by_id[current].parent_id
        current = parent if parent in by_id else None
    return None


def _link_path(a: tuple[float, float], b: tuple[float, float]) -> str:
    """A curve from one box's edge to the other's, leaving and entering perpendicular."""
    ax, ay = a
    bx, by = b
    if by >= ay + BOX_H:  # target below
        sx, sy, ex, ey = ax + BOX_W / 2, ay + BOX_H, bx + BOX_W / 2, by
        bend = max(24.0, (ey - sy) / 2)
        c = f"C{sx:.0f},{sy + bend:.0f} {ex:.0f},{ey - bend:.0f} {ex:.0f},{ey:.0f}"
    elif by + BOX_H <= ay:  # target above
        sx, sy, ex, ey = ax + BOX_W / 2, ay, bx + BOX_W / 2, by + BOX_H
        bend = max(24.0, (sy - ey) / 2)
        c = f"C{sx:.0f},{sy - bend:.0f} {ex:.0f},{ey + bend:.0f} {ex:.0f},{ey:.0f}"
    else:  # about the same row: arc above the row, from top edge to top edge
        sx, sy, ex, ey = ax + BOX_W / 2, ay, bx + BOX_W / 2, by
        lift = min(V_GAP * 0.9, max(18.0, abs(ex - sx) / 6))
        top = min(sy, ey) - lift
        c = f"C{sx:.0f},{top:.0f} {ex:.0f},{top:.0f} {ex:.0f},{ey:.0f}"
    return f"M{sx:.0f},{sy:.0f} {c}"


def _node(
    unit: ChartUnit,
    at: tuple[float, float],
    hidden: int,
    unit_url: Callable[[int], str],
    chart_url: Callable[[int], str],
    text: ChartText,
) -> str:
    x, y = at
    fill = KIND_FILL.get(unit.kind, "#ffffff")
    kind = text.kind(unit.kind)
    sub = f"{kind} · {unit.code}" if unit.code else kind
    full = f"{unit.name} ({unit.code})" if unit.code else unit.name
    out = [
        f'<g class="unit" data-unit-id="{unit.id}" data-hidden="{hidden}">',
        f"<title>{esc(full)} — {esc(kind)}</title>",
        f'<a href="{esc(unit_url(unit.id))}" style="text-decoration:none">',
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="6" '
        f'fill="{fill}" stroke="#495057"/>',
        f'<text x="{x + 10:.0f}" y="{y + 22:.0f}" font-weight="600" fill="#212529">'
        f"{esc(fit(unit.name, 20))}</text>",
        f'<text x="{x + 10:.0f}" y="{y + 41:.0f}" font-size="11" fill="#495057">'
        f"{esc(fit(sub, 29))}</text>",
        "</a>",
        f'<a class="chart-here" href="{esc(chart_url(unit.id))}" style="text-decoration:none" '
        f'aria-label="{esc(text.chart_from_here)}: {esc(unit.name)}">',
        f"<title>{esc(text.chart_from_here)}</title>",
        f'<rect x="{x + BOX_W - 22:.0f}" y="{y + 4:.0f}" width="18" height="16" rx="3" '
        f'fill="#ffffff" stroke="#adb5bd"/>',
        f'<text x="{x + BOX_W - 13:.0f}" y="{y + 16:.0f}" font-size="11" text-anchor="middle" '
        f'fill="#0d6efd">&#8600;</text>',
        "</a>",
    ]
    if hidden:
        label = f"+{hidden}"
        w = 12 + 7 * len(label)
        mx = x + BOX_W / 2 - w / 2
        my = y + BOX_H + 2
        out += [
            f'<a class="more" href="{esc(chart_url(unit.id))}" style="text-decoration:none" '
            f'aria-label="{esc(text.more(hidden))}">',
            f"<title>{esc(text.more(hidden))}</title>",
            f'<rect x="{mx:.0f}" y="{my:.0f}" width="{w}" height="{MARKER_H - 3}" rx="7" '
            f'fill="#0d6efd"/>',
            f'<text x="{x + BOX_W / 2:.0f}" y="{my + 11:.0f}" font-size="11" '
            f'text-anchor="middle" fill="#ffffff">{esc(label)}</text>',
            "</a>",
        ]
    out.append("</g>")
    return "".join(out)


def from_rows(
    unit_rows: Iterable[Any], link_rows: Iterable[Any]
) -> tuple[list[ChartUnit], list[ChartLink]]:
    """Chart input from ``(id, name, code, kind, parent_id)`` and ``(from, to, note)`` rows."""
    units = [
        ChartUnit(int(uid), str(name), str(code) if code else None, str(kind), _opt_int(parent_id))
        for uid, name, code, kind, parent_id in unit_rows
    ]
    links = [ChartLink(int(a), int(b), str(note or "")) for a, b, note in link_rows]
    return units, links


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)
