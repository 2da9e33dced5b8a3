"""The stratify explorer: one measure, split by one or two groupings, with intervals.

Choose a measure, a grouping (or two, for an intersection), the reference group,
the small-cell threshold and, for groupings with Unknown, Declined or Missing
values, whether those people stay in the table as a group or are left out; the
widget calls :func:`equitylab.stratify` and shows the protected table and
:func:`equitylab.plots.rate_chart`. The current result is kept on the widget
(``.table``, ``.figure``), so a notebook or a test can read exactly what the
learner sees.

Each control change computes the table once and draws the chart once; changing one
control never sets off the callbacks of the controls it adjusts (the second
grouping's and the reference's options, the "recorded as" choices shown).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import numpy as np
import pandas as pd

from ..errors import EquityLabError
from ..privacy import DEFAULT_MIN_CELL
from ..stratify import NOT_INFORMATIVE, stratify
from ._base import figure_html, needs_kernel, short_lived

__all__ = ["HIDDEN", "KEEP", "LEAVE_OUT", "StratifyExplorer", "stratify_explorer"]

#: The value of the second grouping control when no second grouping is chosen.
NO_SECOND = ""
#: The choices for people recorded as Unknown, Declined or Missing in a grouping column.
KEEP = "keep"
LEAVE_OUT = "leave out"
#: How the explorer's table, chart and alt text name every hidden group, whether it is
#: small itself or hidden so that a smaller one cannot be worked out from the totals.
HIDDEN = "hidden to protect small numbers"
_SEPARATOR = " · "
#: The columns of a stratify table that the explorer's table and alt text show.
_ROW_COLUMNS = [
    "n", "events", "rate", "ci_low", "ci_high", "suppressed", "is_reference",
    "rate_difference", "meaningful",
]  # fmt: skip
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


def _lower_first(label: str) -> str:
    """The label with a lower-case first letter, unless it starts an acronym ("SPD")."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _either(labels: Sequence[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + f" or {labels[-1]}"


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
      below it: the explorer cannot switch protection off;
    - ``not_recorded`` — a dict ``{column: Dropdown}``, one drop-down for each
      grouping column that has people recorded as Unknown, Declined or Missing
      (e.g. "People whose sex is recorded as Unknown"), with the values ``KEEP``
      ("keep as a group", the default) and ``LEAVE_OUT`` ("leave out of this
      table"). The drop-downs of the chosen groupings are shown (in
      ``not_recorded_box``); leaving people out passes ``combine={column: {label:
      None}}`` to :func:`~equitylab.stratify` (see :attr:`combine`), and the note
      under the table gives their number, protected like any count.

    Outputs: ``summary`` (groups, how many are hidden, methods), ``table_view`` (an
    HTML table; every hidden group reads "hidden to protect small numbers", and
    the notes under it explain why a group can be hidden and what was left out)
    and ``chart_view`` (the rate chart as an image with alt text). The current
    result: ``table`` (the :func:`~equitylab.stratify` DataFrame) and ``figure``
    (the matplotlib figure of the chart shown, built when first read: the image is
    drawn from a figure that is dropped at once, so that a change leaves no figure
    for the garbage collector).

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
    not_recorded:
        Starting choices ``{column: KEEP or LEAVE_OUT}`` for people recorded as
        Unknown, Declined or Missing (default: every such group kept).
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
        not_recorded: Mapping[str, str] | None = None,
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
        self._unrecorded = self._not_recorded_labels()
        self.not_recorded = {
            column: self._not_recorded_control(column, labels)
            for column, labels in self._unrecorded.items()
        }
        for column, choice in (not_recorded or {}).items():
            if column not in self.not_recorded:
                offered = ", ".join(self.not_recorded) or "none"
                raise EquityLabError(
                    f"not_recorded names {column!r}; the groupings with people recorded as "
                    f"{_either(list(NOT_INFORMATIVE))} are: {offered}"
                )
            if choice not in (KEEP, LEAVE_OUT):
                raise EquityLabError(
                    f"not_recorded[{column!r}] must be {KEEP!r} or {LEAVE_OUT!r}, got {choice!r}"
                )
            self.not_recorded[column].value = choice
        self.not_recorded_box = widgets.VBox()
        self.summary = widgets.HTML()
        self.table_view = widgets.HTML()
        self.chart_view = widgets.HTML()
        self.table: pd.DataFrame | None = None
        self._figure = None  # built when ``figure`` is read
        self._busy = False
        self._rows: dict[tuple, list[tuple[str, ...]]] = {}  # groups, per (by, combine)
        self._drawn: tuple | None = None  # what the chart shows now
        super().__init__(
            [
                self.measure,
                widgets.HBox([self.grouping, self.second_grouping]),
                self.not_recorded_box,
                self.reference,
                self.min_cell,
                self.summary,
                self.table_view,
                self.chart_view,
            ]
        )
        if reference is not None:
            reference = (reference,) if isinstance(reference, str) else tuple(map(str, reference))
        self._show_not_recorded()
        with short_lived():
            self._recompute(reference)
        controls = [
            self.measure,
            self.grouping,
            self.second_grouping,
            self.reference,
            self.min_cell,
            *self.not_recorded.values(),
        ]
        for control in controls:
            control.observe(self._changed, names="value")
        needs_kernel(self)

    def __repr__(self) -> str:
        # Short on purpose: the default repr lists every child, chart image included.
        combine = f", combine={self.combine!r}" if self.combine else ""
        return (
            f"StratifyExplorer(measure={self.measure.value!r}, by={self.by!r}, "
            f"reference={self.reference.value!r}, min_cell={self.min_cell.value}{combine})"
        )

    # --- controls ------------------------------------------------------------------

    @property
    def figure(self):
        """The matplotlib figure of the chart shown (built on first read after a change)."""
        if self._figure is None and self._drawn is not None:
            self._figure = self._chart()
        return self._figure

    @property
    def by(self) -> list[str]:
        """The grouping columns currently chosen."""
        second = self.second_grouping.value
        return [self.grouping.value] + ([second] if second else [])

    @property
    def combine(self) -> dict[str, dict[str, None]]:
        """What the "recorded as" choices pass to :func:`~equitylab.stratify` as
        ``combine=``: ``{column: {label: None}}`` for each chosen grouping whose
        Unknown, Declined or Missing people are left out (``{}`` when none are)."""
        return {
            column: dict.fromkeys(self._unrecorded[column])
            for column in self.by
            if column in self.not_recorded and self.not_recorded[column].value == LEAVE_OUT
        }

    def _second_options(self, first: str) -> list[tuple[str, str]]:
        return [("(none)", NO_SECOND)] + [
            (label, column) for column, label in self.groupings.items() if column != first
        ]

    def _not_recorded_labels(self) -> dict[str, list[str]]:
        """Grouping column -> its labels among Unknown, Declined and Missing (as
        :func:`~equitylab.stratify` labels them), for the columns that have any. Also
        keeps every column's labels (``_labels``), to tell a reference group that
        cannot exist before asking for it."""
        found = {}
        self._labels: dict[str, set[str]] = {}
        outcome = next(iter(self.measures))
        for column in self.groupings:
            labels = set(stratify(self.data, by=column, outcome=outcome)[column].astype(str))
            self._labels[column] = labels
            present = [label for label in NOT_INFORMATIVE if label in labels]
            if present and len(labels) > len(present):  # leaving them out leaves someone
                found[column] = present
        return found

    def _not_recorded_control(self, column: str, labels: list[str]) -> widgets.Dropdown:
        what = _lower_first(self.groupings[column])
        keep = "keep as a group" if len(labels) == 1 else "keep as their own groups"
        return widgets.Dropdown(
            options=[(keep, KEEP), ("leave out of this table", LEAVE_OUT)],
            value=KEEP,
            description=f"People whose {what} is recorded as {_either(labels)}",
            style=_WIDE,
            # the long description leaves the choices too little room in 38rem
            layout=widgets.Layout(width="min(100%, 52rem)"),
        )

    def _show_not_recorded(self) -> None:
        shown = tuple(self.not_recorded[c] for c in self.by if c in self.not_recorded)
        if self.not_recorded_box.children != shown:
            self.not_recorded_box.children = shown

    def _changed(self, change: dict | None = None) -> None:
        """Any control: adjust the dependent controls, then compute and draw once."""
        if self._busy:
            return
        self._busy = True
        try:
            owner = change["owner"] if change else None
            if owner is self.grouping or owner is self.second_grouping:
                first, second = self.grouping.value, self.second_grouping.value
                # (traitlets' hold_trait_notifications cannot hold a Dropdown's options and
                # value together: the guard above keeps these two from calling back.)
                self.second_grouping.options = self._second_options(first)
                self.second_grouping.value = second if second != first else NO_SECOND
                self._show_not_recorded()
        finally:
            self._busy = False
        with short_lived():
            self._recompute(self.reference.value)

    def _stratify(self, reference) -> pd.DataFrame:
        column = self.measure.value
        if reference is not None and len(reference) == 1:
            reference = reference[0]
        return stratify(
            self.data,
            by=self.by,
            outcome=column,
            min_cell=self.min_cell.value,
            reference=reference,
            higher_is_better=column not in self.adverse,
            combine=self.combine or None,
        )

    def _recompute(self, wanted) -> None:
        """One :func:`~equitylab.stratify` call for the current controls (a second
        only when the wanted reference group turns out not to exist), then the outputs."""
        wanted = tuple(map(str, wanted)) if wanted else None
        combine = self.combine
        key = (tuple(self.by), repr(combine))
        rows = self._rows.get(key)
        if wanted is not None and (
            len(wanted) != len(self.by)
            or any(
                value not in self._labels[column] or value in combine.get(column, ())
                for value, column in zip(wanted, self.by, strict=True)
            )
            or (rows is not None and wanted not in rows)
        ):
            wanted = None
        try:
            table = self._stratify(wanted)
        except EquityLabError:
            if wanted is None:
                raise
            table = self._stratify(None)  # that group is not in this table: the default
        if rows is None:
            rows = self._rows[key] = [
                tuple(str(v) for v in row) for row in table[self.by].itertuples(index=False)
            ]
        reference = table.attrs["reference"]
        reference = tuple(map(str, reference)) if isinstance(reference, tuple) else (reference,)
        options = [(_SEPARATOR.join(k), k) for k in rows]
        self._busy = True
        try:
            if list(self.reference.options) != options:
                self.reference.options = options
            self.reference.value = reference
        finally:
            self._busy = False
        self.table = table
        self._update_outputs()

    # --- outputs -------------------------------------------------------------------

    def _update(self, change: dict | None = None) -> None:
        """Recompute and redraw for the current controls (what every change does)."""
        with short_lived():
            self._recompute(self.reference.value)

    def _update_outputs(self) -> None:
        table = self.table
        label = self.measures[self.measure.value]
        drawn = (label, tuple(self.by), table)
        if not self._same_chart(drawn):
            # The chart changes: draw it (once). A change that leaves the table as it was
            # (a threshold that hides nothing new) keeps the image already shown.
            self._drawn = drawn
            self._figure = None
            self.chart_view.value = figure_html(self._chart(), self.alt_text())
        self.summary.value = self._summary(table)
        self.table_view.value = self._table_html(table, label)

    def _chart(self):
        """The rate chart of the current table (a new figure)."""
        from ..plots import rate_chart  # matplotlib, loaded on first use

        label, _, table = self._drawn
        return rate_chart(
            table,
            title=self._title(table, label),
            xlabel=f"{label} (%)",
            source="Fictional Riverbend Health data.",
        )

    def _same_chart(self, drawn: tuple) -> bool:
        """Whether the chart would show what it shows now (same measure, groupings and
        table: the title, bars, labels and alt text all come from these)."""
        if self._drawn is None:
            return False
        label, by, table = self._drawn
        return (label, by) == drawn[:2] and table.equals(drawn[2])

    def _group_names(self, table: pd.DataFrame) -> list[str]:
        return [
            _SEPARATOR.join(str(v) for v in row) for row in table[self.by].itertuples(index=False)
        ]

    def _title(self, table: pd.DataFrame, label: str) -> str:
        rate = table["rate"].to_numpy(dtype=float, na_value=np.nan)
        shown = ~table["suppressed"].to_numpy(dtype=bool) & ~np.isnan(rate)
        if not shown.any():
            return f"{label}: every group is {HIDDEN}"
        names = self._group_names(table)
        rows = np.flatnonzero(shown)
        low, high = rows[np.argmin(rate[rows])], rows[np.argmax(rate[rows])]
        return (
            f"{label}: from {_percent(rate[low])} ({names[low]}) "
            f"to {_percent(rate[high])} ({names[high]})"
        )

    def _summary(self, table: pd.DataFrame) -> str:
        hidden = int(table["suppressed"].sum())
        groups = len(table)
        return (
            f"<p>{groups} groups, <strong>{hidden} {HIDDEN}</strong>. "
            f"Methods: {html.escape(table.attrs['method'])}.</p>"
        )

    def _notes(self, table: pd.DataFrame) -> list[str]:
        """What to read with the table, in plain words: why groups are hidden (when
        some are), who was left out (a protected total) and the library's notes."""
        notes = []
        if table["suppressed"].any():
            small = table.attrs["min_cell"] - 1
            notes.append(
                f"Some groups are {HIDDEN}: a group in which 1 to {small} people have the "
                f"outcome, or 1 to {small} do not, and sometimes a larger group too, so that "
                "the small one cannot be worked out by subtraction from the totals. The "
                "table does not say which of the hidden groups are small."
            )
        for note in table.attrs.get("notes", []):
            if "complementary suppression" in note:
                continue  # said above, in plainer words
            for column in self.by:
                if note.startswith(f"{column}: "):
                    note = f"{self.groupings[column]}: " + note[len(column) + 2 :]
                    break
            notes.append(note[:1].upper() + note[1:] + ("" if note.endswith(".") else "."))
        return notes

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
            table[self.by].itertuples(index=False),
            table[_ROW_COLUMNS].itertuples(index=False),  # only what a row shows: faster
            strict=True,
        ):
            cells = [f"<td>{html.escape(str(v))}</td>" for v in name_values]
            if row.suppressed:
                # One neutral phrase for the hidden part of the row, small group or not.
                span = 6 if pd.isna(row.n) else 5
                if span == 5:
                    cells.append(f"<td>{int(row.n):,}</td>")
                cells.append(f'<td colspan="{span}"><em>{HIDDEN}</em></td>')
            else:
                n = f"{int(row.n):,}"
                if pd.isna(row.rate):
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
                cells += [f"<td>{c}</td>" for c in (n, events, rate, ci, diff, meaningful)]
            rows.append("<tr>" + "".join(cells) + "</tr>")
        header = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in head)
        notes = "".join(f"<p>{html.escape(note)}</p>" for note in self._notes(table))
        return (
            '<div style="overflow-x:auto"><table class="equitylab-stratify-table">'
            f"<caption>{html.escape(label)}, by "
            f"{html.escape(' and '.join(self.groupings[b] for b in self.by))} "
            "(fictional Riverbend Health data)</caption>"
            f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
            + (f'<div class="equitylab-stratify-notes">{notes}</div>' if notes else "")
        )

    def alt_text(self) -> str:
        """What the current chart shows, in words (used as the image's alt text)."""
        table = self.table
        label = self.measures[self.measure.value]
        parts = []
        rows = table[_ROW_COLUMNS].itertuples(index=False)
        for name, row in zip(self._group_names(table), rows, strict=True):
            if row.suppressed:
                parts.append(f"{name} {HIDDEN}")
            elif not pd.isna(row.rate):
                ref = " (reference)" if row.is_reference else ""
                parts.append(
                    f"{name}{ref} {_percent(row.rate)} "
                    f"({_percent(row.ci_low)} to {_percent(row.ci_high)})"
                )
        return f"Rate chart of {label} with 95% confidence intervals: " + "; ".join(parts) + "."


def stratify_explorer(data, *, measures, groupings, **options) -> StratifyExplorer:
    """A :class:`StratifyExplorer` widget; ``options`` are its keyword arguments.

    It needs a kernel to respond, so it is marked with :func:`needs_kernel`.
    """
    return StratifyExplorer(data, measures=measures, groupings=groupings, **options)
