"""The run-chart explorer: one group's monthly measure, read with the run-chart rules."""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from .. import qi
from ..errors import EquityLabError, require_columns
from ._base import figure_html, needs_kernel, short_lived

__all__ = ["RunChartExplorer", "run_chart_explorer"]

#: The label of the series that adds all groups together.
ALL_GROUPS = "All groups together"

_MIN_BASELINE = 8  # periods in the shortest baseline the slider offers
_MIN_JUDGED = 6  # periods left after the baseline: enough for a shift


class RunChartExplorer(widgets.VBox):
    """Pick a group and a baseline; see its run chart and the signals the rules find.

    The explorer draws one series at a time: a group's rate per period, or all
    groups added together (``ALL_GROUPS``). The centre line is the median of
    every period, or, when ``use_baseline`` is ticked, the median of the first
    ``baseline`` periods extended across the chart. The signals are computed by
    :func:`~equitylab.qi.run_chart_rules` and drawn by
    :func:`~equitylab.plots.run_chart`.

    Controls (each with a ``description``): ``group`` (a dropdown),
    ``use_baseline`` (a checkbox) and ``baseline`` (a slider, active only with
    the checkbox). Outputs: ``chart`` (an HTML image with alt text that states
    the signals) and ``summary`` (the signals in words). After every change
    ``series`` holds the plotted table (``time``, ``events``, ``totals``,
    ``rate``, ``group``), ``signals`` the :class:`~equitylab.qi.RunChartSignals`
    and ``figure`` the matplotlib figure (built when first read: the image is drawn
    from a figure dropped at once, so that a change leaves no figure for the garbage
    collector).

    Parameters
    ----------
    table:
        One row per group and period, with counts (e.g. ``riverbend_monthly``).
    time, group, events, totals:
        Column names: the period (sortable, e.g. ``"2024-07"``), the group, the
        number of people with the outcome and the number of people.
    ylabel:
        The vertical axis label, with units.
    initial_group:
        The series shown first (default: all groups together).
    initial_baseline:
        The slider's first value (default: half the periods).
    min_cell:
        Periods whose ``events`` or ``totals - events`` are below this are not
        drawn (small-cell protection); the rules then skip them.
    """

    def __init__(
        self,
        table: pd.DataFrame,
        *,
        time: str,
        group: str,
        events: str,
        totals: str,
        ylabel: str = "Rate (%)",
        initial_group: str | None = None,
        initial_baseline: int | None = None,
        min_cell: int = 11,
    ) -> None:
        if not isinstance(table, pd.DataFrame):
            raise EquityLabError(f"expected a pandas DataFrame, got {type(table).__name__}")
        require_columns(table.columns, (time, group, events, totals))
        self.table = table
        self.columns = {"time": time, "group": group, "events": events, "totals": totals}
        self.ylabel = ylabel
        self.min_cell = min_cell
        periods = sorted(table[time].unique())
        if len(periods) < _MIN_BASELINE + _MIN_JUDGED:
            raise EquityLabError(
                f"the explorer needs at least {_MIN_BASELINE + _MIN_JUDGED} periods; "
                f"got {len(periods)}"
            )
        self.periods = [str(p) for p in periods]
        groups = [str(g) for g in pd.unique(table[group])]
        options = [ALL_GROUPS, *groups]
        if initial_group is not None and initial_group not in options:
            raise EquityLabError(f"no group {initial_group!r}; groups are: {', '.join(options)}")
        if initial_baseline is None:
            initial_baseline = len(periods) // 2
        last = len(periods) - _MIN_JUDGED
        if not _MIN_BASELINE <= initial_baseline <= last:
            raise EquityLabError(
                f"initial_baseline must be between {_MIN_BASELINE} and {last} periods, so "
                f"that at least {_MIN_JUDGED} later periods are left to judge"
            )
        wide = {"description_width": "initial"}
        self.group = widgets.Dropdown(
            options=options,
            value=initial_group or ALL_GROUPS,
            description="Group",
            style=wide,
        )
        self.use_baseline = widgets.Checkbox(
            value=False,
            description="Median from a baseline period only",
            indent=False,
            style=wide,
        )
        self.baseline = widgets.IntSlider(
            value=initial_baseline,
            min=_MIN_BASELINE,
            max=last,
            step=1,
            description="Baseline: first periods",
            continuous_update=False,
            disabled=True,
            style=wide,
            layout=widgets.Layout(width="min(100%, 30rem)"),
        )
        self.chart = widgets.HTML()
        self.summary = widgets.HTML()
        self.series: pd.DataFrame = pd.DataFrame()
        self.signals: qi.RunChartSignals | None = None
        self._figure = None  # built when ``figure`` is read
        self._drawn: tuple | None = None  # what run_chart draws now
        self._series: tuple[str, pd.DataFrame] | None = None  # the last group's series
        super().__init__(
            [
                widgets.HBox([self.group, self.use_baseline]),
                self.baseline,
                self.chart,
                self.summary,
            ]
        )
        for control in (self.group, self.use_baseline, self.baseline):
            control.observe(self._update, names="value")
        self._update()
        needs_kernel(self)

    # --- pure parts (tested headlessly) -----------------------------------------

    def series_for(self, name: str) -> pd.DataFrame:
        """The plotted table for group ``name`` (or ``ALL_GROUPS``), in time order."""
        c = self.columns
        if name == ALL_GROUPS:
            rows = self.table.groupby(c["time"], as_index=False)[[c["events"], c["totals"]]].sum()
        else:
            rows = self.table[self.table[c["group"]].astype(str) == name]
        rows = rows.sort_values(c["time"])
        series = pd.DataFrame(
            {
                "time": rows[c["time"]].astype(str).to_numpy(),
                "events": rows[c["events"]].to_numpy(),
                "totals": rows[c["totals"]].to_numpy(),
            }
        )
        small = (series["events"] < self.min_cell) | (
            series["totals"] - series["events"] < self.min_cell
        )
        series["rate"] = (series["events"] / series["totals"]).where(~small)
        series["group"] = name
        return series

    @property
    def figure(self):
        """The matplotlib figure of the chart shown (built on first read after a change)."""
        if self._figure is None and self._drawn is not None:
            self._figure = self._chart()
        return self._figure

    def _chart(self):
        from .. import plots  # matplotlib, loaded on first use

        shown, name, signals, centre = self._drawn
        return plots.run_chart(
            shown,
            {name: signals},
            time="time",
            value="rate",
            group="group",
            title=_title(name, signals),
            ylabel=self.ylabel,
            source=f"Centre line: {centre}.",
        )

    def _update(self, change: dict | None = None) -> None:
        with short_lived():
            self._redraw()

    def _redraw(self) -> None:
        self.baseline.disabled = not self.use_baseline.value
        name = self.group.value
        if self._series is None or self._series[0] != name:  # a baseline change keeps it
            self._series = (name, self.series_for(name))
        series = self._series[1]
        baseline = self.baseline.value if self.use_baseline.value else None
        shown = series.dropna(subset=["rate"]).reset_index(drop=True)
        if baseline is not None:
            baseline = min(baseline, len(shown) - _MIN_JUDGED)
        signals = qi.run_chart_rules(
            shown["rate"].to_numpy(), baseline=baseline, labels=shown["time"]
        )
        centre = (
            f"median of the first {baseline} periods, extended"
            if baseline is not None
            else "median of all periods"
        )
        self.series, self.signals = series, signals
        self._drawn, self._figure = (shown, name, signals, centre), None
        alt = _alt_text(name, series, signals, centre)
        self.chart.value = figure_html(self._chart(), alt, dpi=80)
        self.summary.value = _summary_html(signals, centre)


