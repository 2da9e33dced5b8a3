"""Checks for exercise 04, *Spot the signal* (Riverbend's monthly blood pressure control).

Every expected answer is computed here from ``riverbend_monthly`` with
:mod:`equitylab.qi`, with the run-chart rules of Perla, Provost & Murray (2011) at
their defaults (the median of all 36 months as the centre line).
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from ..data import load_dataset
from ..qi import RunChartSignals, p_chart_limits, run_chart_rules, stratified_run_chart
from ._core import Feedback, as_number, close, normalise_group, register

_SPOT = "04-spot-the-signal"
_COLUMNS = {"time": "month", "group": "group", "events": "numerator", "totals": "denominator"}

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}


@lru_cache(maxsize=1)
def _monthly() -> pd.DataFrame:
    return load_dataset("riverbend_monthly")


def _overall() -> RunChartSignals:
    table = _monthly().groupby("month", as_index=False)[["numerator", "denominator"]].sum()
    return run_chart_rules(table["numerator"] / table["denominator"], labels=table["month"])


def _by_group() -> dict[str, RunChartSignals]:
    return stratified_run_chart(_monthly(), **_COLUMNS)[1]


def _shifted_groups() -> list[str]:
    return [name for name, found in _by_group().items() if found.shifts]


def _the_group() -> str:
    """The one group whose run chart shows a shift (the exercise is built on it)."""
    (name,) = _shifted_groups()
    return name


def _upward_shift(signals: RunChartSignals) -> tuple[str, str]:
    for (start, end), side in zip(signals.shifts, signals.shift_directions, strict=True):
        if side == "above":
            return signals.labels[start], signals.labels[end]
    raise AssertionError("the group's chart has no shift above the median")


def _as_yes_no(answer: object) -> bool | None:
    if isinstance(answer, bool):
        return answer
    if isinstance(answer, str):
        text = answer.strip().lower()
        if text in {"yes", "y", "true"}:
            return True
        if text in {"no", "n", "false"}:
            return False
    return None


def _as_month(answer: object) -> str | None:
    """``"2024-07"``, ``"2024-7"``, ``"July 2024"``, ``"Jul 2024"`` → ``"2024-07"``."""
    if not isinstance(answer, str):
        return None
    text = answer.strip().lower().replace(",", " ")
    match = re.fullmatch(r"(\d{4})[-/ ](\d{1,2})", text)
    if match:
        year, month = int(match[1]), int(match[2])
    else:
        match = re.fullmatch(r"([a-z]+)\.?\s+(\d{4})", text)
        if not match or match[1] not in _MONTHS:
            return None
        year, month = int(match[2]), _MONTHS[match[1]]
    if not 1 <= month <= 12:
        return None
    return f"{year:04d}-{month:02d}"


def _month_index(month: str) -> int:
    return _monthly()["month"].drop_duplicates().tolist().index(month)


# --- task 1: the overall chart -------------------------------------------------------


@register(_SPOT, 1)
def _overall_signal(answer: object) -> Feedback:
    given = _as_yes_no(answer)
    if given is None:
        return Feedback(False, "answer True (there is a signal) or False (there is none).")
    expected = _overall().any_signal
    if given == expected and expected:
        return Feedback(
            True,
            "the chart for all patients does signal a change. But it is a small one, and "
            "nothing on it says whose care changed: that is the next task.",
        )
    if given == expected:
        return Feedback(True, "no rule signals on the chart for all patients.")
    if expected:
        return Feedback(
            False,
            "look again with the rules: count consecutive points on one side of the median "
            "(skip any point on the line) and look for runs of six or more; also check for "
            "five or more points in a row all going up or all going down.",
        )
    return Feedback(
        False,
        "a few points in a row on one side of the median happen by chance. A shift needs "
        "six or more, a trend five or more points going the same way.",
    )


# --- task 2: which group shifted -----------------------------------------------------


def _group_names() -> list[str]:
    return [str(g) for g in pd.unique(_monthly()["group"])]


@register(_SPOT, 2)
def _which_group(answer: object) -> Feedback:
    if not isinstance(answer, str):
        return Feedback(False, 'answer with the group\'s name as text, in quotes, e.g. "...".')
    given = normalise_group(answer)
    expected = _the_group()
    accepted = {normalise_group(expected), *map(normalise_group, expected.split(" or "))}
    if given in accepted:
        return Feedback(
            True,
            "only that group's chart has a run of six or more points on one side of its "
            "median; the other groups vary around theirs.",
        )
    if given.startswith("all") or given in {"overall", "everyone", "everybody", "total"}:
        return Feedback(
            False,
            "the question is about the groups: use the explorer's Group menu and read each "
            "group's chart in turn.",
        )
    names = {normalise_group(name): name for name in _group_names()}
    if given in names:
        found = _by_group()[names[given]]
        if found.trends and not found.shifts:
            return Feedback(
                False,
                "that group's chart has a trend, not a shift. A trend is five or more points "
                "going the same way; a shift is six or more points on one side of the median. "
                "Look for the long runs on one side.",
            )
        return Feedback(
            False,
            "that group's points cross its median often: no run is six points long. Look "
            "for the chart whose points stay on one side of the median for many months.",
        )
    return Feedback(
        False,
        "use one of the group names exactly as the explorer's Group menu shows them.",
    )


# --- task 3: when the shift starts ---------------------------------------------------


@register(_SPOT, 3)
def _shift_start(answer: object) -> Feedback:
    month = _as_month(answer)
    if month is None:
        return Feedback(False, 'answer with the month as text, written like "2023-01".')
    signals = _by_group()[_the_group()]
    start, end = _upward_shift(signals)
    if month == start:
        return Feedback(
            True,
            "that is the first point of the run above the median: in the data's story, the "
            "month the community health worker program started.",
        )
    if month == end:
        return Feedback(
            False,
            "that is where the run above the median ends. The shift begins at the first "
            "point of the run.",
        )
    below = [
        signals.labels[s]
        for (s, _), side in zip(signals.shifts, signals.shift_directions, strict=True)
        if side == "below"
    ]
    if month in below:
        return Feedback(
            False,
            "that run is below the median, before the rise. The task asks about the shift "
            "above the median.",
        )
    months = _monthly()["month"].drop_duplicates().tolist()
    if month not in months:
        return Feedback(
            False,
            f"that month is not in the data: the series runs from {months[0]} to {months[-1]}.",
        )
    if abs(_month_index(month) - _month_index(start)) <= 2:
        return Feedback(
            False,
            "close. Use the median of all 36 months (untick the baseline box) and find the "
            "first point of the unbroken run above it: the point just before it is below the "
            "median.",
        )
    return Feedback(
        False,
        "find the long run of points above the group's median and read the month of its "
        "first point; the explorer's summary names the months of each shift.",
    )


# --- task 4: number of runs ----------------------------------------------------------


@register(_SPOT, 4)
def _number_of_runs(answer: object) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, "answer with a whole number of runs (no quotes).")
    signals = _by_group()[_the_group()]
    runs = signals.runs
    low, high = signals.runs_expected
    if close(value, runs, 0):
        verdict = (
            "too few, which is another signal"
            if signals.too_few_runs
            else ("too many, which is another signal" if signals.too_many_runs else "no signal")
        )
        return Feedback(
            True,
            f"{runs} runs, where {low} to {high} are expected by chance for "
            f"{signals.n_useful} useful points: {verdict}.",
        )
    if close(value, runs - 1, 0):
        return Feedback(
            False,
            "that counts the times the line crosses the median. The number of runs is one "
            "more than the number of crossings.",
        )
    if close(value, low, 0) or close(value, high, 0):
        return Feedback(
            False,
            "that is a limit of the range expected by chance, not this chart's count. Count "
            "the stretches of consecutive points on one side of the median.",
        )
    return Feedback(
        False,
        "a run is one or more consecutive points on the same side of the median (points on "
        "the median are skipped). Count the stretches from left to right, using the median of "
        "all 36 months.",
    )


# --- task 5: the p-chart -------------------------------------------------------------


def _p_chart_outside() -> list[str]:
    table = _monthly()
    rows = table[table["group"] == _the_group()].sort_values("month")
    limits = p_chart_limits(rows["numerator"], rows["denominator"])
    return rows["month"][limits["outside"].to_numpy()].tolist()


@register(_SPOT, 5)
def _outside_limits(answer: object) -> Feedback:
    outside = _p_chart_outside()
    if as_number(answer) is not None:
        return Feedback(
            False,
            'answer with a month written like "2023-01" (or "none" if every point is '
            "inside the limits).",
        )
    if isinstance(answer, str) and answer.strip().lower() in {"none", "no month", "no"}:
        if not outside:
            return Feedback(True, "every month is inside its limits.")
        return Feedback(
            False,
            "compare each point with its own month's upper and lower limits (they step up and "
            "down with the number of patients), not with the centre line.",
        )
    month = _as_month(answer)
    if month is None:
        return Feedback(False, 'answer with the month as text, written like "2023-01".')
    if month in outside:
        others = len(outside) - 1
        extra = f" ({others} other month(s) are outside too)" if others else ""
        return Feedback(
            True,
            "that month is above its upper control limit: a special-cause signal"
            f"{extra}. The centre line averages the months before and after the change, so "
            "it sits between the two levels: the shift itself shows more clearly in the run "
            "of points above the centre line.",
        )
    return Feedback(
        False,
        "that month's point is inside its limits. Look for the point that lies beyond the "
        "dashed limit line drawn for its own month; the table's outside column marks it.",
    )
