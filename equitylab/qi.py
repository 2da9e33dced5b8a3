r"""Quality-improvement statistics: run charts, p-charts and equity gaps over time.

An improvement team plots its measure every week or month and asks one question:
*has something changed, or is this the usual noise?* This module answers it with the
rules the improvement literature uses, and applies them **group by group**, so that a
team can see whether a change reached every group of patients or widened a gap.

Run charts (:func:`run_chart_rules`)
------------------------------------
A run chart is the series in time order with its median as the centre line. Perla,
Provost and Murray (2011) give four rules for a *non-random* signal, each with a false
alarm risk of about 5% or less when nothing has changed:

1. **Shift**: six or more consecutive points all above, or all below, the median.
   Points *on* the median neither add to nor break a shift: they are skipped.
2. **Trend**: five or more consecutive points all going up, or all going down. The
   count is of *points*, not of steps (five points make four rises). When two or more
   successive points have the same value, only one of them is counted: like values
   neither add to nor break a trend.
3. **Too few or too many runs**: a *run* is a series of consecutive points on the same
   side of the median (points on the median are ignored, and do not end a run). Fewer
   runs than the lower limit of :func:`runs_limits`, or more than its upper limit,
   signals a non-random pattern.
4. **Astronomical data point**: a point obviously different from all the others. No
   rule detects it: it is a judgement that everyone looking at the chart would share,
   so the caller names such points (``astronomical=``) and they are reported.

p-charts (:func:`p_chart_limits`)
---------------------------------
A Shewhart chart for a proportion (Montgomery, *Introduction to Statistical Quality
Control*, chapter on control charts for attributes; Provost & Murray 2011): centre line
:math:`\bar p = \sum_i x_i / \sum_i n_i` and, for subgroup :math:`i`,

.. math:: \bar p \pm k\,\sigma_i, \qquad \sigma_i = \sqrt{\bar p(1-\bar p)/n_i},

with :math:`k = 3` by convention, truncated to :math:`[0, 1]`. A point outside the
limits is a special-cause signal.

Equity over time (:func:`stratified_run_chart`, :func:`gap_over_time`)
-----------------------------------------------------------------------
The same rules, one group at a time, from a long table (period, group, events, total),
with small-cell protection: no point shows a count of 1 to ``min_cell - 1`` (by
default 1–10) of patients with or without the outcome, nor a rate from which one could
be worked out with the total shown. Such points are hidden, left out of the rules and
listed in ``attrs["notes"]``. Periods missing from the table are listed too — never
silently dropped.

References
----------
- Perla RJ, Provost LP, Murray SK. The run chart: a simple analytical tool for
  learning from variation in healthcare processes. *BMJ Qual Saf* 2011;20:46–51.
  doi:10.1136/bmjqs.2009.037895 (Table 1: limits for the number of runs).
- Provost LP, Murray SK. *The Health Care Data Guide: Learning from Data for
  Improvement*. San Francisco: Jossey-Bass; 2011.
- Swed FS, Eisenhart C. Tables for testing randomness of grouping in a sequence of
  alternatives. *Ann Math Stat* 1943;14:66–87.
- Montgomery DC. *Introduction to Statistical Quality Control*. Wiley (the p-chart;
  the orange-juice cans, Example 7.1 in recent editions, are the test case).
- Newcombe RG. Interval estimation for the difference between independent
  proportions. *Stat Med* 1998;17:873–890.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from numbers import Integral

import numpy as np
import pandas as pd

from .errors import EquityLabError, require_columns
from .intervals import newcombe_difference, z_value
from .privacy import DEFAULT_MIN_CELL, check_min_cell, is_small

__all__ = [
    "PERLA_TABLE_1",
    "RUNS_TABLE_RANGE",
    "RunChartSignals",
    "gap_over_time",
    "p_chart_limits",
    "run_chart_rules",
    "runs_distribution",
    "runs_limits",
    "stratified_run_chart",
]

#: The numbers of useful observations that Perla et al. (2011), Table 1, tabulates.
RUNS_TABLE_RANGE = (10, 60)

#: The runs limits printed in Table 1 of Perla, Provost and Murray (2011), as a
#: mapping from the number of useful observations to (lower limit, upper limit).
#: Fewer runs than the lower limit are "too few", more than the upper limit "too many".
PERLA_TABLE_1: dict[int, tuple[int, int]] = {
    10: (3, 9), 11: (3, 10), 12: (3, 11), 13: (4, 11), 14: (4, 12), 15: (5, 12),
    16: (5, 13), 17: (5, 13), 18: (6, 14), 19: (6, 15), 20: (6, 16), 21: (7, 16),
    22: (7, 17), 23: (7, 17), 24: (8, 18), 25: (8, 18), 26: (9, 19), 27: (10, 19),
    28: (10, 20), 29: (10, 20), 30: (11, 21), 31: (11, 22), 32: (11, 23), 33: (12, 23),
    34: (12, 24), 35: (12, 24), 36: (13, 25), 37: (13, 25), 38: (14, 26), 39: (14, 26),
    40: (15, 27), 41: (15, 27), 42: (16, 28), 43: (16, 28), 44: (17, 29), 45: (17, 30),
    46: (17, 31), 47: (18, 31), 48: (18, 32), 49: (19, 32), 50: (19, 33), 51: (20, 33),
    52: (20, 34), 53: (21, 34), 54: (21, 35), 55: (22, 35), 56: (22, 35), 57: (23, 36),
    58: (23, 37), 59: (24, 38), 60: (24, 38),
}  # fmt: skip

#: The one-tailed level of each runs limit (Swed & Eisenhart's 5% critical values).
_RUNS_ALPHA = 0.05  # documentation; _limits uses 20 * ways <= total


# --------------------------------------------------------------------------- runs


def runs_distribution(n_above: int, n_below: int) -> dict[int, float]:
    r"""Exact distribution of the number of runs when points fall at random.

    With :math:`n_1` points above and :math:`n_2` below the centre line, in random
    order, the number of runs :math:`R` has (Swed & Eisenhart 1943)

    .. math::

        P(R = 2k) = \frac{2\binom{n_1-1}{k-1}\binom{n_2-1}{k-1}}{\binom{n_1+n_2}{n_1}},
        \qquad
        P(R = 2k+1) = \frac{\binom{n_1-1}{k}\binom{n_2-1}{k-1}
                      + \binom{n_1-1}{k-1}\binom{n_2-1}{k}}{\binom{n_1+n_2}{n_1}}.

    Parameters
    ----------
    n_above, n_below:
        Numbers of points above and below the centre line (whole numbers, at least 1).

    Returns
    -------
    dict
        ``{number of runs: probability}`` for every possible number of runs.
    """
    for name, value in (("n_above", n_above), ("n_below", n_below)):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
            raise EquityLabError(f"{name} must be a whole number, 1 or more, got {value!r}")
    return dict(_runs_pmf(int(n_above), int(n_below)))


@lru_cache(maxsize=256)
def _runs_ways(n1: int, n2: int) -> tuple[int, tuple[tuple[int, int], ...]]:
    """The number of arrangements, and of arrangements with each number of runs."""
    total = math.comb(n1 + n2, n1)
    out = []
    for r in range(2, n1 + n2 + 1):
        k = r // 2
        if r % 2 == 0:
            ways = 2 * math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k - 1)
        else:
            ways = math.comb(n1 - 1, k) * math.comb(n2 - 1, k - 1) + math.comb(
                n1 - 1, k - 1
            ) * math.comb(n2 - 1, k)
        if ways:
            out.append((r, ways))
    return total, tuple(out)


def _runs_pmf(n1: int, n2: int) -> tuple[tuple[int, float], ...]:
    total, ways = _runs_ways(n1, n2)
    return tuple((r, w / total) for r, w in ways)


def runs_limits(n_useful: int, *, source: str = "exact") -> tuple[int, int]:
    """The fewest and the most runs expected by chance among ``n_useful`` points.

    A run chart has *too few runs* when its number of runs is **below** the first value
    and *too many* when it is **above** the second (the reading of Perla, Provost &
    Murray 2011, Table 1).

    The limits are computed from the exact distribution of the number of runs
    (:func:`runs_distribution`; Swed & Eisenhart 1943), assuming, as the table does, an
    even split of the useful points around the median (``n // 2`` on one side, the rest
    on the other). Each limit is Swed and Eisenhart's one-tailed 5% critical value:

    - lower limit: the largest ``r`` with ``P(R <= r) <= 0.05``;
    - upper limit: the smallest ``r`` with ``P(R >= r) <= 0.05``.

    So a run count *beyond* a limit has a chance below 5% (usually well below) when
    only chance is at work.

    **Agreement with the published table.** Perla et al. tabulate 10 to 60 useful
    observations ("adapted from Swed and Eisenhart"). The values computed here equal the
    table for every even number of points except 56, where the table's upper limit (35,
    the same as for 55) looks like a misprint: the rule gives 36, which continues the
    table's own pattern. For odd numbers of points the published values seem to have
    been adapted from the neighbouring even rows and follow no single rule; there the
    computed values agree in 11 of 25 rows and otherwise differ by one run in one or
    both limits. The test suite compares every row. ``source="table"`` returns the
    published values instead (10 to 60 points only), for checking a chart by hand
    against the article.

    Beyond 60 points the same rule is applied (the table stops there).

    Parameters
    ----------
    n_useful:
        Useful observations: points not on the median. At least 10.
    source:
        ``"exact"`` (default): computed as above. ``"table"``: Perla et al. (2011),
        Table 1, as printed (10 to 60 points).

    Returns
    -------
    tuple of int
        ``(lower, upper)``.

    Raises
    ------
    EquityLabError
        If ``n_useful`` is not a whole number or is below 10. With fewer than ten
        points the rule has almost no power (around their own median, all points on
        one side cannot happen), which is why the table starts at 10.
    """
    if isinstance(n_useful, bool) or not isinstance(n_useful, Integral):
        raise EquityLabError(f"n_useful must be a whole number, got {n_useful!r}")
    if source not in ("exact", "table"):
        raise EquityLabError(f"source must be 'exact' or 'table', got {source!r}")
    low_end, high_end = RUNS_TABLE_RANGE
    if source == "table" and n_useful > high_end:
        raise EquityLabError(
            f"Perla et al. (2011), Table 1, stops at {high_end} useful observations, got "
            f"{n_useful}; use source='exact' (the same rule, computed)"
        )
    if n_useful < low_end:
        raise EquityLabError(
            f"the runs rule needs at least {low_end} useful observations (points not on "
            f"the median), got {n_useful}: with fewer points it can hardly ever signal, "
            "which is why Perla et al. (2011) tabulate it from 10. Use the shift and "
            "trend rules, or wait for more data"
        )
    if source == "table":
        return PERLA_TABLE_1[int(n_useful)]
    return _limits(int(n_useful))


@lru_cache(maxsize=512)
def _limits(n: int) -> tuple[int, int]:
    total, ways = _runs_ways(n // 2, n - n // 2)
    # whole-number arithmetic: P <= 0.05 exactly when 20 * ways <= total
    cumulative, lower = 0, 1
    for r, w in ways:
        cumulative += w
        if 20 * cumulative <= total:
            lower = r
    tail, upper = 0, n + 1
    for r, w in reversed(ways):
        tail += w
        if 20 * tail <= total:
            upper = r
    return lower, upper


# ------------------------------------------------------------------- run charts


@dataclass(frozen=True)
class RunChartSignals:
    """What the run-chart rules found in one series (see :func:`run_chart_rules`).

    Positions count from 0, as in Python (``values[0]`` is the first point); start and
    end positions are inclusive.

    Attributes
    ----------
    median:
        The centre line.
    n_points:
        Number of points judged by the rules.
    n_useful:
        Points not on the centre line.
    runs:
        Number of runs (series of consecutive useful points on one side).
    runs_expected:
        ``(lower, upper)`` from :func:`runs_limits`, or ``None`` when the runs rule
        does not apply (fewer than 10 useful points, or a centre line that is not the
        median of the judged points).
    shifts:
        ``(start, end)`` of each run of at least ``shift_length`` useful points on one
        side of the centre line.
    trends:
        ``(start, end)`` of each series of at least ``trend_length`` points all going
        up or all going down (like values counted once).
    too_few_runs, too_many_runs:
        The runs rule's verdict.
    astronomical:
        Positions the caller judged astronomical.
    values:
        The series (as floats).
    labels:
        Optional names of the positions (e.g. months), used in :attr:`signals`.
    shift_directions, trend_directions:
        ``"above"``/``"below"`` and ``"up"``/``"down"``, one per shift and trend.
    first_judged:
        Position of the first judged point (``baseline`` points before it only set the
        centre line).
    notes:
        Plain-language remarks on how the rules were applied.
    """

    median: float
    n_points: int
    n_useful: int
    runs: int
    runs_expected: tuple[int, int] | None
    shifts: tuple[tuple[int, int], ...]
    trends: tuple[tuple[int, int], ...]
    too_few_runs: bool
    too_many_runs: bool
    astronomical: tuple[int, ...]
    values: tuple[float, ...] = ()
    labels: tuple[str, ...] | None = None
    shift_directions: tuple[str, ...] = ()
    trend_directions: tuple[str, ...] = ()
    first_judged: int = 0
    notes: tuple[str, ...] = ()

    def _where(self, start: int, end: int) -> str:
        if self.labels is not None:
            if start == end:
                return str(self.labels[start])
            return f"{self.labels[start]} to {self.labels[end]}"
        return f"position {start}" if start == end else f"positions {start}–{end}"

    def _count_useful(self, start: int, end: int) -> int:
        return sum(1 for v in self.values[start : end + 1] if v != self.median)

    def _count_trend(self, start: int, end: int) -> int:
        segment = self.values[start : end + 1]
        return 1 + sum(1 for a, b in pairwise(segment) if b != a)

    @property
    def signals(self) -> list[str]:
        """Each signal in plain language, e.g.
        ``"shift: 8 points above the median, positions 18–25"``.

        Empty when nothing was found.
        """
        out = []
        for (start, end), side in zip(self.shifts, self.shift_directions, strict=True):
            n = self._count_useful(start, end)
            out.append(f"shift: {n} points {side} the median, {self._where(start, end)}")
        for (start, end), way in zip(self.trends, self.trend_directions, strict=True):
            n = self._count_trend(start, end)
            out.append(f"trend: {n} points all going {way}, {self._where(start, end)}")
        if self.too_few_runs and self.runs_expected is not None:
            out.append(
                f"too few runs: {self.runs} runs, where at least {self.runs_expected[0]} "
                f"are expected by chance for {self.n_useful} useful points"
            )
        if self.too_many_runs and self.runs_expected is not None:
            out.append(
                f"too many runs: {self.runs} runs, where at most {self.runs_expected[1]} "
                f"are expected by chance for {self.n_useful} useful points"
            )
        for position in self.astronomical:
            out.append(
                f"astronomical point (judged by the analyst): {self._where(position, position)}"
            )
        return out

    @property
    def any_signal(self) -> bool:
        """True when at least one rule signals a non-random pattern."""
        return bool(self.signals)


def _as_series(values, name: str = "values") -> np.ndarray:
    """A 1-D float array; names non-numeric and missing positions instead of dropping."""
    if isinstance(values, (str, bytes)) or np.ndim(values) == 0:
        raise EquityLabError(f"{name} must be a sequence of numbers, got {values!r}")
    series = pd.Series(list(values) if not isinstance(values, pd.Series) else values.array)
    numbers = pd.to_numeric(series, errors="coerce")
    bad = [
        i for i in range(len(series)) if pd.isna(numbers.iloc[i]) and not pd.isna(series.iloc[i])
    ]
    if bad:
        shown = ", ".join(f"{i} ({series.iloc[i]!r})" for i in bad[:10])
        raise EquityLabError(f"{name} must be numbers; not a number at position(s) {shown}")
    array = numbers.to_numpy(dtype=float)
    missing = np.flatnonzero(~np.isfinite(array))
    if missing.size:
        raise EquityLabError(
            f"{name} has missing or infinite values at position(s) "
            f"{', '.join(map(str, missing[:20].tolist()))}; equitylab never drops points "
            "silently: fill them in, or remove them explicitly and say so"
        )
    return array


def _check_length(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 2:
        raise EquityLabError(f"{name} must be a whole number, 2 or more, got {value!r}")
    return int(value)


def _sides(values: np.ndarray, centre: float) -> np.ndarray:
    return np.sign(values - centre).astype(int)  # +1 above, -1 below, 0 on the line


def _shifts(sides: np.ndarray, offset: int, length: int):
    """Runs of at least ``length`` useful points on one side (points on the line skipped)."""
    useful = np.flatnonzero(sides != 0)
    found, directions = [], []
    start = 0
    for i in range(1, len(useful) + 1):
        if i == len(useful) or sides[useful[i]] != sides[useful[start]]:
            if i - start >= length:
                found.append((int(useful[start]) + offset, int(useful[i - 1]) + offset))
                directions.append("above" if sides[useful[start]] > 0 else "below")
            start = i
    return found, directions


def _trends(values: np.ndarray, offset: int, length: int):
    """Series of at least ``length`` points all going up or all going down.

    Successive equal values form a block counted once. A trend spans from the last point
    of its first block to the first point of its last block (the points between which
    the values move), ties inside it included.
    """
    if len(values) == 0:
        return [], []
    # blocks of equal successive values: (first position, last position, value)
    blocks = []
    for i, v in enumerate(values):
        if blocks and v == blocks[-1][2]:
            blocks[-1][1] = i
        else:
            blocks.append([i, i, v])
    steps = [np.sign(b[2] - a[2]) for a, b in pairwise(blocks)]
    found, directions = [], []
    start = 0  # index into steps
    for i in range(1, len(steps) + 1):
        if i == len(steps) or steps[i] != steps[start]:
            points = i - start + 1  # blocks in this monotone stretch
            if points >= length:
                first, last = blocks[start][1], blocks[i][0]
                found.append((int(first) + offset, int(last) + offset))
                directions.append("up" if steps[start] > 0 else "down")
            start = i
    return found, directions


def run_chart_rules(
    values,
    *,
    median: float | None = None,
    baseline: int | None = None,
    shift_length: int = 6,
    trend_length: int = 5,
    astronomical: Sequence[int] = (),
    labels: Sequence[object] | None = None,
) -> RunChartSignals:
    """Apply the run-chart rules of Perla, Provost & Murray (2011) to one series.

    Parameters
    ----------
    values:
        The measure in time order (numbers; no missing values — their positions are
        named in the error).
    median:
        A centre line to use instead of the median of the series, e.g. a baseline
        median computed earlier.
    baseline:
        Use the median of the first ``baseline`` points as the centre line. The rules
        then judge only the *later* points against it (the baseline points set the line
        and are not judged) — common practice when a team freezes its baseline median
        and extends it to see whether a change has moved the process (Provost & Murray
        2011). Positions are still counted from the first point of ``values``.
    shift_length:
        Fewest consecutive useful points on one side that make a shift (6).
    trend_length:
        Fewest consecutive points going one way that make a trend (5; points, not
        steps: five points make four rises).
    astronomical:
        Positions the analyst judges obviously different from the rest. A run chart has
        no rule for them (Perla et al.: everyone looking at the chart would agree), so
        they are passed in and reported, never detected.
    labels:
        Names of the positions (e.g. months) used in the plain-language signals.

    Returns
    -------
    RunChartSignals

    Notes
    -----
    **Shift**: points on the centre line are skipped — they neither add to nor break a
    shift; its span runs from its first to its last useful point. **Trend**: successive
    equal values count as one point and neither add to nor break a trend. **Runs**: the
    number of runs is the number of side changes among useful points, plus one; it is
    judged against :func:`runs_limits` only when there are at least 10 useful points and
    the centre line is the median of the judged points (the limits assume an even
    split); otherwise ``runs_expected`` is ``None``, with a note.

    Raises
    ------
    EquityLabError
        For non-numeric or missing values, bad options, or fewer points than the
        shortest rule needs.
    """
    array = _as_series(values)
    shift_length = _check_length(shift_length, "shift_length")
    trend_length = _check_length(trend_length, "trend_length")
    notes = []
    if median is not None and baseline is not None:
        raise EquityLabError("give either median= or baseline=, not both")
    first = 0
    if baseline is not None:
        if isinstance(baseline, bool) or not isinstance(baseline, Integral) or baseline < 1:
            raise EquityLabError(f"baseline must be a whole number of points, got {baseline!r}")
        if baseline >= len(array):
            raise EquityLabError(
                f"baseline={baseline} leaves no later points to judge ({len(array)} points)"
            )
        centre = float(np.median(array[:baseline]))
        first = int(baseline)
        notes.append(
            f"centre line: median of the first {baseline} points (baseline); the rules "
            "judge the later points"
        )
    elif median is not None:
        try:
            centre = float(median)
        except (TypeError, ValueError):
            raise EquityLabError(f"median must be a number, got {median!r}") from None
        if not math.isfinite(centre):
            raise EquityLabError(f"median must be a finite number, got {median!r}")
    else:
        centre = float(np.median(array)) if len(array) else float("nan")
    judged = array[first:]
    needed = min(shift_length, trend_length)
    if len(judged) < needed:
        raise EquityLabError(
            f"too few points to judge: {len(judged)}, while the shortest rule needs "
            f"{needed} (shift_length={shift_length}, trend_length={trend_length})"
        )
    if labels is not None:
        labels = tuple(str(x) for x in labels)
        if len(labels) != len(array):
            raise EquityLabError(
                f"labels has {len(labels)} entries for {len(array)} values; give one per point"
            )
    marked = []
    for position in astronomical:
        if isinstance(position, bool) or not isinstance(position, Integral):
            raise EquityLabError(f"astronomical takes positions (whole numbers), got {position!r}")
        if not 0 <= position < len(array):
            raise EquityLabError(
                f"astronomical position {position} is outside the series (0 to {len(array) - 1})"
            )
        marked.append(int(position))

    sides = _sides(judged, centre)
    useful = sides[sides != 0]
    runs = int(np.count_nonzero(np.diff(useful)) + 1) if useful.size else 0
    shifts, shift_dirs = _shifts(sides, first, shift_length)
    trends, trend_dirs = _trends(judged, first, trend_length)

    runs_expected = None
    too_few = too_many = False
    own_median = bool(len(judged)) and centre == float(np.median(judged))
    if useful.size < RUNS_TABLE_RANGE[0]:
        notes.append(
            f"runs rule not applied: {useful.size} useful points (it needs "
            f"{RUNS_TABLE_RANGE[0]} or more)"
        )
    elif not own_median:
        notes.append(
            "runs rule not applied: the centre line is not the median of the judged "
            "points, and the limits assume half the points on each side"
        )
    else:
        runs_expected = runs_limits(int(useful.size))
        too_few = runs < runs_expected[0]
        too_many = runs > runs_expected[1]
    return RunChartSignals(
        median=centre,
        n_points=len(judged),
        n_useful=int(useful.size),
        runs=runs,
        runs_expected=runs_expected,
        shifts=tuple(shifts),
        trends=tuple(trends),
        too_few_runs=bool(too_few),
        too_many_runs=bool(too_many),
        astronomical=tuple(sorted(set(marked))),
        values=tuple(float(v) for v in array),
        labels=labels,
        shift_directions=tuple(shift_dirs),
        trend_directions=tuple(trend_dirs),
        first_judged=first,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------- p-charts


def _counts(events, totals) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    e = _as_series(events, "events")
    n = _as_series(totals, "totals")
    if len(e) != len(n):
        raise EquityLabError(
            f"events has {len(e)} values and totals {len(n)}; give one pair per subgroup"
        )
    for name, array in (("events", e), ("totals", n)):
        bad = np.flatnonzero(array < 0)
        if bad.size:
            raise EquityLabError(
                f"{name} must be zero or more; negative at position(s) "
                f"{', '.join(map(str, bad[:20]))}"
            )
        bad = np.flatnonzero(np.floor(array) != array)
        if bad.size:
            raise EquityLabError(
                f"{name} must be whole numbers (counts); not at position(s) "
                f"{', '.join(map(str, bad[:20]))}"
            )
    bad = np.flatnonzero(e > n)
    if bad.size:
        raise EquityLabError(
            f"events cannot exceed totals; they do at position(s) {', '.join(map(str, bad[:20]))}"
        )
    index = events.index if isinstance(events, pd.Series) else pd.RangeIndex(len(e))
    return e, n, index


def p_chart_limits(events, totals, *, sigma: float = 3.0) -> pd.DataFrame:
    r"""Centre line and control limits of a p-chart (Shewhart chart for a proportion).

    .. math::

        \bar p = \frac{\sum_i x_i}{\sum_i n_i}, \qquad
        \sigma_i = \sqrt{\frac{\bar p(1-\bar p)}{n_i}}, \qquad
        \text{limits}_i = \bar p \pm k\,\sigma_i \ \text{truncated to } [0, 1].

    Limits vary with each subgroup's size (they "step"). Sources: Montgomery,
    *Introduction to Statistical Quality Control* (p-chart; Example 7.1 is the test
    case); Provost & Murray 2011.

    Parameters
    ----------
    events, totals:
        Number with the outcome and number of people (or items), one pair per subgroup
        in time order. Whole numbers, ``0 <= events <= totals``, ``totals > 0``.
    sigma:
        The multiple :math:`k` of :math:`\sigma_i` (3 by convention).

    Returns
    -------
    pandas.DataFrame
        Columns ``events, totals, p, centre, sigma_i, lower, upper, outside``
        (``outside`` is True when ``p`` is above ``upper`` or below ``lower``). The index
        is that of ``events`` when it is a Series.

    Raises
    ------
    EquityLabError
        For non-numeric, missing, negative or fractional counts, events above totals,
        a subgroup of size 0, fewer than two subgroups, or no events and no non-events
        at all (no variation to chart).
    """
    e, n, index = _counts(events, totals)
    if len(e) < 2:
        raise EquityLabError(f"a p-chart needs at least 2 subgroups, got {len(e)}")
    empty = np.flatnonzero(n == 0)
    if empty.size:
        raise EquityLabError(
            "every subgroup needs at least one person (totals > 0); zero at position(s) "
            f"{', '.join(map(str, empty[:20]))}"
        )
    try:
        k = float(sigma)
    except (TypeError, ValueError):
        raise EquityLabError(f"sigma must be a positive number, got {sigma!r}") from None
    if isinstance(sigma, bool) or not k > 0 or not math.isfinite(k):
        raise EquityLabError(f"sigma must be a positive number, got {sigma!r}")
    centre = e.sum() / n.sum()
    if centre in (0.0, 1.0):
        raise EquityLabError(
            "the proportion is 0 or 1 in every subgroup: a p-chart has no spread to show"
        )
    p = e / n
    spread = np.sqrt(centre * (1 - centre) / n)
    lower = np.clip(centre - k * spread, 0.0, 1.0)
    upper = np.clip(centre + k * spread, 0.0, 1.0)
    table = pd.DataFrame(
        {
            "events": e.astype(np.int64),
            "totals": n.astype(np.int64),
            "p": p,
            "centre": centre,
            "sigma_i": spread,
            "lower": lower,
            "upper": upper,
            "outside": (p > upper) | (p < lower),
        },
        index=index,
    )
    table.attrs.update({"sigma": k, "centre": float(centre)})
    return table


# ------------------------------------------------------ tables by period × group


def _long_table(table, time: str, group: str, events: str, totals: str) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise EquityLabError(
            f"expected a pandas DataFrame, got {type(table).__name__}; "
            "load the table with pandas.read_csv(...) or el.load_dataset(...) first"
        )
    names = {"time": time, "group": group, "events": events, "totals": totals}
    require_columns(table.columns, names.values())
    if len(table) == 0:
        raise EquityLabError("the table has no rows")
    out = pd.DataFrame({"time": table[time].to_numpy(), "group": table[group].to_numpy()})
    for key in ("time", "group"):
        gone = np.flatnonzero(pd.isna(out[key]).to_numpy())
        if gone.size:
            raise EquityLabError(
                f"column {names[key]!r} is missing in row(s) {', '.join(map(str, gone[:20]))}"
            )
    for key in ("events", "totals"):
        column = table[names[key]]
        numbers = pd.to_numeric(column, errors="coerce")
        bad = np.flatnonzero(numbers.isna().to_numpy())
        if bad.size:
            raise EquityLabError(
                f"column {names[key]!r} must hold counts; missing or not a number in "
                f"row(s) {', '.join(map(str, bad[:20]))} — equitylab never drops rows "
                "silently"
            )
        values = numbers.to_numpy(dtype=float)
        bad = np.flatnonzero((values < 0) | (np.floor(values) != values))
        if bad.size:
            raise EquityLabError(
                f"column {names[key]!r} must hold whole numbers, zero or more; not in "
                f"row(s) {', '.join(map(str, bad[:20]))}"
            )
        out[key] = values.astype(np.int64)
    bad = np.flatnonzero((out["events"] > out["totals"]).to_numpy())
    if bad.size:
        raise EquityLabError(
            f"{events!r} exceeds {totals!r} in row(s) {', '.join(map(str, bad[:20]))}"
        )
    dup = out.duplicated(["time", "group"], keep=False).to_numpy()
    if dup.any():
        rows = np.flatnonzero(dup)
        raise EquityLabError(
            f"more than one row per {time!r} and {group!r} (row(s) "
            f"{', '.join(map(str, rows[:20]))}); aggregate them first"
        )
    return out


def _time_grid(times: pd.Series) -> tuple[list, list[str]]:
    """Every period from the first to the last: calendar months when the values read as
    months (``YYYY-MM`` or dates), otherwise the distinct values in sorted order."""
    notes = []
    unique = pd.unique(times)
    try:
        periods = pd.PeriodIndex([pd.Period(v, freq="M") for v in unique])
        as_text = [str(v) for v in unique]
        if all(str(p) == t for p, t in zip(periods, as_text, strict=True)):
            full = pd.period_range(periods.min(), periods.max(), freq="M")
            return [str(p) for p in full], notes
    except (ValueError, TypeError):
        pass
    try:
        ordered = sorted(unique)
    except TypeError:
        ordered = sorted(unique, key=str)
    notes.append(
        "periods are not calendar months (YYYY-MM): missing periods can only be found "
        "among the periods present for some group"
    )
    return ordered, notes


def _grid_frame(data: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, object]], list[str]]:
    """One row per group × period on the full grid; absent rows marked ``missing``."""
    grid, notes = _time_grid(data["time"])
    is_month = not notes
    key = data["time"].astype(str) if is_month else data["time"]
    data = data.assign(time=key)
    groups = list(pd.unique(data["group"]))
    full = pd.MultiIndex.from_product([groups, grid], names=["group", "time"])
    frame = data.set_index(["group", "time"]).reindex(full).reset_index()
    frame["status"] = np.where(frame["totals"].isna(), "missing", "shown")
    missing = [
        (g, t)
        for g, t, s in frame[["group", "time", "status"]].itertuples(index=False)
        if s == "missing"
    ]
    return frame, missing, notes


def _protect(frame: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Hide events and rate (and a small total) where events or non-events are small."""
    shown = frame["status"] == "shown"
    e = frame["events"].fillna(0).to_numpy(dtype=float)
    n = frame["totals"].fillna(0).to_numpy(dtype=float)
    small = shown.to_numpy() & (is_small(e, min_cell) | is_small(n - e, min_cell))
    frame.loc[small, "status"] = "suppressed"
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(frame["status"] == "shown", e / np.where(n > 0, n, np.nan), np.nan)
    frame["rate"] = rate
    frame["events"] = frame["events"].astype("Int64").mask(frame["status"] != "shown")
    hide_total = (frame["status"] == "suppressed").to_numpy() & is_small(n, min_cell)
    frame["totals"] = frame["totals"].astype("Int64").mask(hide_total)
    zero = (frame["status"] == "shown") & (frame["totals"] == 0)
    frame.loc[zero.fillna(False), "status"] = "no one"
    return frame


