"""Charts of people's skills, on top of ``eagov.charts`` (same house rules: object API,
lazy matplotlib, text stays text, values written on the drawing).

- ``gap_bullets``: a "bullet" chart per category of a person against a role: one bar per
  skill for the current level, a black tick for the required level, the gap in words.
- ``gap_heatmap``: people x skills coloured by gap (``charts.heatmap``).
"""

from __future__ import annotations

from collections.abc import Sequence

from . import charts
from .charts import GRID_COLOUR, PALETTE, TEXT_COLOUR, Chart, plain

MAX_LEVEL = 4


def gap_bullets(
    rows: Sequence[tuple[str, int, int | None]],
    *,
    title: str,
    key: str,
    current_label: str,
    required_label: str,
    gap_text: str = "gap %(gap)s",
    none_text: str = "not assessed",
    empty_text: str = "No data",
) -> Chart:
    """``rows``: (skill name, required level, current level or None). Levels run 0-4."""
    height = 1.0 + 0.42 * max(len(rows), 1)
    fig, ax = charts._figure(6.4, height)
    if not rows:
        charts._empty(ax, empty_text)
    else:
        positions = list(range(len(rows)))[::-1]
        ax.barh(positions, [MAX_LEVEL] * len(rows), color="#f1f3f5", height=0.6)
        ax.barh(
            positions,
            [cur or 0 for _n, _r, cur in rows],
            color=PALETTE[0],
            height=0.6,
            label=plain(current_label),
        )
        ax.scatter(
            [req for _n, req, _c in rows],
            positions,
            marker="|",
            s=420,
            linewidths=3,
            color=TEXT_COLOUR,
            label=plain(required_label),
            zorder=3,
        )
        for pos, (_name, req, cur) in zip(positions, rows, strict=True):
            gap = max(req - (cur or 0), 0)
            text = none_text if cur is None else str(cur)
            if gap:
                text += " · " + gap_text % {"gap": gap}
            ax.text(MAX_LEVEL + 0.1, pos, plain(text), va="center", fontsize=8)
        ax.set_yticks(positions, [plain(name) for name, _r, _c in rows])
        ax.set_xlim(0, MAX_LEVEL + 1.6)
        ax.set_xticks(range(MAX_LEVEL + 1))
        ax.grid(axis="x", color=GRID_COLOUR)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        ax.legend(fontsize=8, frameon=False, loc="lower right", bbox_to_anchor=(1, 1.0), ncol=2)
    fig.suptitle(plain(title), fontsize=11, color=TEXT_COLOUR)
    charts._style_text(fig)
    description = "; ".join(
        f"{name}: {required_label} {req}, {current_label} {none_text if cur is None else cur}"
        for name, req, cur in rows
    )
    return Chart(fig, title, description, key)


# Up to this many skills a cell reads "gap (current/required)"; up to the second, the gap.
WRITTEN_IN_FULL = 15
WRITTEN_AT_ALL = 40


def gap_heatmap(
    people: Sequence[str],
    skills: Sequence[str],
    cells: Sequence[Sequence[tuple[int, int | None] | None]],
    *,
    title: str,
    key: str,
    colour_label: str,
    empty_text: str = "No data",
) -> Chart:
    """``cells[r][c]``: (required, current) or None where no role of the person needs the
    skill. Coloured by gap; each cell reads "gap (current/required)", or just the gap when
    the skills are many, or nothing when there are too many to read (the page's table below
    the picture has every number)."""
    values: list[list[float | None]] = []
    texts: list[list[str]] = []
    wide = len(skills) > WRITTEN_IN_FULL
    for row in cells:
        values.append([None if c is None else float(max(c[0] - (c[1] or 0), 0)) for c in row])
        texts.append(
            [
                ""
                if c is None or len(skills) > WRITTEN_AT_ALL
                else f"{max(c[0] - (c[1] or 0), 0)}"
                if wide
                else f"{max(c[0] - (c[1] or 0), 0)} ({c[1] or 0}/{c[0]})"
                for c in row
            ]
        )
    return charts.heatmap(
        list(people),
        list(skills),
        values,
        title=title,
        key=key,
        vmin=0,
        vmax=MAX_LEVEL,
        texts=texts,
        colour_label=colour_label,
        empty_text=empty_text,
        cell_size=(0.95, 0.42),
    )
