"""Exercise 03, *Crude vs adjusted*: right answers pass, each wrong answer gets a hint
that teaches the method without giving the answer.

Expected values are recomputed here independently, with plain pandas and the US 2000
standard population weights (Klein & Schoenborn, Healthy People 2010 Statistical Notes
no. 20, 2001, Table 1), not through the check module. The pattern they test, a crude
diabetes gap that reverses once ages are standardized, is built-in pattern 1 of
datasets/README.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import equitylab as el
from equitylab.exercises.crude_vs_adjusted import AGE_BAND, TASK5_OPTIONS

EX = "03-crude-vs-adjusted"
H, W = "Hispanic or Latino", "White"
# US 2000 standard population, thousands, for 15-24 ... 85+ (Klein & Schoenborn 2001).
US2000_ADULT = {
    15: 38077,
    25: 37233,
    35: 44659,
    45: 37030,
    55: 23961,
    65: 18136,
    75: 12315,
    85: 4259,
}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    patients = el.load_dataset("riverbend_patients")
    patients = patients[patients["race_ethnicity_group"].isin([H, W])].copy()
    patients["race_ethnicity_group"] = patients["race_ethnicity_group"].astype(str)
    patients["diabetes"] = patients["diabetes"].astype(float)
    return patients


@pytest.fixture(scope="module")
def answers(data) -> dict[int, float]:
    crude = data.groupby("race_ethnicity_group")["diabetes"].mean() * 100
    median = data.groupby("race_ethnicity_group")["age"].median()
    band = data[data["age_band"].astype(str) == AGE_BAND]
    in_band = band.groupby("race_ethnicity_group")["diabetes"].mean() * 100
    # Direct standardization by hand: ages 18-100, so the 15-24 group keeps 7/10 of its weight.
    weights = dict(US2000_ADULT)
    weights[15] *= 7 / 10
    lows = np.array(sorted(weights))
    total = sum(weights.values())
    age_group = lows[np.searchsorted(lows, data["age"].to_numpy(dtype=float), side="right") - 1]
    rates = (
        data.assign(age_group=age_group)
        .groupby(["race_ethnicity_group", "age_group"])["diabetes"]
        .mean()
    )
    adjusted = {g: 100 * sum(weights[a] / total * rates[(g, a)] for a in weights) for g in (H, W)}
    return {
        1: crude[H] - crude[W],
        2: median[W] - median[H],
        3: in_band[H] - in_band[W],
        4: adjusted[H] - adjusted[W],
        6: adjusted[H] / adjusted[W],
        "crude_ratio": crude[H] / crude[W],
        "favourable_ratio": (100 - adjusted[H]) / (100 - adjusted[W]),
        "mean_age_gap": data.groupby("race_ethnicity_group")["age"]
        .mean()
        .pipe(lambda m: m[W] - m[H]),
    }


def test_the_built_in_pattern_holds(answers) -> None:
    # datasets/README.md, pattern 1: crude rates point one way, standardized rates the other.
    assert answers[1] < 0 < answers[4]
    assert answers[2] > 10
    assert answers[3] > 0


def test_unanswered_tasks_say_how_to_start() -> None:
    assert el.exercises.exercise_tasks(EX) == [1, 2, 3, 4, 5, 6]
    for task in el.exercises.exercise_tasks(EX):
        feedback = el.check(EX, task, None)
        assert feedback.correct is None
        assert "replace None" in feedback.message


def test_right_answers_are_accepted(answers) -> None:
    for task in (1, 2, 3, 4, 6):
        assert el.check(EX, task, answers[task]).correct is True, task
        assert el.check(EX, task, round(answers[task], 2)).correct is True, task
    assert el.check(EX, 3, np.float64(answers[3])).correct is True
    for letter in ("b", "B", " b "):
        assert el.check(EX, 5, letter).correct is True


def _solutions(answers) -> list[str]:
    texts = []
    for task in (1, 2, 3, 4, 6):
        value = answers[task]
        for digits in (1, 2):
            texts += [f"{value:.{digits}f}", f"{abs(value):.{digits}f}"]
    texts += [str(int(answers[2])), TASK5_OPTIONS["b"]]
    return texts


@pytest.mark.parametrize(
    ("task", "make_answer", "hint"),
    [
        (1, lambda a: -a[1], "wrong sign"),
        (1, lambda a: a[1] / 100, "proportions"),
        (1, lambda a: 100 * a[1] / (a[1] + 13.56), "relative"),
        (1, lambda a: a[4], "age-adjusted"),
        (1, lambda a: 42.0, "subtract"),
        (1, lambda a: "-1.7", "a number"),
        (2, lambda a: -a[2], "wrong sign"),
        (2, lambda a: a["mean_age_gap"], "mean ages"),
        (2, lambda a: 59.0, "single median"),
        (2, lambda a: 3.0, "median of the age column"),
        (3, lambda a: -a[3], "wrong sign"),
        (3, lambda a: a[1], "crude gap over all ages"),
        (3, lambda a: 30.0, AGE_BAND),
        (4, lambda a: -a[4], "wrong sign"),
        (4, lambda a: a[1], "crude gap"),
        (4, lambda a: a[4] / 100, "proportions"),
        (4, lambda a: 100 * (a[6] - 1), "relative"),
        (4, lambda a: 20.0, "el.age_standardize"),
        (6, lambda a: 1 / a[6], "upside down"),
        (6, lambda a: 100 * a[6], "not as a percent"),
        (6, lambda a: a["favourable_ratio"], "without"),
        (6, lambda a: a["crude_ratio"], "crude rates"),
        (6, lambda a: a[4], "difference in points"),
        (6, lambda a: 3.0, "divide"),
        (6, lambda a: "1.46", "a number"),
    ],
)
def test_wrong_answers_get_a_hint_without_the_answer(answers, task, make_answer, hint) -> None:
    feedback = el.check(EX, task, make_answer(answers))
    assert feedback.correct is False
    assert hint in feedback.message
    for solution in _solutions(answers):
        assert solution not in feedback.message


def test_european_standard_gets_its_own_hint(data, answers) -> None:
    table = el.age_standardize(
        data, "race_ethnicity_group", "diabetes", "age", standard="esp2013", ages=(18, 100)
    )
    rates = table.set_index("race_ethnicity_group")["adjusted_rate"]
    assert abs(rates[H] - rates[W] - answers[4]) > 0.5  # the two standards differ here
    feedback = el.check(EX, 4, rates[H] - rates[W])
    assert feedback.correct is False
    assert "European" in feedback.message


@pytest.mark.parametrize(
    ("letter", "hint"),
    [
        ("a", "within one age band"),
        ("c", "task 3"),
        ("d", "do they agree"),
        ("e", "one letter"),
        (2, "one letter"),
    ],
)
def test_wrong_explanations_point_back_to_the_evidence(answers, letter, hint) -> None:
    feedback = el.check(EX, 5, letter)
    assert feedback.correct is False
    assert hint in feedback.message
    for solution in _solutions(answers):
        assert solution not in feedback.message