def _per_group_option(value, group):
    if isinstance(value, Mapping):
        return value.get(group)
    return value


def _points_with_status(frame: pd.DataFrame, status: str) -> list[tuple]:
    """The (group, period) pairs of ``frame`` whose ``status`` column is ``status``."""
    rows = frame.loc[frame["status"] == status, ["group", "time"]]
    return list(rows.itertuples(index=False, name=None))


def stratified_run_chart(
    table: pd.DataFrame,
    *,
    time: str,
    group: str,
    events: str,
    totals: str,
    min_cell: int = DEFAULT_MIN_CELL,
    **rule_options,
) -> tuple[pd.DataFrame, dict[str, RunChartSignals]]:
    """Run-chart rules for each group of a long table (period × group), with small-cell
    protection.

    Parameters
    ----------
    table:
        One row per period and group, e.g. ``datasets/riverbend_monthly.csv``.
    time, group, events, totals:
        Column names: the period (``YYYY-MM`` months are recognised, so missing months
        are found even when absent for every group), the group, the number with the
        outcome and the number of people.
    min_cell:
        Smallest non-zero count that may be shown (default 11: counts of 1–10 hidden,
        as in :mod:`equitylab.privacy`; 0 switches protection off).
    **rule_options:
        Passed to :func:`run_chart_rules` for each group: ``shift_length``,
        ``trend_length``, ``baseline`` (first *k* shown points of each group),
        ``median`` (a number, or ``{group: number}``) and ``astronomical``
        (``{group: [periods]}``).

    Returns
    -------
    frame : pandas.DataFrame
        One row per group and period, sorted by group (in order of first appearance)
        then period, with columns ``<time>, <group>, events, totals, rate, median,
        in_shift, in_trend, status``. ``rate`` is a proportion (0–1). ``status`` is
        ``"shown"``, ``"suppressed"`` (events or non-events between 1 and
        ``min_cell - 1``: events and rate hidden, and the total too if it is small, so
        the hidden count cannot be worked out), ``"missing"`` (no row in the table) or
        ``"no one"`` (a total of 0). Only shown points enter the rules, in period order;
        the others neither add to nor break a shift or trend. ``frame.attrs`` holds
        ``missing`` and ``suppressed`` (lists of ``(group, period)``), ``unjudged``
        (groups with too few shown points for the rules: kept in the frame with a NaN
        median, left out of ``signals``), ``min_cell`` and ``notes`` (plain-language
        sentences to print under a chart).
    signals : dict
        ``{group: RunChartSignals}``; positions count the group's shown points, and the
        signals name periods.

    Raises
    ------
    EquityLabError
        For missing columns, non-numeric or missing counts (rows named), negative
        counts, events above totals, duplicate rows or bad rule options.
    """
    min_cell = check_min_cell(min_cell)
    data = _long_table(table, time, group, events, totals)
    frame, missing, notes = _grid_frame(data)
    frame = _protect(frame, min_cell)
    frame["median"] = np.nan
    frame["in_shift"] = False
    frame["in_trend"] = False
    unknown = set(rule_options) - {
        "shift_length",
        "trend_length",
        "baseline",
        "median",
        "astronomical",
    }
    if unknown:
        raise EquityLabError(
            f"unknown option(s) {', '.join(sorted(unknown))}; the rule options are "
            "shift_length, trend_length, baseline, median, astronomical"
        )
    needed = min(
        _check_length(rule_options.get("shift_length", 6), "shift_length"),
        _check_length(rule_options.get("trend_length", 5), "trend_length"),
    )
    results: dict[str, RunChartSignals] = {}
    unjudged: list[str] = []
    for name, rows in frame.groupby("group", sort=False).groups.items():
        rows = list(rows)
        part = frame.loc[rows]
        shown = part[part["status"] == "shown"]
        options = {k: v for k, v in rule_options.items() if k not in {"median", "astronomical"}}
        centre = _per_group_option(rule_options.get("median"), name)
        if centre is not None:
            options["median"] = centre
        marked = rule_options.get("astronomical")
        periods = shown["time"].astype(str).tolist()
        if marked:
            if not isinstance(marked, Mapping):
                raise EquityLabError(
                    "astronomical takes {group: [periods]} in stratified_run_chart"
                )
            wanted = [str(p) for p in marked.get(name, ())]
            absent = [p for p in wanted if p not in periods]
            if absent:
                raise EquityLabError(
                    f"astronomical period(s) {', '.join(absent)} not shown for group {name!r}"
                )
            options["astronomical"] = [periods.index(p) for p in wanted]
        baseline = options.get("baseline")
        judged = len(shown) - (baseline if isinstance(baseline, Integral) else 0)
        if judged < needed:
            unjudged.append(str(name))
            notes.append(
                f"{name}: only {len(shown)} point(s) shown, too few for the rules; not judged"
            )
            continue
        try:
            result = run_chart_rules(shown["rate"].to_numpy(dtype=float), labels=periods, **options)
        except EquityLabError as error:
            raise EquityLabError(f"group {name!r}: {error}") from None
        results[str(name)] = result
        frame.loc[rows, "median"] = result.median
        index = shown.index.to_numpy()
        in_shift = np.zeros(len(index), dtype=bool)
        values = shown["rate"].to_numpy(dtype=float)
        for start, end in result.shifts:
            span = np.arange(start, end + 1)
            in_shift[span[values[span] != result.median]] = True
        in_trend = np.zeros(len(index), dtype=bool)
        for start, end in result.trends:
            in_trend[start : end + 1] = True
        frame.loc[index, "in_shift"] = in_shift
        frame.loc[index, "in_trend"] = in_trend

    suppressed = _points_with_status(frame, "suppressed")
    if suppressed:
        notes.append(
            f"{len(suppressed)} point(s) hidden because fewer than {min_cell} patients had, "
            "or did not have, the outcome; they are left out of the rules"
        )
    if missing:
        listed = "; ".join(f"{g} {t}" for g, t in missing[:12])
        more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
        notes.append(f"{len(missing)} period(s) missing from the data: {listed}{more}")
    frame = frame[
        ["time", "group", "events", "totals", "rate", "median", "in_shift", "in_trend", "status"]
    ]
    frame = frame.rename(columns={"time": time, "group": group})
    frame.attrs.update(
        {
            "missing": missing,
            "suppressed": suppressed,
            "unjudged": unjudged,
            "min_cell": min_cell,
            "notes": notes,
            "time": time,
            "group": group,
        }
    )
    return frame.reset_index(drop=True), results


