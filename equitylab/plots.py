"""Figures for the book and for analysts (matplotlib; imported lazily).

Conventions (see the project's design notes): the Okabe–Ito colour-blind-safe
palette; colour never carries meaning alone (shapes and direct labels do);
a reference line where a comparison is implied; axis labels with units; a
title that states the finding; an opaque background so figures stay readable
in the site's dark mode; text of at least 10 pt at page width.

Every function returns a :class:`matplotlib.figure.Figure` and leaves no figure
open in pyplot, so calling it twice never draws on an old figure.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.transforms import Bbox, ScaledTranslation

from .errors import EquityLabError, require_columns

__all__ = ["HIDDEN_LABEL", "OKABE_ITO", "dot_chart", "p_chart", "rate_chart", "run_chart"]

#: The Okabe–Ito palette (Okabe & Ito, *Color Universal Design*, 2008), by name.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

_BASE_FONT_SIZE = 12
_BACKGROUND = "#FFFFFF"

#: How :func:`rate_chart` labels every hidden group: a group with a small count and a
#: larger group hidden so that the small one cannot be worked out read the same.
HIDDEN_LABEL = "hidden to protect small numbers"


def _require_columns(table: pd.DataFrame, columns: Sequence[str]) -> None:
    if not isinstance(table, pd.DataFrame):
        raise EquityLabError(
            f"expected a pandas DataFrame, got {type(table).__name__}; "
            "build one with pandas.DataFrame(...) first"
        )
    require_columns(table.columns, columns)


class _Labels(Artist):
    """Many one-line labels, drawn as one artist: ``texts[i]`` at ``(x[i], y[i])``.

    A chart of an intersection has a label per group, and the explorer widget redraws
    it on every change; matplotlib's ``Text`` costs dozens of objects and a layout pass
    each. A label may be given in parts (a tuple of strings, drawn side by side:
    ``("White · ", "Male")``), so that a renderer that keeps the strings it has drawn
    meets the same few parts again in every intersection. Labels are centred
    vertically on their point (on the font's line box, so that every row shares one
    baseline offset) and aligned ``ha`` ("left" or "right") horizontally. With
    ``in_layout=True`` (the default) the layout engine makes room for them, like for
    text. ``get_texts()`` gives the labels as strings.
    """

    def __init__(self, texts, x, y, *, transform, ha="left", fontsize=10.0, color="black",
                 style="normal", in_layout=True, gid=None) -> None:  # fmt: skip
        super().__init__()
        self._parts = [(t,) if isinstance(t, str) else tuple(map(str, t)) for t in texts]
        self._xy = np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])
        self._font = FontProperties(size=fontsize, style=style)
        self._color = color
        self._ha = ha
        self.set_transform(transform)
        self.set_clip_on(False)
        self.set_in_layout(in_layout)
        self.set_gid(gid)

    def get_texts(self) -> list[str]:
        return ["".join(parts) for parts in self._parts]

    def get_fontsize(self) -> float:
        return self._font.get_size_in_points()

    def _placed(self, renderer):
        """Per label: its parts, their left edges, and the label's (left, baseline, width,
        height, descent), in display pixels, y upwards."""
        metrics = renderer.get_text_width_height_descent
        _, line, line_descent = metrics("lp", self._font, False)
        offset = line / 2 - line_descent  # from the baseline to the middle of the line box
        placed = []
        for parts, (x, y) in zip(self._parts, self.get_transform().transform(self._xy),
                                 strict=True):  # fmt: skip
            sizes = [metrics(part, self._font, False) for part in parts]
            width = sum(size[0] for size in sizes)
            left = x - width if self._ha == "right" else x
            lefts = left + np.cumsum([0.0] + [size[0] for size in sizes[:-1]])
            height = max(size[1] for size in sizes)
            descent = max(size[2] for size in sizes)
            placed.append((parts, lefts, (left, y - offset, width, height, descent)))
        return placed

    def get_window_extent(self, renderer=None):
        if renderer is None:
            renderer = self.get_figure(root=True)._get_renderer()
        boxes = [
            Bbox.from_bounds(left, base - descent, width, height)
            for *_, (left, base, width, height, descent) in self._placed(renderer)
        ]
        return Bbox.union(boxes) if boxes else Bbox.null()

    def draw(self, renderer) -> None:
        if not self.get_visible() or not self._parts:
            return
        renderer.open_group("labels", gid=self.get_gid())
        gc = renderer.new_gc()
        gc.set_foreground(self._color)
        gc.set_alpha(self.get_alpha())
        flip = renderer.flipy()
        height = renderer.get_canvas_width_height()[1]
        for parts, lefts, (_, base, *_) in self._placed(renderer):
            y = height - base if flip else base
            for part, left in zip(parts, lefts, strict=True):
                renderer.draw_text(gc, left, y, part, self._font, 0)
        gc.restore()
        renderer.close_group("labels")
        self.stale = False


def _footnote(
    fig: Figure, text: str, *, size: int, reserve: float | None, y: float = 0.0, **options
) -> None:
    """A grey source or method line at the bottom left of ``fig``; with ``reserve``,
    the layout keeps that fraction of the height free for it."""
    fig.text(
        0.0,
        y,
        text,
        ha="left",
        va="bottom",
        fontsize=size,
        color="#444444",
        transform=fig.transFigure,
        **options,
    )
    if reserve is not None:
        fig.get_layout_engine().set(rect=(0, reserve, 1, 1 - reserve))


def dot_chart(
    table: pd.DataFrame,
    *,
    value: str,
    label: str,
    title: str,
    xlabel: str,
    reference: float | None = None,
    reference_label: str | None = None,
    source: str | None = None,
    value_format: str = "{:.1f}%",
    xlim: tuple[float, float] | None = None,
) -> Figure:
    """A labelled dot chart: one row per group, in the table's order, top to bottom.

    Parameters
    ----------
    table:
        One row per group.
    value, label:
        Column names: the number to plot, and the group's name.
    title:
        States the finding ("Control was lowest among ..."), not the topic.
    xlabel:
        Axis label with units, e.g. ``"Blood pressure controlled (%)"``.
    reference:
        Draws a dashed vertical reference line at this value, labelled
        ``reference_label``.
    source:
        A short source line printed under the chart.
    value_format:
        How each dot's direct label is written.
    xlim:
        Axis limits; by default from 0 to a little beyond the largest value. Each
        dot has a stem from zero only when the axis starts at zero: on an axis that
        starts elsewhere a stem's length would exaggerate the differences, so the
        rows get a faint dotted guide instead.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    EquityLabError
        If a column is missing or the values are not numbers. Missing values are
        not dropped silently: the message names the groups without a value.
    """
    _require_columns(table, [value, label])
    values = pd.to_numeric(table[value], errors="coerce")
    missing = table.loc[values.isna(), label].astype(str).tolist()
    if missing:
        raise EquityLabError(
            f"column {value!r} has no numeric value for: {', '.join(missing)}; "
            "fill them in or remove those rows explicitly before plotting"
        )
    if reference is not None and reference_label is None:
        raise EquityLabError("reference_label is required when a reference line is drawn")

    labels = table[label].astype(str).tolist()
    positions = list(range(len(labels)))[::-1]  # first row at the top
    upper = max([*values.tolist(), reference or 0.0])

    with plt.rc_context({"font.size": _BASE_FONT_SIZE}):
        fig, ax = plt.subplots(figsize=(7.0, 0.6 * len(labels) + 1.9), layout="constrained")
        fig.patch.set_facecolor(_BACKGROUND)
        ax.set_facecolor(_BACKGROUND)
        limits = xlim if xlim is not None else (0, upper * 1.18)
        if limits[0] == 0:
            # Stems from zero: their length encodes the value.
            ax.hlines(positions, 0, values, color="#BBBBBB", linewidth=1.0, zorder=1)
        else:
            # The axis does not start at zero, so a stem's length would mislead; a faint
            # guide across the whole row helps the eye without encoding anything.
            ax.hlines(positions, *limits, color="#DDDDDD", linewidth=0.8, linestyle=":", zorder=1)
        ax.plot(values, positions, "o", color=OKABE_ITO["blue"], markersize=9, zorder=3)
        for x, y in zip(values, positions, strict=True):
            ax.annotate(
                value_format.format(x),
                (x, y),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontsize=_BASE_FONT_SIZE,
                zorder=4,
                # an opaque box keeps the label readable where it crosses the reference line
                bbox={"boxstyle": "round,pad=0.15", "facecolor": _BACKGROUND, "edgecolor": "none"},
            )
        if reference is not None:
            ax.axvline(
                reference, color=OKABE_ITO["vermillion"], linestyle="--", linewidth=1.5, zorder=2
            )
            ax.annotate(
                reference_label,
                (reference, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                va="bottom",
                color="#8A3B00",
                fontsize=_BASE_FONT_SIZE - 1,
            )
        ax.set_yticks(positions, labels)
        ax.set_xlim(limits)
        ax.set_ylim(-0.6, len(labels) - 0.4)
        ax.set_xlabel(xlabel)
        ax.set_title(title, loc="left", fontsize=_BASE_FONT_SIZE + 1, pad=22)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if source:
            _footnote(fig, source, size=_BASE_FONT_SIZE - 1, reserve=0.07)
    plt.close(fig)
    return fig


def rate_chart(
    table: pd.DataFrame,
    *,
    title: str,
    xlabel: str = "Rate (%)",
    source: str | None = None,
) -> Figure:
    """Rates with their confidence intervals, one row per group.

    ``table`` is a :func:`~equitylab.stratify.stratify` result.

    Each group is a dot with a horizontal interval bar and a direct label; the
    reference group is a diamond, named "(reference)", and a dashed line marks its
    rate. The groups' names are drawn by one artist with ``gid="group"`` (the chart
    has no y ticks; ``get_texts()`` lists them), and the words for groups without a
    rate by one with ``gid="not shown"``: a chart of an intersection has dozens. Every group that
    small-cell protection hid reads ``HIDDEN_LABEL`` ("hidden to protect small
    numbers") — never drawn, so the figure shows nothing the table does not, and
    never saying which hidden group is small and which is hidden to protect it. A
    note under the chart names the interval method and explains the hiding.

    Parameters
    ----------
    table:
        The result of :func:`~equitylab.stratify.stratify` (it carries its own metadata).
    title:
        States the finding.
    xlabel:
        Axis label with units.
    source:
        Appended to the method note under the chart.

    Raises
    ------
    EquityLabError
        If ``table`` is not a stratify result.
    """
    by = table.attrs.get("by") if isinstance(table, pd.DataFrame) else None
    if not by or "rate" not in table.columns:
        raise EquityLabError("rate_chart() draws the table returned by equitylab.stratify()")
    # Each group's name in parts, "White · " and "Male": the same few parts recur in every
    # intersection (a renderer that keeps the strings it drew meets them again).
    parts = [
        (*(f"{v} · " for v in row[:-1]), str(row[-1])) for row in table[by].itertuples(index=False)
    ]
    labels = ["".join(name) for name in parts]
    rows = len(labels)
    positions = np.arange(rows)[::-1]  # first row at the top
    shown = ~table["suppressed"].to_numpy() & table["rate"].notna().to_numpy()
    hidden = table["suppressed"].to_numpy()
    reference = table["is_reference"].to_numpy()
    rate = 100 * table["rate"].to_numpy(dtype=float)
    low = 100 * table["ci_low"].to_numpy(dtype=float)
    high = 100 * table["ci_high"].to_numpy(dtype=float)
    upper = float(np.nanmax(high[shown])) if shown.any() else 100.0

    level = table.attrs.get("level", 0.95)
    method = "Wilson score" if table.attrs.get("ci", "wilson") == "wilson" else "exact"
    note = f"Bars: {level:.0%} confidence intervals ({method})."
    if hidden.any():
        note += (
            " Some groups are hidden to protect small numbers; a larger group is sometimes"
            " hidden too, so that a small one cannot be worked out from the totals."
        )
    if source:
        note += f" {source}"
    # The reference says so beside its name, where a long label has room.
    names = [(*name, " (reference)") if ref else name
             for name, ref in zip(parts, reference, strict=True)]  # fmt: skip
    # 7 inches wide, wider when the groups' names are long (intersections): the plot
    # keeps about 3 inches, enough for the bars and a hidden group's label. A name at
    # 12 pt takes at most about 0.09 inch per character.
    longest = max((len("".join(name)) for name in names), default=0)
    width = max(7.0, 0.09 * longest + 3.2)
    note = textwrap.fill(note, int(13.5 * width))  # the figure's width at 10 pt
    # Half an inch per group, a little less beyond a dozen (intersections: the chart
    # stays readable at 11-12 pt without growing a screen per ten groups).
    height = 0.5 * rows + 2.0 if rows <= 12 else 8.0 + 0.36 * (rows - 12)
    reserve = (0.2 + 0.17 * (note.count("\n") + 1)) / height

    with plt.rc_context({"font.size": _BASE_FONT_SIZE}):
        fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
        fig.patch.set_facecolor(_BACKGROUND)
        ax.set_facecolor(_BACKGROUND)
        # One artist per kind of mark, not one per group: a chart of an intersection
        # has dozens of groups, and the explorer widget redraws it on every change.
        for is_ref, marker, colour in ((False, "o", "blue"), (True, "D", "vermillion")):
            rows_of = shown & (reference == is_ref)
            if rows_of.any():
                colour = OKABE_ITO[colour]
                ax.hlines(positions[rows_of], low[rows_of], high[rows_of], color=colour,
                          linewidth=2.2, zorder=2)  # fmt: skip
                ax.plot(rate[rows_of], positions[rows_of], marker, linestyle="none",
                        color=colour, markersize=8, zorder=3)  # fmt: skip
        points = fig.dpi_scale_trans
        after_bar = ax.transData + ScaledTranslation(6 / 72, 0, points)
        after_axis = ax.transData + ScaledTranslation(4 / 72, 0, points)
        before_axis = ax.get_yaxis_transform() + ScaledTranslation(-6 / 72, 0, points)
        # The groups' names, left of the axis (the layout makes room for them).
        ax.add_artist(_Labels(names, np.zeros(rows), positions, transform=before_axis, ha="right",
                              fontsize=_BASE_FONT_SIZE, gid="group"))  # fmt: skip
        empty = ~shown
        if empty.any():
            words = np.where(hidden, HIDDEN_LABEL, "no one with a recorded outcome")[empty]
            ax.add_artist(_Labels(words, np.zeros(empty.sum()), positions[empty],
                                  transform=after_axis, fontsize=_BASE_FONT_SIZE - 1,
                                  color="#555555", style="italic", in_layout=False,
                                  gid="not shown"))  # fmt: skip
        label_box = {"boxstyle": "round,pad=0.15", "facecolor": _BACKGROUND, "edgecolor": "none"}
        for y, r, hi in zip(positions[shown], rate[shown], high[shown], strict=True):
            ax.text(
                hi, y, f"{r:.1f}%", transform=after_bar, va="center", ha="left",
                fontsize=_BASE_FONT_SIZE - 1, zorder=4, in_layout=False,
                # an opaque box keeps the label readable where it crosses the reference line
                bbox=label_box,
            )  # fmt: skip
        if reference.any() and shown[reference].all():
            ax.axvline(
                rate[reference][0],
                color=OKABE_ITO["vermillion"],
                linestyle="--",
                linewidth=1.2,
                zorder=1,
            )
        ax.set_yticks([])
        right = max(upper, 1.0) * 1.45  # room for the direct labels
        ax.set_xlim(0, right)
        ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= min(100.0, right)])
        ax.set_ylim(-0.6, rows - 0.4)
        ax.set_xlabel(textwrap.fill(xlabel, 50))
        fig.suptitle(textwrap.fill(title, 70), x=0.01, ha="left", fontsize=_BASE_FONT_SIZE + 1)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        _footnote(fig, note, size=_BASE_FONT_SIZE - 2, reserve=reserve)
    plt.close(fig)
    return fig


# ----------------------------------------------------------------- QI charts

_SHIFT_STYLE = {"marker": "s", "color": OKABE_ITO["vermillion"], "markersize": 8}
_TREND_STYLE = {
    "marker": "^",
    "markerfacecolor": "none",
    "markeredgecolor": OKABE_ITO["reddish_purple"],
    "markeredgewidth": 1.8,
    "markersize": 13,
}


def _series_frame(frame, signals, time, value, group):
    """The frame as {group: rows} with median/in_shift/in_trend, and signals by group."""
    from .qi import RunChartSignals

    _require_columns(frame, [time, value])
    if isinstance(signals, RunChartSignals):
        name = str(frame[group].iloc[0]) if group in frame.columns and len(frame) else ""
        signals = {name: signals}
    if not isinstance(signals, dict) or not signals:
        raise EquityLabError(
            "signals must be the dict returned by equitylab.qi.stratified_run_chart() "
            "or one RunChartSignals from equitylab.qi.run_chart_rules()"
        )
    if group in frame.columns:
        parts = {str(k): v for k, v in frame.groupby(group, sort=False)}
    else:
        if len(signals) != 1:
            raise EquityLabError(
                f"column {group!r} not found, so the frame is one series; give its signals"
            )
        parts = {next(iter(signals)): frame}
    out = {}
    unjudged = set(frame.attrs.get("unjudged", ()))
    for name, part in parts.items():
        if name in unjudged and name not in signals:
            out[name] = part  # too few points shown for the rules: drawn, not judged
            continue
        if name not in signals:
            raise EquityLabError(
                f"no signals for group {name!r}; signals has: {', '.join(signals)}"
            )
        result = signals[name]
        part = part.copy()
        if "median" not in part.columns:
            part["median"] = result.median
        for flag, spans in (("in_shift", result.shifts), ("in_trend", result.trends)):
            if flag not in part.columns:
                marks = np.zeros(len(part), dtype=bool)
                for start, end in spans:
                    marks[start : end + 1] = True
                if flag == "in_shift":
                    values = pd.to_numeric(part[value], errors="coerce").to_numpy(dtype=float)
                    marks &= values != result.median
                part[flag] = marks
        out[name] = part
    return out, signals


def run_chart(
    frame: pd.DataFrame,
    signals,
    *,
    time: str,
    value: str = "rate",
    group: str = "group",
    title: str,
    ylabel: str,
    percent: bool = True,
    source: str | None = None,
    annotate: dict[str, str] | None = None,
) -> Figure:
    """Run charts as small multiples: one panel per group, sharing the y axis.

    Draws the output of :func:`equitylab.qi.stratified_run_chart` (or a single series
    with the :class:`~equitylab.qi.RunChartSignals` of
    :func:`~equitylab.qi.run_chart_rules`; then the frame's rows are the series' points
    in order). Each panel shows the series, its median as a dashed line (labelled), the
    points in a shift as vermillion squares and the points in a trend circled by hollow
    purple triangles (shape and colour), and, under the panel, the signals in words.
    Hidden (small numbers) and missing points are gaps, never drawn, and the notes under
    the figure say so.

    Parameters
    ----------
    frame, signals:
        The two results of :func:`~equitylab.qi.stratified_run_chart`.
    time, value, group:
        Column names: period, plotted value (default ``"rate"``), group.
    title:
        States the finding.
    ylabel:
        Axis label with units.
    percent:
        Show a proportion as a percentage (multiply by 100).
    source:
        A source line under the chart.
    annotate:
        ``{period: label}``: a vertical line with a label at each period, e.g.
        ``{"2024-07": "Outreach program starts"}``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    EquityLabError
        If a column is missing, the signals do not match the groups, or an annotated
        period is not on the chart.
    """
    parts, signals = _series_frame(frame, signals, time, value, group)
    scale = 100.0 if percent else 1.0
    periods = list(dict.fromkeys(str(t) for t in frame[time]))
    where = {p: i for i, p in enumerate(periods)}
    annotate = dict(annotate or {})
    absent = [p for p in annotate if str(p) not in where]
    if absent:
        raise EquityLabError(
            f"annotated period(s) {', '.join(map(str, absent))} not on the chart; periods "
            f"run from {periods[0]} to {periods[-1]}"
        )
    n = len(parts)
    cols = 1 if n == 1 else 2
    rows = math.ceil(n / cols)
    # Page width (7.5 in) in both layouts, so that text stays >= 10 pt when the figure
    # is shown at the width of the page; two columns get fewer ticks and narrower text.
    step = max(1, math.ceil(len(periods) / (6 if cols == 1 else 3)))
    wrap = 58 if cols == 1 else 38
    with plt.rc_context({"font.size": _BASE_FONT_SIZE}):
        fig, axes = plt.subplots(
            rows,
            cols,
            figsize=(7.5, (3.9 if cols == 1 else 4.6) * rows + 1.2),
            sharey=True,
            squeeze=False,
            layout="constrained",
        )
        fig.patch.set_facecolor(_BACKGROUND)
        for ax in axes.flat[n:]:
            ax.set_visible(False)
        for ax, (name, part) in zip(axes.flat, parts.items(), strict=False):
            ax.set_facecolor(_BACKGROUND)
            x = np.array([where[str(t)] for t in part[time]])
            y = pd.to_numeric(part[value], errors="coerce").to_numpy(dtype=float) * scale
            ax.plot(x, y, "-", color="#777777", linewidth=1.2, zorder=2)
            ax.plot(x, y, "o", color=OKABE_ITO["blue"], markersize=5, zorder=3, label="point")
            shift = part["in_shift"].to_numpy(dtype=bool) if "in_shift" in part else x < 0
            trend = part["in_trend"].to_numpy(dtype=bool) if "in_trend" in part else x < 0
            if shift.any():
                ax.plot(
                    x[shift],
                    y[shift],
                    linestyle="none",
                    zorder=4,
                    **_SHIFT_STYLE,
                    label="in a shift",
                )
            if trend.any():
                ax.plot(
                    x[trend],
                    y[trend],
                    linestyle="none",
                    zorder=5,
                    **_TREND_STYLE,
                    label="in a trend",
                )
            if name not in signals:
                ax.set_title(name, loc="left", fontsize=_BASE_FONT_SIZE)
                ax.set_xlabel(
                    "Not judged: too few points shown", loc="left", fontsize=_BASE_FONT_SIZE - 2
                )
                ticks = list(range(0, len(periods), step))
                ax.set_xticks(ticks, [periods[i] for i in ticks])
                ax.set_xlim(-0.7, len(periods) - 0.3)
                continue
            centre = float(signals[name].median) * scale
            ax.axhline(centre, color=OKABE_ITO["black"], linestyle="--", linewidth=1.2, zorder=1)
            ax.annotate(
                f"median {centre:.1f}{'%' if percent else ''}",
                (1.0, centre),
                xycoords=("axes fraction", "data"),
                xytext=(-2, 4),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=_BASE_FONT_SIZE - 2,
                bbox={"boxstyle": "round,pad=0.1", "facecolor": _BACKGROUND, "edgecolor": "none"},
                zorder=6,
            )
            for period, label in annotate.items():
                xa = where[str(period)]
                ax.axvline(xa - 0.5, color=OKABE_ITO["bluish_green"], linestyle=":", linewidth=1.8)
                ax.annotate(
                    label,
                    (xa - 0.5, 1.0),
                    xycoords=("data", "axes fraction"),
                    xytext=(3, -3),
                    textcoords="offset points",
                    ha="left",
                    va="top",
                    fontsize=_BASE_FONT_SIZE - 2,
                    color="#00684A",
                    bbox={
                        "boxstyle": "round,pad=0.1",
                        "facecolor": _BACKGROUND,
                        "edgecolor": "none",
                    },
                )
            ax.set_title(name, loc="left", fontsize=_BASE_FONT_SIZE)
            ticks = list(range(0, len(periods), step))
            ax.set_xticks(ticks, [periods[i] for i in ticks])
            ax.set_xlim(-0.7, len(periods) - 0.3)
            found = signals[name].signals
            text = "\n".join(textwrap.fill(s, wrap) for s in found) if found else "No signal"
            ax.set_xlabel(text, loc="left", fontsize=_BASE_FONT_SIZE - 2)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel(textwrap.fill(ylabel, 40))
        handles = [
            plt.Line2D(
                [],
                [],
                color="#777777",
                marker="o",
                markerfacecolor=OKABE_ITO["blue"],
                markeredgecolor=OKABE_ITO["blue"],
                markersize=5,
                label="point",
            ),
            plt.Line2D([], [], color=OKABE_ITO["black"], linestyle="--", label="median"),
            plt.Line2D([], [], linestyle="none", label="in a shift", **_SHIFT_STYLE),
            plt.Line2D([], [], linestyle="none", label="in a trend", **_TREND_STYLE),
        ]
        # headroom for the annotation labels above the highest point
        bottom, top = axes.flat[0].get_ylim()
        axes.flat[0].set_ylim(bottom, top + 0.15 * (top - bottom))
        notes = list(frame.attrs.get("notes", []))
        if source:
            notes.append(source)
        note = textwrap.fill(" ".join(notes), 90) if notes else ""
        lines = note.count("\n") + 1 if note else 0
        height = fig.get_figheight()
        low = (0.25 + 0.2 * lines) / height if note else 0.0
        high = 1 - 1.0 / height  # room for the title and the one-line legend
        fig.get_layout_engine().set(rect=(0, low, 1, high - low))
        fig.suptitle(
            textwrap.fill(title, 60),
            x=0.01,
            y=0.995,
            ha="left",
            va="top",
            fontsize=_BASE_FONT_SIZE + 1,
        )
        fig.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0.0, high),
            ncols=4,
            frameon=False,
            fontsize=_BASE_FONT_SIZE - 2,
        )
        if note:
            _footnote(fig, note, size=_BASE_FONT_SIZE - 2, reserve=None, y=0.01)
    plt.close(fig)
    return fig


def p_chart(
    limits: pd.DataFrame,
    *,
    labels: Sequence[object],
    title: str,
    ylabel: str,
    source: str | None = None,
    percent: bool = True,
) -> Figure:
    """A p-chart from :func:`equitylab.qi.p_chart_limits`.

    The proportions as a line with dots, the centre line (dashed, labelled), the upper
    and lower control limits as stepped dotted lines (they move with each subgroup's
    size), and the points outside the limits as vermillion diamonds with a direct label.

    Parameters
    ----------
    limits:
        The table returned by :func:`~equitylab.qi.p_chart_limits`.
    labels:
        One label per subgroup, for the x axis (e.g. months or sample numbers).
    title:
        States the finding.
    ylabel:
        Axis label with units.
    source:
        A source line under the chart.
    percent:
        Show proportions as percentages.

    Raises
    ------
    EquityLabError
        If ``limits`` lacks the p-chart columns or ``labels`` has the wrong length.
    """
    _require_columns(limits, ["p", "centre", "lower", "upper", "outside"])
    labels = [str(v) for v in labels]
    if len(labels) != len(limits):
        raise EquityLabError(
            f"labels has {len(labels)} entries for {len(limits)} subgroups; give one each"
        )
    scale = 100.0 if percent else 1.0
    x = np.arange(len(limits))
    p = limits["p"].to_numpy(dtype=float) * scale
    lower = limits["lower"].to_numpy(dtype=float) * scale
    upper = limits["upper"].to_numpy(dtype=float) * scale
    centre = float(limits["centre"].iloc[0]) * scale
    outside = limits["outside"].to_numpy(dtype=bool)
    unit = "%" if percent else ""
    longest = max((len(label) for label in labels), default=1)
    step = max(1, math.ceil(len(x) / 10), math.ceil(len(x) * longest / 42))  # no overlap
    with plt.rc_context({"font.size": _BASE_FONT_SIZE}):
        fig, ax = plt.subplots(figsize=(8.0, 4.8), layout="constrained")
        fig.patch.set_facecolor(_BACKGROUND)
        ax.set_facecolor(_BACKGROUND)
        ax.plot(x, p, "-", color="#777777", linewidth=1.2, zorder=2)
        ax.plot(x, p, "o", color=OKABE_ITO["blue"], markersize=5, zorder=3)
        ax.step(x, upper, where="mid", color=OKABE_ITO["orange"], linestyle=":", linewidth=1.8)
        ax.step(x, lower, where="mid", color=OKABE_ITO["orange"], linestyle=":", linewidth=1.8)
        ax.axhline(centre, color=OKABE_ITO["black"], linestyle="--", linewidth=1.2, zorder=1)
        if outside.any():
            ax.plot(
                x[outside], p[outside], "D", color=OKABE_ITO["vermillion"], markersize=9, zorder=4
            )
            for xi, yi in zip(x[outside], p[outside], strict=True):
                ax.annotate(
                    "outside limits",
                    (xi, yi),
                    xytext=(6, 4),
                    textcoords="offset points",
                    fontsize=_BASE_FONT_SIZE - 2,
                    color="#8A3B00",
                    bbox={
                        "boxstyle": "round,pad=0.1",
                        "facecolor": _BACKGROUND,
                        "edgecolor": "none",
                    },
                )
        for yv, text in (
            (centre, f"centre {centre:.1f}{unit}"),
            (upper[-1], "upper limit"),
            (lower[-1], "lower limit"),
        ):
            ax.annotate(
                text,
                (x[-1], yv),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontsize=_BASE_FONT_SIZE - 2,
                bbox={"boxstyle": "round,pad=0.1", "facecolor": _BACKGROUND, "edgecolor": "none"},
            )
        ticks = list(range(0, len(x), step))
        ax.set_xticks(ticks, [labels[i] for i in ticks])
        ax.set_xlim(-0.7, len(x) - 0.3 + len(x) * 0.12)
        ax.set_ylabel(textwrap.fill(ylabel, 45))
        fig.suptitle(textwrap.fill(title, 70), x=0.01, ha="left", fontsize=_BASE_FONT_SIZE + 1)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        sigma = limits.attrs.get("sigma", 3.0)
        note = f"Dotted lines: {sigma:g}-sigma control limits (p-chart)."
        if source:
            note += f" {source}"
        _footnote(fig, note, size=_BASE_FONT_SIZE - 2, reserve=0.06)
    plt.close(fig)
    return fig
