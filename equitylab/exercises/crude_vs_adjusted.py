"""Checks for exercise 03, *Crude vs adjusted* (diabetes at fictional Riverbend Health).

The exercise compares diagnosed diabetes between Hispanic or Latino and White
patients: the crude rates, the age mix of the two groups, one age band, the
rates directly standardized to the US 2000 standard population, and the ratio.
Every expected answer is computed here from ``riverbend_patients`` with the
library's own functions, so it appears nowhere in the notebook.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ..data import load_dataset
from ..standardize import age_standardize
from ._core import Feedback, as_number, close, register

__all__: list[str] = []

_EXERCISE = "03-crude-vs-adjusted"
_GROUP = "Hispanic or Latino"
_REFERENCE = "White"
_BY = "race_ethnicity_group"
_OUTCOME = "diabetes"
#: The age band of task 3.
AGE_BAND = "55-64"
_POINTS = 0.05  # tolerance for answers in percentage points
#: The ages standardized over: Riverbend's patients are adults, aged 18 to 100.
AGES = (18, 100)


@lru_cache(maxsize=1)
def _patients() -> pd.DataFrame:
    patients = load_dataset("riverbend_patients")
    return patients[patients[_BY].isin([_GROUP, _REFERENCE])]


def _percent(rows: pd.DataFrame) -> float:
    return 100 * float(rows[_OUTCOME].astype(float).mean())


def _by_group(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {group: frame[frame[_BY] == group] for group in (_GROUP, _REFERENCE)}


def _crude() -> tuple[float, float]:
    groups = _by_group(_patients())
    return _percent(groups[_GROUP]), _percent(groups[_REFERENCE])


@lru_cache(maxsize=2)
def _adjusted(standard: str = "us2000") -> tuple[float, float]:
    table = age_standardize(_patients(), _BY, _OUTCOME, "age", standard=standard, ages=AGES)
    rates = table.set_index(_BY)["adjusted_rate"]
    return float(rates[_GROUP]), float(rates[_REFERENCE])


def _number(answer: object, unit: str) -> float | Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, f"answer with a number of {unit} (no % sign, no quotes).")
    return value


def _gap_feedback(value: float, group: float, reference: float, what: str) -> Feedback | None:
    """Hints shared by the tasks that ask for a gap in percentage points."""
    gap = group - reference
    if close(value, -gap, _POINTS) and not close(value, gap, _POINTS):
        return Feedback(
            False,
            "right size, wrong sign: subtract the White patients' rate from the "
            "Hispanic or Latino patients' rate (group minus reference).",
        )
    if close(value, gap / 100, _POINTS / 100) or close(value, -gap / 100, _POINTS / 100):
        return Feedback(
            False,
            "that looks like a difference between proportions; give it in percentage "
            f"points, on the same scale as the {what} (multiply by 100 if you used proportions).",
        )
    relative = (100 * gap / reference, 100 * gap / group, 100 * group / reference)
    if any(close(value, r, 0.5) for r in relative):
        return Feedback(
            False,
            "that is a relative comparison (a percent of a rate, or a ratio in percent). "
            "A gap in percentage points is a plain subtraction of the two rates.",
        )
    if close(value, group, _POINTS) or close(value, reference, _POINTS):
        return Feedback(False, "that is one group's rate; the gap is the difference of the two.")
    return None


# --- Task 1: the crude gap -------------------------------------------------------------


@register(_EXERCISE, 1)
def _crude_gap(answer: object) -> Feedback:
    value = _number(answer, "percentage points")
    if isinstance(value, Feedback):
        return value
    group, reference = _crude()
    if close(value, group - reference, _POINTS):
        return Feedback(
            True,
            "that is the crude gap: what you see when you compare everyone in one group "
            "with everyone in the other, whatever their ages. Note its sign.",
        )
    hint = _gap_feedback(value, group, reference, "table's rates")
    if hint is not None:
        return hint
    adjusted = _adjusted()
    if close(value, adjusted[0] - adjusted[1], _POINTS):
        return Feedback(
            False,
            "that is an age-adjusted gap; this task asks for the crude one, the plain rate "
            "of each group from el.stratify (events divided by n).",
        )
    return Feedback(
        False,
        "find the two rows in the stratified table, read each group's rate "
        "(a proportion), convert both to percent and subtract the White patients' rate "
        "from the Hispanic or Latino patients' rate.",
    )


# --- Task 2: the age mix ---------------------------------------------------------------


@register(_EXERCISE, 2)
def _median_age_gap(answer: object) -> Feedback:
    value = _number(answer, "years")
    if isinstance(value, Feedback):
        return value
    groups = _by_group(_patients())
    median = {g: float(rows["age"].median()) for g, rows in groups.items()}
    mean = {g: float(rows["age"].mean()) for g, rows in groups.items()}
    gap = median[_REFERENCE] - median[_GROUP]
    if close(value, gap, 0.01):
        return Feedback(
            True,
            "the two groups' ages are far apart. Since diabetes becomes more common with "
            "age, an age difference this large can move a crude rate by itself.",
        )
    if close(value, -gap, 0.01):
        return Feedback(
            False,
            "right size, wrong sign: subtract the Hispanic or Latino patients' median age "
            "from the White patients' median age.",
        )
    if close(value, mean[_REFERENCE] - mean[_GROUP], 0.05) or close(
        value, mean[_GROUP] - mean[_REFERENCE], 0.05
    ):
        return Feedback(
            False,
            "that is the difference between the mean ages; the task asks for the medians "
            "(use .median() instead of .mean()).",
        )
    if value in median.values() or close(value, float(_patients()["age"].median()), 0.01):
        return Feedback(
            False,
            "that is a single median age; compute the median age of each group separately, "
            "then subtract.",
        )
    return Feedback(
        False,
        "group the patients by race_ethnicity_group, take the median of the age column "
        "in each group, and subtract one from the other (White minus Hispanic or Latino).",
    )


# --- Task 3: one age band --------------------------------------------------------------


@register(_EXERCISE, 3)
def _band_gap(answer: object) -> Feedback:
    value = _number(answer, "percentage points")
    if isinstance(value, Feedback):
        return value
    band = _patients()[_patients()["age_band"].astype(str) == AGE_BAND]
    groups = _by_group(band)
    group, reference = _percent(groups[_GROUP]), _percent(groups[_REFERENCE])
    if close(value, group - reference, _POINTS):
        crude = _crude()
        same = (group - reference) * (crude[0] - crude[1]) > 0
        return Feedback(
            True,
            "within one age band the two groups have similar ages, so the comparison is "
            "fair on age; notice that it points "
            + ("the same way as" if same else "the other way from")
            + " the crude gap.",
        )
    hint = _gap_feedback(value, group, reference, "age-specific rates")
    if hint is not None:
        return hint
    crude = _crude()
    if close(value, crude[0] - crude[1], _POINTS):
        return Feedback(
            False,
            f"that is the crude gap over all ages; use only the rows for the {AGE_BAND} "
            "age band in the table by group and age band.",
        )
    return Feedback(
        False,
        f"in the table by group and age band, find the two rows for ages {AGE_BAND}, "
        "convert their rates to percent and subtract (Hispanic or Latino minus White).",
    )


# --- Task 4: the age-standardized gap --------------------------------------------------


@register(_EXERCISE, 4)
def _adjusted_gap(answer: object) -> Feedback:
    value = _number(answer, "percentage points")
    if isinstance(value, Feedback):
        return value
    group, reference = _adjusted()
    if close(value, group - reference, _POINTS):
        return Feedback(
            True,
            "that is the gap the two groups would show if both had the age mix of the "
            "US 2000 standard population.",
        )
    hint = _gap_feedback(value, group, reference, "adjusted rates")
    if hint is not None:
        return hint
    crude = _crude()
    if close(value, crude[0] - crude[1], _POINTS):
        return Feedback(
            False,
            "that is the crude gap; use the adjusted_rate column of el.age_standardize, "
            "not crude_rate.",
        )
    esp = _adjusted("esp2013")
    if close(value, esp[0] - esp[1], _POINTS):
        return Feedback(
            False,
            "that gap uses the European standard population; this task asks for the "
            'US 2000 standard (standard="us2000", the default).',
        )
    return Feedback(
        False,
        "run el.age_standardize on the patients with the group column, the diabetes "
        "column, the age column and the adult ages of the data as ages=(youngest, oldest), "
        "then subtract the White patients' adjusted_rate from the Hispanic or Latino "
        "patients' adjusted_rate (already in percent).",
    )


# --- Task 5: what happened, and why ----------------------------------------------------

#: The options of task 5, as the notebook prints them.
TASK5_OPTIONS = {
    "a": "The crude comparison was right; standardization created a gap that is not there.",
    "b": (
        "The direction of the gap reversed: White patients are older, diabetes is more "
        "common at older ages, and so their crude rate is raised by their age mix; at the "
        "same ages, Hispanic or Latino patients have the higher rate."
    ),
    "c": (
        "Hispanic or Latino patients have a lower chance of diabetes at every age, and "
        "standardization hides it."
    ),
    "d": "The crude and adjusted gaps point the same way; standardization only changed the size.",
}


@register(_EXERCISE, 5)
def _explanation(answer: object) -> Feedback:
    if not isinstance(answer, str) or answer.strip().lower() not in TASK5_OPTIONS:
        return Feedback(False, 'answer with one letter in quotes: "a", "b", "c" or "d".')
    letter = answer.strip().lower()
    crude, adjusted = _crude(), _adjusted()
    reversed_ = (crude[0] - crude[1]) * (adjusted[0] - adjusted[1]) < 0
    right = "b" if reversed_ else "d"
    if letter == right:
        return Feedback(
            True,
            "age is a confounder here: it is linked both to the group (the age mix differs) "
            "and to the outcome (diabetes rises with age). Comparing at equal ages removes "
            "its effect.",
        )
    hints = {
        "a": "compare the two groups within one age band (task 3): is the crude picture "
        "what you see among people of the same age?",
        "b": "compare the sign of the crude gap (task 1) with the sign of the adjusted gap "
        "(task 4) once more.",
        "c": "look again at your answer to task 3: which group had the higher rate among "
        "patients of the same age band?",
        "d": "compare the sign of the crude gap (task 1) with the sign of the adjusted gap "
        "(task 4): do they agree?",
    }
    return Feedback(False, hints[letter])


# --- Task 6: the same gap as a ratio ---------------------------------------------------


@register(_EXERCISE, 6)
def _adjusted_ratio(answer: object) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, "answer with a number, such as 1.2 (no quotes, no % sign).")
    group, reference = _adjusted()
    ratio = group / reference
    if close(value, ratio, 0.01):
        return Feedback(
            True,
            "the same adjusted gap as a ratio. Report it next to the difference in "
            "points: one says how many more people per hundred, the other how many times as "
            "often.",
        )
    if close(value, reference / group, 0.01):
        return Feedback(
            False,
            "the ratio is upside down: divide the Hispanic or Latino patients' rate by the "
            "White patients' rate.",
        )
    if close(value, 100 * ratio, 1.0):
        return Feedback(False, "write the ratio as a plain number, not as a percent.")
    if close(value, (100 - group) / (100 - reference), 0.005):
        return Feedback(
            False,
            "that is the ratio of the shares *without* diabetes (the favourable framing). "
            "Both framings are legitimate, and they give different ratios; this task asks "
            "for the ratio of the diabetes rates themselves.",
        )
    crude = _crude()
    if close(value, crude[0] / crude[1], 0.01) or close(value, crude[1] / crude[0], 0.01):
        return Feedback(
            False, "that ratio uses the crude rates; use the adjusted_rate column instead."
        )
    if close(value, group - reference, _POINTS):
        return Feedback(
            False, "that is the difference in points (task 4); a ratio divides instead."
        )
    return Feedback(
        False,
        "divide the Hispanic or Latino patients' adjusted_rate by the White patients' "
        "adjusted_rate.",
    )