def gap_over_time(
    table: pd.DataFrame,
    *,
    time: str,
    group: str,
    events: str,
    totals: str,
    reference: str,
    level: float = 0.95,
    min_cell: int = DEFAULT_MIN_CELL,
) -> pd.DataFrame:
    r"""Each group's rate per period and its difference from a reference group.

    The difference :math:`p_g - p_{ref}` comes with Newcombe's hybrid score interval
    (Newcombe 1998, method 10; :func:`equitylab.intervals.newcombe_difference`) — the
    equity measure an improvement team can track on its dashboard next to the run chart.

    Parameters
    ----------
    table, time, group, events, totals:
        As in :func:`stratified_run_chart`.
    reference:
        The group every other group is compared with (named in the table).
    level:
        Confidence level of the intervals (0.95).
    min_cell:
        Small-cell threshold (default 11). A group's rate, and its difference, are hidden
        in a period where its events or non-events are 1 to ``min_cell - 1``; when the
        reference group's are, every difference of that period is hidden.

    Returns
    -------
    pandas.DataFrame
        One row per period and group (sorted by period, then group in order of first
        appearance): ``<time>, <group>, events, totals, rate, is_reference, difference,
        ci_low, ci_high, status`` (``status`` as in :func:`stratified_run_chart`; a
        shown group whose reference is hidden or missing has ``difference`` NaN).
        ``attrs`` holds ``reference``, ``level``, ``missing``, ``suppressed``, ``notes``.

    Raises
    ------
    EquityLabError
        For the input errors of :func:`stratified_run_chart`, or a ``reference`` that
        is not one of the groups.
    """
    min_cell = check_min_cell(min_cell)
    z_value(level)  # a clear error for a bad level, even before any comparison
    data = _long_table(table, time, group, events, totals)
    groups = [str(g) for g in pd.unique(data["group"])]
    if str(reference) not in groups:
        raise EquityLabError(
            f"reference group {reference!r} not found in column {group!r}; groups are: "
            f"{', '.join(groups)}"
        )
    frame, missing, notes = _grid_frame(data)
    raw_e = frame["events"].to_numpy(dtype=float)
    raw_n = frame["totals"].to_numpy(dtype=float)
    frame = _protect(frame, min_cell)
    frame["is_reference"] = frame["group"].astype(str) == str(reference)
    frame["difference"] = np.nan
    frame["ci_low"] = np.nan
    frame["ci_high"] = np.nan
    for _, rows in frame.groupby("time", sort=False).groups.items():
        rows = np.asarray(list(rows))
        ref = rows[frame.loc[rows, "is_reference"].to_numpy()]
        if len(ref) != 1 or frame.at[ref[0], "status"] != "shown":
            continue
        r = ref[0]
        for i in rows:
            if i == r or frame.at[i, "status"] != "shown":
                continue
            d = newcombe_difference(raw_e[i], raw_n[i], raw_e[r], raw_n[r], level=level)
            frame.loc[i, ["difference", "ci_low", "ci_high"]] = [d.estimate, d.low, d.high]
    frame = frame.sort_values("time", kind="stable")
    suppressed = _points_with_status(frame, "suppressed")
    if suppressed:
        notes.append(
            f"{len(suppressed)} rate(s) hidden because fewer than {min_cell} patients had, "
            "or did not have, the outcome"
        )
    if missing:
        notes.append(f"{len(missing)} group-period(s) missing from the data")
    columns = [
        "time",
        "group",
        "events",
        "totals",
        "rate",
        "is_reference",
        "difference",
        "ci_low",
        "ci_high",
        "status",
    ]
    frame = frame[columns].rename(columns={"time": time, "group": group}).reset_index(drop=True)
    frame.attrs.update(
        {
            "reference": str(reference),
            "level": level,
            "missing": missing,
            "suppressed": suppressed,
            "notes": notes,
            "min_cell": min_cell,
        }
    )
    return frame
