"""Checks for exercise 02, *Stratify explorer* (fictional Riverbend Health data).

Every expected answer is computed here, from ``riverbend_patients`` and
:func:`equitylab.stratify` with the same options the notebook's explorer uses, so
the notebook never stores an answer.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ..data import load_dataset
from ..privacy import DEFAULT_MIN_CELL, is_small
from ..stratify import NOT_INFORMATIVE, stratify
from ._core import Feedback, as_number, close, normalise_group, register

EXERCISE = "02-stratify-explorer"
RACE = "race_ethnicity_group"


@lru_cache(maxsize=1)
def _patients() -> pd.DataFrame:
    return load_dataset("riverbend_patients")


@lru_cache(maxsize=8)
def _table(by: tuple[str, ...], outcome: str, reference: str | None = None) -> pd.DataFrame:
    return stratify(_patients(), list(by), outcome, reference=reference)


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    """Groups whose rate is shown (not suppressed, someone with an outcome)."""
    return table[~table["suppressed"] & table["rate"].notna()]


def _named(table: pd.DataFrame) -> pd.DataFrame:
    """Shown groups that are categories of people (not Unknown, Declined or Missing)."""
    shown = _shown(table)
    return shown[~shown[RACE].isin(NOT_INFORMATIVE)]


_NAME_ONLY = 'answer with the group\'s name as text, in quotes, as the table spells it: "..."'


def _group_answer(answer: object, groups) -> str | Feedback:
    """The table's spelling of the group named in ``answer``, or the hint to give when
    the answer is not text or names no group of the table."""
    if not isinstance(answer, str):
        return Feedback(False, _NAME_ONLY)
    wanted = normalise_group(answer)
    for group in groups:
        if normalise_group(str(group)) == wanted:
            return str(group)
    return Feedback(False, "that is not one of the groups in the table; " + _NAME_ONLY)


# --- Task 1: the lowest rate -------------------------------------------------------------


def _lowest_bp() -> str:
    named = _named(_table((RACE,), "bp_controlled"))
    return str(named.loc[named["rate"].idxmin(), RACE])


@register(EXERCISE, 1)
def _lowest_group(answer: object) -> Feedback:
    table = _table((RACE,), "bp_controlled")
    given = _group_answer(answer, table[RACE])
    if isinstance(given, Feedback):
        return given
    if given == _lowest_bp():
        return Feedback(
            True,
            "that group has the lowest share of patients with controlled blood pressure. "
            "Keep its interval in mind for the next task.",
        )
    row = table.set_index(RACE).loc[given]
    if bool(row["is_reference"]):
        return Feedback(
            False,
            "that is the reference group, the one the others are compared with. Look for "
            "the smallest value in the Rate column, or the dot furthest to the left.",
        )
    if given in NOT_INFORMATIVE:
        return Feedback(
            False,
            "Unknown and Declined tell you whose data are missing, not a group of people who "
            "share a race or ethnicity; look among the named groups.",
        )
    return Feedback(
        False,
        "another named group has a lower rate. Compare the Rate column row by row, or find "
        "the dot furthest to the left on the chart.",
    )


# --- Task 2: is the interval clear of the reference's? -----------------------------------


def _clear_of_reference(group: str) -> bool:
    table = _table((RACE,), "bp_controlled").set_index(RACE)
    row, ref = table.loc[group], table[table["is_reference"]].iloc[0]
    return bool(row["ci_high"] < ref["ci_low"] or row["ci_low"] > ref["ci_high"])


def _yes_no(answer: object) -> bool | None:
    if isinstance(answer, bool):
        return answer
    if isinstance(answer, str) and answer.strip().lower() in {"yes", "no", "true", "false"}:
        return answer.strip().lower() in {"yes", "true"}
    return None


@register(EXERCISE, 2)
def _interval_clear(answer: object) -> Feedback:
    given = _yes_no(answer)
    if given is None:
        return Feedback(False, "answer True (the intervals do not overlap) or False (they do).")
    if given == _clear_of_reference(_lowest_bp()):
        return Feedback(
            True,
            "intervals that are clear of each other are a quick sign that a gap is larger "
            "than chance variation would easily produce. Overlapping intervals can still "
            "hide a real difference, which the test behind the Meaningful column checks "
            "more precisely.",
        )
    return Feedback(
        False,
        "compare the upper end of the group's interval with the lower end of the reference "
        "group's interval (the two ends of the 95% CI column). The intervals are clear of "
        "each other only when one ends before the other begins.",
    )


# --- Task 3: the widest interval --------------------------------------------------------


@register(EXERCISE, 3)
def _widest_interval(answer: object) -> Feedback:
    table = _table((RACE,), "bp_controlled")
    shown = _shown(table)
    width = shown["ci_high"] - shown["ci_low"]
    widest = str(shown.loc[width.idxmax(), RACE])
    given = _group_answer(answer, table[RACE])
    if isinstance(given, Feedback):
        return given
    if given == widest:
        return Feedback(
            True,
            "it is the smallest group in the table: the fewer people an interval rests on, the "
            "wider it is (roughly, four times the people halves the width).",
        )
    if given == _lowest_bp():
        return Feedback(
            False,
            "a low rate does not make an interval wide. The width is the distance between "
            "the two ends of the interval: look for the longest bar on the chart.",
        )
    if given == str(shown.loc[shown["n"].idxmax(), RACE]):
        return Feedback(
            False,
            "that group's interval is the narrowest, because it has the most people. Look "
            "at the n column: which group rests on the fewest people?",
        )
    return Feedback(
        False,
        "subtract the lower end of each interval from its upper end, or look for the "
        "longest bar on the chart, then check that group's n.",
    )


# --- Task 4: hidden cells in an intersection --------------------------------------------

_TWO_WAY = (RACE, "sex")


def _primary_count() -> int:
    """Rows whose own counts are small (before complementary suppression adds more)."""
    full = stratify(_patients(), list(_TWO_WAY), "bp_controlled", min_cell=0)
    n = full["n"].to_numpy(dtype=float)
    events = full["events"].to_numpy(dtype=float)
    small = (
        is_small(n, DEFAULT_MIN_CELL)
        | is_small(events, DEFAULT_MIN_CELL)
        | is_small(n - events, DEFAULT_MIN_CELL)
    )
    return int(small.sum())


@register(EXERCISE, 4)
def _suppressed_cells(answer: object) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, "answer with a number of rows (no quotes).")
    table = _table(_TWO_WAY, "bp_controlled")
    hidden = int(table["suppressed"].sum())
    if close(value, hidden, 0):
        return Feedback(
            True,
            "some of those rows have hundreds or thousands of people: they are hidden not "
            "for their own sake but so that the small cells next to them cannot be worked "
            "out by subtraction from a total. Each small cell gets a box of hidden partners "
            "(complementary suppression), and every hidden row carries the same label, so "
            "that no one can tell which are small.",
        )
    if close(value, _primary_count(), 0):
        return Feedback(
            False,
            "you counted the rows whose own counts are small. Others are hidden too, to "
            "protect those: count every row the table marks as hidden.",
        )
    if close(value, len(table), 0):
        return Feedback(False, "that is every row of the table; count only the hidden ones.")
    return Feedback(
        False,
        "set the second grouping to Sex, then count the rows that read "
        '"hidden to protect small numbers" (the line above the table gives the total too).',
    )


# --- Task 5: a new reference group --------------------------------------------------------

_NEW_REFERENCE = "Hispanic or Latino"
_TASK5_GROUP = "Black or African American"


def _difference_points(reference: str | None) -> float:
    table = _table((RACE,), "crc_screened", reference).set_index(RACE)
    return 100 * float(table.loc[_TASK5_GROUP, "rate_difference"])


@register(EXERCISE, 5)
def _new_reference(answer: object) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, "answer with a number of percentage points (no % sign, no quotes).")
    expected = _difference_points(_NEW_REFERENCE)
    if close(value, expected, 0.1):
        return Feedback(
            True,
            "the same rate gives a different difference against a different reference: "
            "always say which group a difference is measured from, and why that group.",
        )
    if close(value, -expected, 0.1):
        return Feedback(
            False,
            "right size, wrong sign: the difference is the group's rate minus the reference "
            "group's rate, so a group below its reference has a negative difference.",
        )
    if close(value, expected / 100, 0.001):
        return Feedback(
            False,
            "that looks like a proportion; give the difference in percentage points (the "
            "scale of the table's Difference column).",
        )
    if close(value, _difference_points(None), 0.1) or close(value, -_difference_points(None), 0.1):
        return Feedback(
            False,
            "that is the difference from the default reference. Choose the new reference "
            "group in the Reference group control first, then read the row again.",
        )
    return Feedback(
        False,
        "set Measure to colorectal cancer screening and the Reference group to the one the "
        "task names, then read the Difference column in the row of the group it asks about.",
    )


# --- Task 6: the meaningful column ------------------------------------------------------


def _not_meaningful() -> list[str]:
    named = _named(_table((RACE,), "bp_controlled"))
    compared = named[~named["is_reference"] & named["meaningful"].notna()]
    return [str(g) for g in compared.loc[~compared["meaningful"].astype(bool), RACE]]


@register(EXERCISE, 6)
def _meaningful(answer: object) -> Feedback:
    table = _table((RACE,), "bp_controlled")
    given = _group_answer(answer, table[RACE])
    if isinstance(given, Feedback):
        return given
    if given in _not_meaningful():
        return Feedback(
            True,
            "its rate is lower than the reference's, but with so few people its interval is "
            "wide and the difference does not pass the significance half of AHRQ's rule. "
            "Not meaningful means not shown with confidence; it does not mean no gap.",
        )
    if given in NOT_INFORMATIVE:
        return Feedback(
            False,
            "Unknown and Declined describe missing data, not a group of people; the task "
            "asks about one of the named groups.",
        )
    row = table.set_index(RACE).loc[given]
    if bool(row["is_reference"]):
        return Feedback(False, "the reference group is not compared with itself; pick another.")
    return Feedback(
        False,
        'that group\'s difference is flagged "yes" in the Meaningful column. Look for a named '
        'group whose rate is lower than the reference\'s but whose Meaningful cell reads "no".',
    )
