"""Charts drawn with matplotlib's object API: SVG for pages, PNG for Word documents.

Every builder returns a :class:`Chart`; ``chart.svg()`` gives inline-ready SVG text and
``chart.png()`` PNG bytes, so a page and a document show the same drawing.

- Nothing of matplotlib is imported until a chart is drawn (start-up stays light), and
  pyplot is never used: no global figure state, safe in a threaded server.
- Output is deterministic: no creation date in the metadata, and element ids are salted with
  the chart's ``key`` (unique per page), so two charts inlined in one page never share an id
  that the other's ``clip-path`` could pick up.
- Text stays text in the SVG (``svg.fonttype = none``): screen readers, search and copy work,
  and the browser draws Chinese labels with its own fonts. matplotlib's SVG writer escapes
  all text; mathtext is turned off on every text, so user data is never parsed as a
  formula. The SVG carries a ``<title>`` and a ``<desc>`` and ``role="img"``.
- Colours come from the Okabe-Ito palette, which stays distinguishable with the common forms
  of colour blindness; bars also carry their values as text, so no reading depends on colour.
"""

from __future__ import annotations

import functools
import html
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Okabe & Ito (2008), "Color Universal Design"; black left out (it is the text colour).
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
)
TEXT_COLOUR = "#212529"
GRID_COLOUR = "#dee2e6"
# Latin first; a CJK family (when the server has one) draws Chinese labels in PNGs.
_FONT_PREFERENCE = ("DejaVu Sans", "Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei")
_ROOT = re.compile(r"<svg\b[^>]*>")
_SIZE_ATTR = re.compile(r'\s(?:width|height)="[^"]*"')
_ID_ATTR = re.compile(r'\sid="([^"]+)"')
_ID_USE = re.compile(r'(\sid="|url\(#|href="#)([^")]+)')


