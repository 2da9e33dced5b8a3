"""The stratify explorer: one measure, split by one or two groupings, with intervals.

Choose a measure, a grouping (or two, for an intersection), the reference group
and the small-cell threshold; the widget calls :func:`equitylab.stratify` and
shows the protected table and :func:`equitylab.plots.rate_chart`. The current
result is kept on the widget (``.table``, ``.figure``), so a notebook or a test
can read exactly what the learner sees.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import numpy as np
import pandas as pd

from ..errors import EquityLabError
from ..privacy import DEFAULT_MIN_CELL
from ..stratify import stratify
from ._base import figure_html, needs_kernel

__all__ = ["StratifyExplorer", "stratify_explorer"]

#: The value of the second grouping control when no second grouping is chosen.
NO_SECOND = ""
_SEPARATOR = " · "
_WIDE = {"description_width": "initial"}


def _labelled(choices: Mapping[str, str] | Sequence[str], what: str) -> dict[str, str]:
    """Column -> label, from a mapping or a list of column names."""
    if isinstance(choices, str):
        choices = [choices]
    if isinstance(choices, Mapping):
        labelled = {str(k): str(v) for k, v in choices.items()}
    else:
        labelled = {str(c): str(c).replace("_", " ") for c in choices}
    if not labelled:
        raise EquityLabError(f"give at least one {what} column")
    return labelled


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


class StratifyExplorer(widgets.VBox):
    """Explore a stratified measure: rates with intervals, small cells protected.

    Controls (each with a ``description``, its accessible name):

    - ``measure`` — the yes/no outcome column;
    - ``grouping`` and ``second_grouping`` — one grouping column, or two for an
      intersection (``second_grouping.value == ""`` means none);
    - ``reference`` — the group the others are compared with; its options follow
      the groupings (values are tuples of labels, one per grouping column);
    - ``min_cell`` — the smallest non-zero count shown. It starts at the library
      default (``equitylab.DEFAULT_MIN_CELL``) and can be raised, never lowered
      below it: the explorer cannot switch protection off.

    Outputs: ``table_view`` (an HTML table, suppressed groups shown as
    "suppressed") and ``chart_view`` (the rate chart as an image with alt text).
    The current result: ``table`` (the :func:`~equitylab.stratify` DataFrame) and
    ``figure`` (the matplotlib figure).

    Parameters
    ----------
    data:
        Patient-level data (e.g. ``el.load_dataset("riverbend_patients")``).
    measures:
        Outcome columns: a list, or a mapping ``{column: label}`` for the menu.
    groupings:
        Grouping columns: a list, or a mapping ``{column: label}``.
    adverse:
        Measures where a higher rate is worse (e.g. readmission); the others are
        treated as favourable. Decides how the meaningful-difference rule frames
        the relative difference (see :func:`equitylab.stratify`).
    measure, grouping, second_grouping, reference, min_cell:
        Starting values of the controls (default: the first measure and grouping,
        no second grouping, the library's default reference, the default threshold).
    max_min_cell:
        The largest threshold the learner can choose.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        measures: Mapping[str, str] | Sequence[str],
        groupings: Mapping[str, str] | Sequence[str],
        adverse: Sequence[str] = (),
        measure: str | None = None,
        grouping: str | None = None,
        second_grouping: str = NO_SECOND,
        reference: str | Sequence[str] | None = None,
        min_cell: int = DEFAULT_MIN_CELL,
        max_min_cell: int = 50,
    ) -> None:
        self.data = data
        self.measures = _labelled(measures, "measure")
        self.groupings = _labelled(groupings, "grouping")
        self.adverse = {str(a) for a in adverse}
        columns = set(getattr(data, "columns", []))
        missing = [c for c in [*self.measures, *self.groupings] if c not in columns]
        if missing:
            raise EquityLabError(f"column(s) not found in the data: {', '.join(missing)}")
        if (
            isinstance(min_cell, bool)
            or not isinstance(min_cell, (int, np.integer))
            or min_cell < DEFAULT_MIN_CELL
        ):
            raise EquityLabError(
                f"min_cell must be a whole number of at least {DEFAULT_MIN_CELL} in the explorer "
                f"(counts of 1 to {DEFAULT_MIN_CELL - 1} always stay hidden), got {min_cell!r}"
            )
        max_min_cell = max(int(max_min_cell), int(min_cell))

        self.measure = widgets.Dropdown(
            options=[(label, column) for column, label in self.measures.items()],
            value=measure if measure is not None else next(iter(self.measures)),
            description="Measure",
            style=_WIDE,
            layout=widgets.Layout(width="min(100%, 38rem)"),
        )
        self.grouping = widgets.Dropdown(
            options=[(label, column) for column, label in self.groupings.items()],
            value=grouping if grouping is not None else next(iter(self.groupings)),
            description="Group by",
            style=_WIDE,
        )
        self.second_grouping = widgets.Dropdown(
            options=self._second_options(self.grouping.value),
            value=second_grouping,
            description="and by (optional)",
            style=_WIDE,
        )
        self.reference = widgets.Dropdown(
            options=[], description="Reference group", style=_WIDE,
            layout=widgets.Layout(width="min(100%, 38rem)"),
        )  # fmt: skip
        self.min_cell = widgets.IntSlider(
            value=int(min_cell),
            min=DEFAULT_MIN_CELL,
            max=max_min_cell,
            step=1,
            description="Smallest count shown",
            continuous_update=False,
            style=_WIDE,
        )
        self.summary = widgets.HTML()
        self.table_view = widgets.HTML()
        self.chart_view = widgets.HTML()
        self.table: pd.DataFrame | None = None
        self.figure = None
        self._busy = False
        super().__init__(
            [
                self.measure,
                widgets.HBox([self.grouping, self.second_grouping]),
                self.reference,
                self.min_cell,
                self.summary,
                self.table_view,
                self.chart_view,
            ]
        )
        self._refresh_references(reference)
        self._update()
        self.grouping.observe(self._grouping_changed, names="value")
        self.second_grouping.observe(self._grouping_changed, names="value")
        for control in (self.measure, self.reference, self.min_cell):
            control.observe(self._update, names="value")
        needs_kernel(self)

    def __repr__(self) -> str:
        # Short on purpose: the default repr lists every child, chart image included.
        return (
            f"StratifyExplorer(measure={self.measure.value!r}, by={self.by!r}, "
            f"reference={self.reference.value!r}, min_cell={self.min_cell.value})"
        )

    # --- controls ------------------------------------------------------------------

    @property
    def by(self) -> list[str]:
        """The grouping columns currently chosen."""
        second = self.second_grouping.value
        return [self.grouping.value] + ([second] if second else [])

    def _second_options(self, first: str) -> list[tuple[str, str]]:
        return [("(none)", NO_SECOND)] + [
            (label, column) for column, label in self.groupings.items() if column != first
        ]

    def _stratify(self, reference=None, min_cell=None) -> pd.DataFrame:
        column = self.measure.value
        return stratify(
            self.data,
            by=self.by,
            outcome=column,
            min_cell=self.min_cell.value if min_cell is None else min_cell,
            reference=reference,
            higher_is_better=column not in self.adverse,
        )

    def _refresh_references(self, wanted=None) -> None:
        """Reference options for the current groupings; keep ``wanted`` if it exists."""
        default = self._stratify()
        keys = [tuple(str(v) for v in row) for row in default[self.by].itertuples(index=False)]
        if wanted is not None:
            wanted = (wanted,) if isinstance(wanted, str) else tuple(map(str, wanted))
        if wanted not in keys:
            ref = default.attrs["reference"]
            wanted = ref if isinstance(ref, tuple) else (ref,)
            wanted = tuple(map(str, wanted))
        was = self._busy
        self._busy = True
        try:
            self.reference.options = [(_SEPARATOR.join(k), k) for k in keys]
            self.reference.value = wanted
        finally:
            self._busy = was

    def _grouping_changed(self, change: dict | None = None) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            first = self.grouping.value
            second = self.second_grouping.value
            self.second_grouping.options = self._second_options(first)
            self.second_grouping.value = second if second != first else NO_SECOND
            self._refresh_references(self.reference.value)
        finally:
            self._busy = False
        self._update()

    # --- outputs -------------------------------------------------------------------

    def _update(self, change: dict | None = None) -> None:
        if self._busy:
            return
        from ..plots import rate_chart  # matplotlib, loaded on first use

        reference = self.reference.value
        reference = reference[0] if len(reference) == 1 else reference
        self.table = table = self._stratify(reference=reference)
        label = self.measures[self.measure.value]
        self.figure = rate_chart(
            table,
            title=self._title(table, label),
            xlabel=f"{label} (%)",
            source="Fictional Riverbend Health data.",
        )
        self.summary.value = self._summary(table)
        self.table_view.value = self._table_html(table, label)
        self.chart_view.value = self._chart_html(table, label)

    def _group_names(self, table: pd.DataFrame) -> list[str]:
        return [
            _SEPARATOR.join(str(v) for v in row) for row in table[self.by].itertuples(index=False)
        ]

    def _title(self, table: pd.DataFrame, label: str) -> str:
        shown = table[~table["suppressed"] & table["rate"].notna()]
        if shown.empty:
            return f"{label}: every group is suppressed"
        names = dict(zip(table.index, self._group_names(table), strict=True))
        low, high = shown["rate"].idxmin(), shown["rate"].idxmax()
        return (
            f"{label}: from {_percent(shown.at[low, 'rate'])} ({names[low]}) "
            f"to {_percent(shown.at[high, 'rate'])} ({names[high]})"
        )

    def _summary(self, table: pd.DataFrame) -> str:
        hidden = int(table["suppressed"].sum())
        groups = len(table)
        notes = "".join(f" {html.escape(n.capitalize())}." for n in table.attrs.get("notes", []))
        return (
            f"<p>{groups} groups, <strong>{hidden} suppressed</strong>.{notes} "
            f"Methods: {html.escape(table.attrs['method'])}.</p>"
        )

    def _table_html(self, table: pd.DataFrame, label: str) -> str:
        level = f"{table.attrs['level']:.0%}"
        head = [
            *(self.groupings[b] for b in self.by),
            "People (n)",
            "With outcome",
            "Rate",
            f"{level} CI",
            "Difference from reference (points)",
            "Meaningful (AHRQ)",
        ]
        rows = []
        for name_values, row in zip(
            table[self.by].itertuples(index=False), table.itertuples(index=False), strict=True
        ):
            cells = [html.escape(str(v)) for v in name_values]
            n = "suppressed" if pd.isna(row.n) else f"{int(row.n):,}"
            if row.suppressed:
                events = rate = ci = diff = meaningful = "suppressed"
            elif pd.isna(row.rate):
                events, rate, ci, diff, meaningful = f"{int(row.events):,}", "—", "—", "—", "—"
            else:
                events = f"{int(row.events):,}"
                rate = _percent(row.rate)
                # Non-breaking spaces keep an interval on one line in a narrow table.
                ci = f"{_percent(row.ci_low)}\u00a0to\u00a0{_percent(row.ci_high)}"
                if row.is_reference:
                    diff, meaningful = "reference", "reference"
                elif pd.isna(row.rate_difference):
                    diff, meaningful = "—", "—"
                else:
                    diff = f"{100 * row.rate_difference:+.1f}"
                    meaningful = "—" if pd.isna(row.meaningful) else (
                        "yes" if row.meaningful else "no"
                    )  # fmt: skip
            cells += [n, events, rate, ci, diff, meaningful]
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        header = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in head)
        return (
            '<div style="overflow-x:auto"><table class="equitylab-stratify-table">'
            f"<caption>{html.escape(label)}, by "
            f"{html.escape(' and '.join(self.groupings[b] for b in self.by))} "
            "(fictional Riverbend Health data)</caption>"
            f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )

    def alt_text(self) -> str:
        """What the current chart shows, in words (used as the image's alt text)."""
        table = self.table
        label = self.measures[self.measure.value]
        parts = []
        for name, row in zip(self._group_names(table), table.itertuples(index=False), strict=True):
            if row.suppressed:
                parts.append(f"{name} suppressed")
            elif not pd.isna(row.rate):
                ref = " (reference)" if row.is_reference else ""
                parts.append(
                    f"{name}{ref} {_percent(row.rate)} "
                    f"({_percent(row.ci_low)} to {_percent(row.ci_high)})"
                )
        return f"Rate chart of {label} with 95% confidence intervals: " + "; ".join(parts) + "."

    def _chart_html(self, table: pd.DataFrame, label: str) -> str:
        return figure_html(self.figure, self.alt_text())


def stratify_explorer(data, *, measures, groupings, **options) -> StratifyExplorer:
    """A :class:`StratifyExplorer` widget; ``options`` are its keyword arguments.

    It needs a kernel to respond, so it is marked with :func:`needs_kernel`.
    """
    return StratifyExplorer(data, measures=measures, groupings=groupings, **options)
