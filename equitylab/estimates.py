r"""Measures from published estimates: a table the summary measures accept.

Leaders usually have estimates rather than patient rows: a report's screening
percentages by area, admission rates per 100,000 by deprivation decile, life
expectancy by deprivation decile. WHO's Health Equity Assessment Toolkit (HEAT)
and UKHSA's PHEindicatormethods work from such figures: for each group an
estimate, its population and its standard error or confidence interval.
:func:`from_estimates` turns them into the table that the summary measures of
:mod:`equitylab.measures` take, in the same shape as a
:func:`~equitylab.stratify.stratify` table (a ``rate`` column, ``n``, ``suppressed``).

What changes when there are no counts
-------------------------------------
- **The values** are computed as from any table: groups weighted by their share
  of the population, ordered groups ranked at the midpoints of their cumulative
  shares.
- **The intervals.** For a table of counts the measures resample the counts. A
  table of estimates has none, and none are made up: each group's estimate is
  drawn instead from a normal distribution with its standard error, on a scale on
  which it can vary freely (logit for proportions, log for rates, the estimate
  itself for means), and back-transformed, as PHEindicatormethods' ``phe_sii``
  simulates its intervals. From a confidence interval :math:`(L, U)` the standard
  error on that scale is :math:`(g(U) - g(L)) / 2z`, so an asymmetric interval
  keeps its shape; from a standard error on the estimate's own scale it is
  :math:`se / g'(y)` (the delta method). Without either, each measure still gives
  its value and says, in its ``ci_method``, that it has no interval.
- **Pairwise comparisons** (:func:`~equitylab.measures.rate_difference`,
  :func:`~equitylab.measures.rate_ratio`) need counts and refuse a table of
  estimates with an :class:`~equitylab.errors.EquityLabError`.
- **The logistic model** is for proportions; the transformed model for
  proportions and rates; means (life expectancy) take the weighted least-squares
  line (see :func:`~equitylab.measures.slope_index`).

Small numbers
-------------
An estimate and a population imply a count: 4% of 150 people is 6 people. Unless
the figures are declared already published, implied counts (estimate × population,
divided by ``per`` for a rate) above 0 that round to 1–10, the implied number
*without* the outcome for a proportion, and populations of 1–10 are hidden, with
complementary suppression, as :func:`~equitylab.privacy.protect_table` does for
:func:`~equitylab.stratify.stratify`. ``published=True`` says the figures are
public already (a report's own table), and ``attrs["published"]`` records it.
Weights that are not numbers of people (``weight=``, e.g. population shares)
imply no counts, so nothing can be checked, and ``attrs["small_numbers"]`` says
so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import EquityLabError, require_columns
from .intervals import z_value
from .privacy import DEFAULT_MIN_CELL, check_min_cell, protect_table

__all__ = ["KINDS", "from_estimates"]

#: The kinds of indicator :func:`from_estimates` accepts.
KINDS = ("proportion", "rate", "mean")


def _numbers(df: pd.DataFrame, column: str) -> np.ndarray:
    """A column as floats, NaN where blank; text that is not a number is an error."""
    original = df[column]
    values = pd.to_numeric(original, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(values) & original.notna().to_numpy()
    if bad.any():
        shown = ", ".join(repr(v) for v in pd.unique(original[bad])[:5])
        raise EquityLabError(
            f"column {column!r} must hold numbers; it also holds {shown} (if these mark "
            "figures the source did not publish, make them blank: they are then left out)"
        )
    if np.isinf(values).any():
        raise EquityLabError(f"column {column!r} must hold finite numbers")
    return values


def _labels(df: pd.DataFrame, by: list[str], rows: np.ndarray) -> str:
    return ", ".join(" / ".join(map(str, r)) for r in df.loc[rows, by].itertuples(index=False))


def from_estimates(
    df: pd.DataFrame,
    group,
    estimate: str,
    *,
    kind: str,
    population: str | None = None,
    weight: str | None = None,
    per: float | None = None,
    se: str | None = None,
    lower: str | None = None,
    upper: str | None = None,
    level: float = 0.95,
    higher_is_better: bool | None = None,
    published: bool = False,
    min_cell: int = DEFAULT_MIN_CELL,
) -> pd.DataFrame:
    """A measures-ready table from published estimates, one row per group.

    Parameters
    ----------
    df:
        One row per group (a pandas DataFrame).
    group:
        The column naming the groups (or a list of columns for an intersection).
    estimate:
        The column of estimates: proportions (``kind="proportion"``; between 0 and 1,
        or percentages with ``per=100``), rates (``kind="rate"``, per ``per``, e.g.
        admissions per 100,000) or means (``kind="mean"``, e.g. life expectancy in
        years), zero or more. A blank estimate leaves its group out of the measures.
    kind:
        ``"proportion"``, ``"rate"`` or ``"mean"``.
    population:
        The column of each group's number of people (person-years for a rate): the
        weights of the measures, and with the estimates the implied counts that
        small-number protection checks.
    weight:
        Instead of ``population``: any positive weight proportional to the
        population (e.g. population shares). Weights imply no counts, so small
        numbers cannot be checked.
    per:
        For rates, what they are per (e.g. ``1000``; required). For proportions, 100
        when the estimates are percentages (they are divided by 100); default 1. Not
        for means.
    se:
        The column of standard errors, on the scale of the estimates.
    lower, upper:
        The columns of confidence limits at ``level`` (both, or neither). When given,
        the intervals of the measures use them rather than ``se``.
    level:
        The confidence level of ``lower`` and ``upper`` (default 0.95).
    higher_is_better:
        True for a favourable indicator (screening, life expectancy), False for an
        adverse one (admissions); may also be given to each measure.
    published:
        ``True`` declares the figures already published, so implied counts of 1–10
        are shown (recorded in ``attrs``). Default ``False``: they are hidden.
    min_cell:
        Smallest non-zero implied count shown (default 11). ``0`` switches the check
        off.

    Returns
    -------
    pandas.DataFrame
        The ``group`` column(s), ``n`` (population or weight), ``rate`` (the estimate;
        proportions as 0–1), ``se``, ``ci_low`` and ``ci_high`` (blank where not
        given), and ``suppressed``, with every hidden value blank. ``attrs``:
        ``from_estimates`` (True), ``by``, ``kind``, ``per`` (rates only),
        ``level``, ``higher_is_better``, ``uncertainty`` (``"interval"``, ``"se"`` or
        ``"none"``), ``weighted_by`` (``"population"`` or ``"weight"``),
        ``published``, ``small_numbers`` (what was checked), ``min_cell``,
        ``method`` and ``notes``.

    Raises
    ------
    EquityLabError
        For a missing column, an unknown ``kind``, a missing, zero or negative
        population, an estimate out of range (a proportion above 1, a negative
        value), a missing or negative standard error, limits that do not contain
        the estimate, a repeated group, or bad options.

    Examples
    --------
    >>> import pandas as pd
    >>> report = pd.DataFrame({"decile": [1, 2, 3], "le": [76.1, 79.0, 82.4],
    ...                        "people": [7291, 7997, 6105], "se": [1.6, 1.6, 1.5]})
    >>> table = from_estimates(report, "decile", "le", population="people", kind="mean",
    ...                        se="se", higher_is_better=True)
    >>> table.attrs["uncertainty"], table.attrs["weighted_by"]
    ('se', 'population')
    >>> from equitylab.measures import slope_index
    >>> round(slope_index(table, order=[1, 2, 3]).value, 2)  # years, most to least deprived
    9.12
    """
    from .stratify import _normalise_by

    if not isinstance(df, pd.DataFrame):
        raise EquityLabError(
            f"from_estimates needs a pandas DataFrame of estimates, got {type(df).__name__}"
        )
    by = _normalise_by(group)
    if kind not in KINDS:
        raise EquityLabError(f"kind must be one of {', '.join(map(repr, KINDS))}; got {kind!r}")
    if (population is None) == (weight is None):
        raise EquityLabError(
            "give population= (the number of people in each group) or weight= (a weight "
            "proportional to it), one of the two"
        )
    if (lower is None) != (upper is None):
        raise EquityLabError("give both lower= and upper= (the confidence limits), or neither")
    size_column = population if population is not None else weight
    optional = [c for c in (se, lower, upper) if c is not None]
    require_columns(df.columns, [*by, estimate, size_column, *optional])
    z_value(level)
    if not isinstance(published, bool):
        raise EquityLabError(f"published must be True or False, got {published!r}")
    if higher_is_better is not None and not isinstance(higher_is_better, bool):
        raise EquityLabError(
            f"higher_is_better must be True, False or None, got {higher_is_better!r}"
        )
    min_cell = check_min_cell(min_cell)
    if kind == "mean" and per is not None:
        raise EquityLabError("per is for rates and proportions; a mean has no per")
    if kind == "rate" and per is None:
        raise EquityLabError("say what the rates are per: per=1000 for a rate per 1,000, etc.")
    if per is not None and (isinstance(per, bool) or not isinstance(per, (int, float)) or per <= 0):
        raise EquityLabError(f"per must be a positive number (e.g. 100 or 1000), got {per!r}")
    if len(df) == 0:
        raise EquityLabError("the table of estimates has no rows")
    frame = df.reset_index(drop=True)
    if frame[by].isna().any().any():
        raise EquityLabError(
            f"column(s) {', '.join(map(repr, by))} have a blank group label; name every group "
            "(a group whose value is not known can be called 'Unknown': the measures leave it out)"
        )
    labels = frame[by].astype(str).agg(" / ".join, axis=1)
    if labels.duplicated().any():
        repeated = ", ".join(pd.unique(labels[labels.duplicated()]))
        raise EquityLabError(f"each group must have one row; repeated: {repeated}")

    scale = float(per) if kind == "proportion" and per is not None else 1.0
    y = _numbers(frame, estimate) / scale
    size = _numbers(frame, size_column)
    if np.isnan(size).any() or (size <= 0).any():
        rows = np.isnan(size) | (size <= 0)
        what = "population" if population is not None else "weight"
        raise EquityLabError(
            f"column {size_column!r} must give every group a {what} above zero; it does not "
            f"for: {_labels(frame, by, rows)}"
        )
    shown = ~np.isnan(y)
    if (y[shown] < 0).any():
        raise EquityLabError(
            f"column {estimate!r} must hold estimates of zero or more; negative for: "
            f"{_labels(frame, by, shown & (y < 0))}"
        )
    if kind == "proportion" and (y[shown] > 1).any():
        hint = " (percentages? pass per=100)" if scale == 1 else ""
        raise EquityLabError(
            f"column {estimate!r} holds proportions above 1 for: "
            f"{_labels(frame, by, shown & (y > 1))}{hint}"
        )

    def uncertainty(column: str | None, what: str) -> np.ndarray:
        if column is None:
            return np.full(len(frame), np.nan)
        values = _numbers(frame, column) / scale
        missing = shown & np.isnan(values)
        if missing.any():
            raise EquityLabError(
                f"column {column!r} has no {what} for: {_labels(frame, by, missing)}; give one "
                "for every group with an estimate, or leave the column out"
            )
        if (values[shown] < 0).any():
            raise EquityLabError(f"column {column!r} must hold {what}s of zero or more")
        return values

    standard_error = uncertainty(se, "standard error")
    low, high = uncertainty(lower, "lower limit"), uncertainty(upper, "upper limit")
    if lower is not None:
        tolerance = 1e-9 * np.maximum(1.0, np.abs(y))
        outside = shown & ((low > y + tolerance) | (high < y - tolerance))
        if outside.any():
            raise EquityLabError(
                f"the limits in {lower!r} and {upper!r} must contain the estimate; they do not "
                f"for: {_labels(frame, by, outside)}"
            )
        if kind == "proportion" and (high[shown] > 1).any():
            raise EquityLabError(f"column {upper!r} holds proportions above 1")
    source = "interval" if lower is not None else "se" if se is not None else "none"

    notes = []
    if (~shown).any():
        notes.append(f"no estimate given for: {_labels(frame, by, ~shown)}")
    if scale != 1:
        notes.append(f"estimates given per {scale:g}, shown as proportions (divided by {scale:g})")
    if weight is not None:
        checked = "not checked: weights given instead of numbers of people imply no counts"
    elif published:
        checked = "not checked: the figures were declared already published (published=True)"
    elif min_cell == 0:
        checked = "not checked: small-number protection switched off (min_cell=0)"
    else:
        checked = (
            f"implied counts (estimate x population{' / per' if kind == 'rate' else ''}) and "
            f"populations of 1 to {min_cell - 1} hidden, with complementary suppression"
        )
    hide_n = np.zeros(len(frame), dtype=bool)
    hide_outcome = hide_n.copy()
    if population is not None and not published and min_cell:
        people = np.round(size).astype(np.int64)
        if kind == "mean":
            implied = np.zeros(len(frame))
        else:
            implied = np.where(shown, y * size / (float(per) if kind == "rate" else 1.0), 0.0)
        # Any count above 0 is at least one person: a tiny implied count is not a zero.
        counts = np.where(implied > 0, np.maximum(np.round(implied), 1), 0).astype(np.int64)
        counts = np.minimum(counts, people) if kind == "proportion" else counts
        hide_n, hide_outcome = protect_table(
            frame[by].astype(str), people, counts, min_cell, bounded=kind == "proportion"
        )
        hide_outcome = hide_outcome | hide_n

    table = frame[by].copy()
    table["n"] = np.where(hide_n, np.nan, size)
    table["rate"] = np.where(hide_outcome, np.nan, y)
    table["se"] = np.where(hide_outcome, np.nan, standard_error)
    table["ci_low"] = np.where(hide_outcome, np.nan, low)
    table["ci_high"] = np.where(hide_outcome, np.nan, high)
    table["suppressed"] = hide_outcome
    described = {
        "proportion": "proportions",
        "rate": f"rates per {per:,g}" if per else "rates",
        "mean": "means",
    }[kind]
    table.attrs.update(
        from_estimates=True,
        by=list(by),
        outcome=estimate,
        kind=kind,
        per=float(per) if kind == "rate" else None,
        level=level,
        higher_is_better=higher_is_better,
        uncertainty=source,
        weighted_by="population" if population is not None else "weight",
        published=published,
        small_numbers=checked,
        min_cell=min_cell,
        method=(
            f"published estimates ({described}), groups weighted by their "
            f"{'population' if population is not None else 'weight'}; uncertainty from "
            + {
                "interval": f"the {level:.0%} confidence limits given",
                "se": "the standard errors given",
                "none": "nothing given (the measures have no intervals)",
            }[source]
            + f"; small numbers: {checked}"
        ),
        notes=notes,
    )
    return table