@functools.cache
def font_families() -> tuple[str, ...]:
    """The preferred families installed here (matplotlib's own DejaVu Sans always is)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = tuple(name for name in _FONT_PREFERENCE if name in installed)
    return found or ("sans-serif",)


def plain(text: Any) -> str:
    """``text`` as a label (drawn literally: ``_style_text`` turns mathtext off)."""
    return str(text)


@dataclass
class Chart:
    """A drawn figure with what assistive technology needs to know about it."""

    figure: Figure
    title: str
    description: str
    key: str

    def _rc(self) -> Any:  # matplotlib types rcParams keys as a Literal
        return {
            "svg.hashsalt": f"eagov-{self.key}",
            "svg.fonttype": "none",
            "svg.id": self.key,
            "font.family": list(font_families()),
        }

    def svg(self) -> str:
        """The chart as an ``<svg>`` element (no XML prolog), scaled to its container."""
        import matplotlib
        from matplotlib.backends.backend_svg import FigureCanvasSVG

        buf = io.StringIO()
        with matplotlib.rc_context(self._rc()):
            FigureCanvasSVG(self.figure)
            self.figure.savefig(
                buf,
                format="svg",
                metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
            )
        text = self._scoped_ids(buf.getvalue())
        text = text[text.index("<svg") :]
        root = _ROOT.search(text)
        assert root is not None
        tag = _SIZE_ATTR.sub("", root.group(0))[:-1]
        title_id, desc_id = f"{self.key}-title", f"{self.key}-desc"
        opening = (
            f'{tag} role="img" aria-labelledby="{title_id} {desc_id}" class="eagov-chart" '
            f'style="width:100%;height:auto">'
            f'<title id="{title_id}">{html.escape(self.title)}</title>'
            f'<desc id="{desc_id}">{html.escape(self.description)}</desc>'
        )
        return opening + text[root.end() :]

    def _scoped_ids(self, text: str) -> str:
        """Prefix matplotlib's element ids ("figure_1", "axes_1", ...) with the key: every
        chart has them, and ids must be unique in the page that inlines several charts."""
        ids = set(_ID_ATTR.findall(text)) - {self.key}

        def scoped(match: re.Match[str]) -> str:
            name = match.group(2)
            return match.group(1) + (f"{self.key}-{name}" if name in ids else name)

        return _ID_USE.sub(scoped, text)

    def png(self, dpi: int = 150) -> bytes:
        """The chart as PNG bytes, e.g. for a Word document."""
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        buf = io.BytesIO()
        with matplotlib.rc_context(self._rc()):
            FigureCanvasAgg(self.figure)
            self.figure.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
        return buf.getvalue()


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=TEXT_COLOUR, labelsize=9)
    ax.set_axisbelow(True)
    return fig, ax


def _style_text(fig: Figure) -> None:
    """Set the font families on every text once the figure is complete (texts take their
    font from rcParams when created, and global rcParams are not ours to change), and turn
    mathtext off: a label with ``$...$`` from user data must not be parsed as a formula."""
    from matplotlib.text import Text

    families = list(font_families())
    for text in fig.findobj(Text):
        text.set_fontfamily(families)
        text.set_parse_math(False)


def _empty(ax: Axes, message: str) -> None:
    ax.text(
        0.5,
        0.5,
        plain(message),
        ha="center",
        va="center",
        transform=ax.transAxes,
        color="#6c757d",
    )
    ax.set_xticks([])
    ax.set_yticks([])


def _describe(categories: Sequence[str], series: Mapping[str, Sequence[float | None]]) -> str:
    parts = []
    for name, values in series.items():
        shown = ", ".join(
            f"{c}: {'–' if v is None else _number(v)}"
            for c, v in zip(categories, values, strict=True)
        )
        parts.append(f"{name}: {shown}.")
    return " ".join(parts)


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def bar_chart(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    key: str,
    y_label: str = "",
    line: tuple[str, Sequence[float | None]] | None = None,
    line_label: str = "",
    line_max: float | None = None,
    empty_text: str = "No data",
    size: tuple[float, float] = (6.4, 3.0),
) -> Chart:
    """Grouped vertical bars, one group per category and one colour per series; optionally a
    line on a second axis (e.g. a share in % over counts). Values are printed on the bars."""
    fig, ax = _figure(*size)
    described: dict[str, Sequence[float | None]] = dict(series)
    if line is not None:
        described[line[0]] = line[1]
    total = sum(abs(v) for values in series.values() for v in values)
    if not categories or (not total and not (line and any(v for v in line[1] if v is not None))):
        _empty(ax, empty_text)
    else:
        count = max(len(series), 1)
        width = 0.8 / count
        positions = list(range(len(categories)))
        for index, (name, values) in enumerate(series.items()):
            offset = (index - (count - 1) / 2) * width
            bars = ax.bar(
                [p + offset for p in positions],
                list(values),
                width,
                label=plain(name),
                color=PALETTE[index % len(PALETTE)],
            )
            ax.bar_label(bars, labels=[_number(v) if v else "" for v in values], fontsize=8)
        ax.set_xticks(positions, [plain(c) for c in categories])
        ax.margins(y=0.15)
        ax.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
        ax.grid(axis="y", color=GRID_COLOUR)
        if y_label:
            ax.set_ylabel(plain(y_label))
        handles, labels = ax.get_legend_handles_labels()
        if line is not None:
            right = ax.twinx()
            right.spines["top"].set_visible(False)
            xs = [p for p, v in zip(positions, line[1], strict=True) if v is not None]
            ys = [v for v in line[1] if v is not None]
            (drawn,) = right.plot(
                xs,
                ys,
                color=PALETTE[len(series) % len(PALETTE)],
                marker="o",
                linestyle="--",
                label=plain(line[0]),
            )
            right.set_ylim(0, (line_max if line_max is not None else max(ys or [1])) * 1.08)
            right.tick_params(colors=TEXT_COLOUR, labelsize=9)
            if line_label:
                right.set_ylabel(plain(line_label))
            handles.append(drawn)
            labels.append(plain(line[0]))
        if len(labels) > 1 or line is not None:
            ax.legend(handles, labels, fontsize=8, frameon=False, loc="upper left")
        if len(categories) > 6:
            ax.tick_params(axis="x", labelrotation=45)
    fig.suptitle(plain(title), fontsize=11, color=TEXT_COLOUR)
    _style_text(fig)
    return Chart(fig, title, _describe(categories, described), key)


def line_chart(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    key: str,
    y_label: str = "",
    y_max: float | None = None,
    empty_text: str = "No data",
    size: tuple[float, float] = (6.4, 3.0),
) -> Chart:
    """One line per series over the categories (gaps where a value is None); markers differ
    per series as well as colours."""
    fig, ax = _figure(*size)
    points = [v for values in series.values() for v in values if v is not None]
    if not categories or not points:
        _empty(ax, empty_text)
    else:
        markers = ("o", "s", "^", "D", "v", "P", "X")
        positions = list(range(len(categories)))
        for index, (name, values) in enumerate(series.items()):
            xs = [p for p, v in zip(positions, values, strict=True) if v is not None]
            ys = [v for v in values if v is not None]
            ax.plot(
                xs,
                ys,
                label=plain(name),
                color=PALETTE[index % len(PALETTE)],
                marker=markers[index % len(markers)],
            )
        ax.set_xticks(positions, [plain(c) for c in categories])
        ax.set_ylim(0, y_max if y_max is not None else max(points) * 1.1 or 1)
        ax.grid(axis="y", color=GRID_COLOUR)
        if y_label:
            ax.set_ylabel(plain(y_label))
        if len(series) > 1:
            ax.legend(fontsize=8, frameon=False)
        if len(categories) > 6:
            ax.tick_params(axis="x", labelrotation=45)
    fig.suptitle(plain(title), fontsize=11, color=TEXT_COLOUR)
    _style_text(fig)
    return Chart(fig, title, _describe(categories, series), key)


def share_bars(
    shares: Sequence[tuple[str, float | None]],
    *,
    title: str,
    key: str,
    no_value: str = "no data",
    size: tuple[float, float] | None = None,
) -> Chart:
    """Horizontal bars of percentages (0-100) against a full-width track, the value written
    at the end of each bar; a share without data shows ``no_value`` instead of a bar."""
    height = size[1] if size else 0.9 + 0.45 * max(len(shares), 1)
    fig, ax = _figure(size[0] if size else 6.4, height)
    labels = [plain(name) for name, _value in shares]
    positions = list(range(len(shares)))[::-1]
    ax.barh(positions, [100] * len(shares), color="#f1f3f5", height=0.6)
    values = [v or 0 for _name, v in shares]
    ax.barh(positions, values, color=PALETTE[0], height=0.6)
    for pos, (_name, value) in zip(positions, shares, strict=True):
        text = plain(no_value) if value is None else f"{value:.1f} %"
        ax.text(min(value or 0, 100) + 1.5, pos, text, va="center", fontsize=9)
    ax.set_yticks(positions, labels)
    ax.set_xlim(0, 115)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    fig.suptitle(plain(title), fontsize=11, color=TEXT_COLOUR)
    _style_text(fig)
    description = "; ".join(
        f"{name}: {no_value if v is None else f'{v:.1f} %'}" for name, v in shares
    )
    return Chart(fig, title, description, key)


def radar_chart(
    axes: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    key: str,
    max_value: float,
    ticks: Sequence[tuple[float, str]] = (),
    empty_text: str = "No data",
    size: tuple[float, float] = (5.6, 5.0),
) -> Chart:
    """A radar (spider) chart: one spoke per axis from 0 to ``max_value``, one closed line
    per series (e.g. current, target, previous), each with its own colour, line style and
    marker. A None value is drawn at the centre and reported as "–" in the description.
    ``ticks`` labels the rings (e.g. the level names)."""
    import math

    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    count = len(axes)
    if count < 3 or not any(v is not None for values in series.values() for v in values):
        ax = fig.add_subplot()
        ax.set_axis_off()
        _empty(ax, empty_text)
    else:
        ax = polar = fig.add_subplot(projection="polar")
        angles = [2 * math.pi * i / count for i in range(count)]
        styles = ("-", "--", ":", "-.")
        markers = ("o", "s", "^", "D")
        for index, (name, values) in enumerate(series.items()):
            ys = [0.0 if v is None else float(v) for v in values]
            colour = PALETTE[index % len(PALETTE)]
            ax.plot(
                [*angles, angles[0]],
                [*ys, ys[0]],
                color=colour,
                linestyle=styles[index % len(styles)],
                marker=markers[index % len(markers)],
                label=plain(name),
            )
            if index == 0:
                ax.fill([*angles, angles[0]], [*ys, ys[0]], color=colour, alpha=0.12)
        # A PolarAxes, which matplotlib's stubs do not tell from add_subplot's return type.
        polar.set_theta_offset(math.pi / 2)  # type: ignore[attr-defined]
        polar.set_theta_direction(-1)  # type: ignore[attr-defined]
        ax.set_ylim(0, max_value)
        ax.set_xticks(angles, [plain(a) for a in axes], fontsize=8, color=TEXT_COLOUR)
        if ticks:
            ax.set_yticks([t for t, _text in ticks], [plain(t) for _v, t in ticks], fontsize=7)
        ax.tick_params(axis="y", colors="#6c757d")
        ax.grid(color=GRID_COLOUR)
        ax.legend(
            fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3
        )
    fig.suptitle(plain(title), fontsize=11, color=TEXT_COLOUR)
    _style_text(fig)
    return Chart(fig, title, _describe(axes, series), key)


def trend_line(
    points: Sequence[tuple[str, float | None]],
    *,
    title: str,
    key: str,
    y_max: float,
    series_name: str = "",
    ticks: Sequence[tuple[float, str]] = (),
    empty_text: str = "No data",
    size: tuple[float, float] = (6.4, 3.0),
) -> Chart:
    """One value over time (e.g. a unit's maturity score per assessment), each point labelled
    with its value; ``ticks`` names the y values (e.g. level names)."""
    fig, ax = _figure(*size)
    values = [v for _label, v in points if v is not None]
    labels = [name for name, _v in points]
    if not values:
        _empty(ax, empty_text)
    else:
        positions = list(range(len(points)))
        xs = [p for p, (_n, v) in zip(positions, points, strict=True) if v is not None]
        ax.plot(xs, values, color=PALETTE[0], marker="o", label=plain(series_name or title))
        for x, v in zip(xs, values, strict=True):
            ax.annotate(
                _number(v),
                (x, v),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize=8,
            )
        ax.set_xticks(positions, [plain(c) for c in labels])
        ax.set_xlim(-0.5, len(points) - 0.5)
        ax.set_ylim(0, y_max * 1.08)
        if ticks:
            ax.set_yticks([t for t, _text in ticks], [plain(t) for _v, t in ticks])
        ax.grid(axis="y", color=GRID_COLOUR)
        if len(points) > 6:
            ax.tick_params(axis="x", labelrotation=45)
    fig.suptitle(plain(title), fontsize=11, color=TEXT_COLOUR)
    _style_text(fig)
    return Chart(
        fig, title, _describe(labels, {series_name or title: [v for _n, v in points]}), key
    )


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    title: str,
    key: str,
    vmin: float,
    vmax: float,
    texts: Sequence[Sequence[str]] | None = None,
    colour_label: str = "",
    missing_text: str = "–",
    empty_text: str = "No data",
    cmap: str = "cividis",
    cell_size: tuple[float, float] = (0.75, 0.42),
) -> Chart:
    """A grid of rows x columns (e.g. units x elements, people x skills): each cell coloured
    on one scale from ``vmin`` to ``vmax`` and carrying its text (``texts``, else the value),
    so no reading depends on colour. Missing values stay blank (grey) with ``missing_text``.
    The default colour map (cividis) reads the same with the common forms of colour
    blindness; the text colour switches to white on dark cells."""
    import math

    width = 2.4 + cell_size[0] * max(len(columns), 1)
    height = 1.6 + cell_size[1] * max(len(rows), 1)
    fig, ax = _figure(min(width, 16.0), min(height, 30.0))
    if not rows or not columns:
        _empty(ax, empty_text)
        fig.suptitle(plain(title), fontsize=11, color=TEXT_COLOUR)
        _style_text(fig)
        return Chart(fig, title, empty_text, key)
    import numpy as np
    from matplotlib import colormaps

    grid = np.array(
        [[math.nan if v is None else float(v) for v in row] for row in values], dtype=float
    )
    colours = colormaps[cmap].with_extremes(bad="#f1f3f5")
    image = ax.imshow(np.ma.masked_invalid(grid), cmap=colours, vmin=vmin, vmax=vmax, aspect="auto")
    span = (vmax - vmin) or 1
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            if value is None:
                text, colour = missing_text, "#6c757d"
            else:
                text = texts[r][c] if texts else _number(value)
                colour = "white" if (value - vmin) / span < 0.5 else TEXT_COLOUR
            ax.text(c, r, plain(text), ha="center", va="center", fontsize=8, color=colour)
    ax.set_xticks(range(len(columns)), [plain(c) for c in columns])
    ax.set_yticks(range(len(rows)), [plain(r) for r in rows])
    ax.tick_params(axis="x", labelrotation=40, labeltop=False)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)
    bar = fig.colorbar(image, ax=ax, shrink=0.8, pad=0.02)
    bar.ax.tick_params(labelsize=8)
    if colour_label:
        bar.set_label(plain(colour_label), fontsize=8)
    fig.suptitle(plain(title), fontsize=11, color=TEXT_COLOUR)
    _style_text(fig)
    described = "; ".join(
        f"{row}: "
        + ", ".join(
            f"{col}: {missing_text if v is None else (texts[r][c] if texts else _number(v))}"
            for c, (col, v) in enumerate(zip(columns, values[r], strict=True))
        )
        for r, row in enumerate(rows)
    )
    return Chart(fig, title, described, key)
