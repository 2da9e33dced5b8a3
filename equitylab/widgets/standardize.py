"""The standardization explorer: crude and age-adjusted gaps side by side."""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from ..errors import EquityLabError
from ..standardize import STANDARDS, age_standardize
from ._base import needs_kernel

__all__ = ["STANDARD_LABELS", "StandardizeExplorer", "standardize_explorer"]

#: The standard populations offered: (label shown, name in
#: :data:`~equitylab.standardize.STANDARDS`).
STANDARD_LABELS: tuple[tuple[str, str], ...] = (
    ("US 2000 standard population", "us2000"),
    ("2013 European Standard Population", "esp2013"),
)


class StandardizeExplorer(widgets.VBox):
    """Compare two groups' crude and age-standardized rates, for a standard you choose.

    Three drop-downs choose the ``group``, the ``reference`` group it is compared
    with, and the ``standard`` population. ``result`` (an HTML table) shows both
    groups' crude and adjusted rates and the gap on each scale (difference in
    percentage points and ratio); ``table`` holds the same numbers as a
    DataFrame (rows ``crude`` and ``adjusted``). The rates come from
    :func:`~equitylab.standardize.age_standardize`, computed once per standard.

    Parameters
    ----------
    df:
        Patient-level data with the ``by``, ``outcome`` and ``age`` columns.
    by, outcome, age:
        Column names: the grouping, the yes/no outcome and the age in years.
    group, reference:
        The groups selected at first.
    groups:
        The groups offered (default: every group with a standardized rate).
    outcome_label:
        How the outcome is described in the table, e.g. ``"diagnosed diabetes"``.
    ages:
        The ages to standardize over, passed to
        :func:`~equitylab.standardize.age_standardize` (e.g. ``(18, 100)`` for adult
        patients; ``None``, the default, needs data that cover the whole standard).
    """

    def __init__(
        self,
        df: pd.DataFrame,
        by: str,
        outcome: str,
        age: str,
        *,
        group: str,
        reference: str,
        groups: list[str] | None = None,
        outcome_label: str | None = None,
        ages: tuple[float, float | None] | None = None,
    ) -> None:
        self._df, self._by, self._outcome, self._age = df, by, outcome, age
        self._ages = ages
        self.outcome_label = outcome_label or outcome
        self._tables: dict[str, pd.DataFrame] = {}
        first = self._standardized(STANDARD_LABELS[0][1])
        usable = first.loc[first["adjusted_rate"].notna(), by].astype(str).tolist()
        options = list(groups) if groups is not None else usable
        for name in (*options, group, reference):
            if name not in usable:
                raise EquityLabError(
                    f"group {name!r} has no standardized rate; groups: {', '.join(usable)}"
                )

        def dropdown(description: str, options: list, value: str) -> widgets.Dropdown:
            return widgets.Dropdown(
                options=options,
                value=value,
                description=description,
                style={"description_width": "initial"},
                layout=widgets.Layout(width="min(100%, 32rem)"),
            )

        self.group = dropdown("Group", options, group)
        self.reference = dropdown("Compared with", options, reference)
        self.standard = dropdown(
            "Standard population", list(STANDARD_LABELS), STANDARD_LABELS[0][1]
        )
        self.result = widgets.HTML()
        self.table = pd.DataFrame()
        super().__init__([self.group, self.reference, self.standard, self.result])
        for control in (self.group, self.reference, self.standard):
            control.observe(self._update, names="value")
        self._update()
        needs_kernel(self)

    def _standardized(self, standard: str) -> pd.DataFrame:
        if standard not in STANDARDS:  # pragma: no cover - the drop-down offers known ones
            raise EquityLabError(f"unknown standard {standard!r}")
        if standard not in self._tables:
            table = age_standardize(
                self._df, self._by, self._outcome, self._age, standard=standard, ages=self._ages
            )
            table[self._by] = table[self._by].astype(str)
            self._tables[standard] = table
        return self._tables[standard]

    def _update(self, change: dict | None = None) -> None:
        rates = self._standardized(self.standard.value).set_index(self._by)
        group, reference = self.group.value, self.reference.value
        rows = {}
        for kind in ("crude", "adjusted"):
            a = float(rates.loc[group, f"{kind}_rate"])
            b = float(rates.loc[reference, f"{kind}_rate"])
            rows[kind] = {
                "group_rate": a,
                "reference_rate": b,
                "difference": a - b,
                "ratio": a / b if b else float("nan"),
            }
        self.table = pd.DataFrame.from_dict(rows, orient="index")
        crude, adjusted = self.table.loc["crude"], self.table.loc["adjusted"]
        flipped = crude["difference"] * adjusted["difference"] < 0
        label = dict((v, k) for k, v in STANDARD_LABELS)[self.standard.value]
        g, r = html.escape(group), html.escape(reference)
        body = "".join(
            f"<tr><th scope='row'>{kind.capitalize()}</th>"
            f"<td>{row.group_rate:.1f}%</td><td>{row.reference_rate:.1f}%</td>"
            f"<td>{row.difference:+.1f}</td><td>{row.ratio:.2f}</td></tr>"
            for kind, row in self.table.iterrows()
        )
        verdict = (
            "The gap changes direction once ages are made comparable."
            if flipped
            else "The gap keeps its direction once ages are made comparable."
        )
        self.result.value = (
            f"<table class='equitylab-standardize'><caption>{html.escape(self.outcome_label)}"
            f": {g} compared with {r} ({html.escape(label)})</caption>"
            f"<thead><tr><th scope='col'>Rate</th><th scope='col'>{g}</th>"
            f"<th scope='col'>{r}</th><th scope='col'>Difference (points)</th>"
            f"<th scope='col'>Ratio</th></tr></thead><tbody>{body}</tbody></table>"
            f"<p>{verdict}</p>"
        )


def standardize_explorer(df: pd.DataFrame, by: str, outcome: str, age: str, **options):
    """A :class:`StandardizeExplorer`; ``options`` are its keyword arguments.

    It needs a kernel to respond, so it is marked with :func:`needs_kernel`.
    """
    return StandardizeExplorer(df, by, outcome, age, **options)
