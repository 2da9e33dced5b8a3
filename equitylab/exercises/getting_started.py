"""Checks for exercise 00, *Getting started* (NCHS Data Brief 289 figures)."""

from __future__ import annotations

from ..measures import gap_in_people
from ..published import published_table
from ._core import Feedback, as_number, close, normalise_group, register

# --- 00-getting-started --------------------------------------------------------------
# Data: NHANES 2015-2016 hypertension control (NCHS Data Brief 289), via published_table.

_GETTING_STARTED = "00-getting-started"
_HTN = "hypertension_control_2015_2016"


def _htn_percent(group: str) -> float:
    table = published_table(_HTN)
    return float(table.set_index("group").loc[group, "percent_controlled"])


@register(_GETTING_STARTED, 1)
def _lowest_group(answer: object) -> Feedback:
    if not isinstance(answer, str):
        return Feedback(False, 'answer with the group\'s name as text, in quotes, e.g. "...".')
    table = published_table(_HTN)
    groups = table[~table["group"].str.startswith("All ")]
    lowest = str(groups.loc[groups["percent_controlled"].idxmin(), "group"])
    given = normalise_group(answer)
    accepted = {normalise_group(lowest), normalise_group(lowest.removeprefix("Non-Hispanic "))}
    if given in accepted:
        return Feedback(
            True,
            "that group had the lowest share of adults with controlled blood "
            "pressure in this table.",
        )
    if given.startswith("all"):
        return Feedback(False, "the first row is everyone together; compare the groups below it.")
    named = {normalise_group(g): g for g in groups["group"]}
    named.update({normalise_group(g.removeprefix("Non-Hispanic ")): g for g in groups["group"]})
    if given in named:
        return Feedback(
            False,
            "that group is in the table, but another group's percentage is "
            "smaller. Sort the table by percent_controlled to see the order.",
        )
    return Feedback(False, "use one of the group names exactly as the table shows them.")


@register(_GETTING_STARTED, 2)
def _gap_points(answer: object) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, "answer with a number (no % sign, no quotes).")
    gap = _htn_percent("Non-Hispanic White") - _htn_percent("Non-Hispanic Black")
    if close(value, gap, 0.05):
        return Feedback(
            True,
            "that is the gap in percentage points: the difference between the two percentages.",
        )
    if close(value, -gap, 0.05):
        return Feedback(
            False,
            "right size, wrong sign: subtract the Black adults' percentage "
            "from the White adults' percentage.",
        )
    if close(value, gap / 100, 0.0005):
        return Feedback(
            False,
            "that looks like a proportion; give the gap in percentage "
            "points, on the same scale as the table.",
        )
    relative = 100 * gap / _htn_percent("Non-Hispanic Black")
    if close(value, relative, 0.5) or close(
        value, 100 * gap / _htn_percent("Non-Hispanic White"), 0.5
    ):
        return Feedback(
            False,
            "that is a relative difference (a percent of a percent). "
            "Percentage points are a plain subtraction of the two percentages.",
        )
    return Feedback(
        False, "find the two rows in the table and subtract one percentage from the other."
    )


_TASK3_GROUP_SIZE = 2_000


@register(_GETTING_STARTED, 3)
def _gap_people(answer: object) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, "answer with a number of people (no quotes).")
    black = _htn_percent("Non-Hispanic Black") / 100
    white = _htn_percent("Non-Hispanic White") / 100
    people = gap_in_people(_TASK3_GROUP_SIZE, black, white)
    if close(value, people, 1.0):
        return Feedback(
            True,
            "a gap of a few percentage points is more than a hundred people "
            "in a population of this size.",
        )
    unit_slips = (people * 100, people / 10, people / 100)  # percent used as a proportion, etc.
    if any(close(value, slip, max(abs(slip) * 0.01, 0.01)) for slip in unit_slips):
        return Feedback(
            False,
            "check your units: convert percentage points to a proportion "
            "(divide by 100) before multiplying by the number of people.",
        )
    return Feedback(
        False,
        "multiply the number of people by the gap, written as a "
        "proportion; the widget above does this for any group size.",
    )