def _title(name: str, signals: qi.RunChartSignals) -> str:
    if signals.any_signal:
        return f"{name}: the rules find a signal"
    return f"{name}: no signal, only month-to-month variation"


def _said(signals: qi.RunChartSignals) -> str:
    return "; ".join(signals.signals) if signals.any_signal else "no signal"


def _alt_text(name: str, series: pd.DataFrame, signals: qi.RunChartSignals, centre: str) -> str:
    first, last = series["time"].iloc[0], series["time"].iloc[-1]
    return (
        f"Run chart of the rate for {name}, {first} to {last}, centre line at "
        f"{signals.median:.1%} ({centre}). {signals.runs} runs. Signals: {_said(signals)}."
    )


def _summary_html(signals: qi.RunChartSignals, centre: str) -> str:
    if signals.runs_expected is not None:
        low, high = signals.runs_expected
        runs = f"runs: {signals.runs} (between {low} and {high} expected by chance)."
    else:
        runs = f"runs: {signals.runs} (the runs rule needs the median of the judged points)."
    items = "".join(f"<li>{html.escape(s)}</li>" for s in signals.signals) or (
        "<li>No signal: the variation looks like chance alone.</li>"
    )
    return (
        f"<p>Centre line: {signals.median:.1%} ({html.escape(centre)}). "
        f"Points judged: {signals.n_points}; {html.escape(runs)}</p><ul>{items}</ul>"
    )


def run_chart_explorer(table: pd.DataFrame, **options) -> RunChartExplorer:
    """A :class:`RunChartExplorer` widget; ``options`` are its keyword arguments.

    It needs a kernel to respond, so it is marked with :func:`needs_kernel`.
    """
    return RunChartExplorer(table, **options)
