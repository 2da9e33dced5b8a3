"""Exercise 04, *Spot the signal*: right answers pass; wrong ones get a hint without the answer.

The data's built-in pattern (datasets/README.md, "Built-in patterns", 4): in
``riverbend_monthly`` only the rate for Black or African American patients changes, rising
from July 2024 and staying up. The run-chart rules are those of Perla, Provost & Murray,
BMJ Qual Saf 2011;20:46-51 (shift: 6 points on one side of the median; runs limits from
their Table 1: 13 to 25 runs for 36 useful points).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import equitylab as el
from equitylab.exercises import spot_the_signal

EX = "04-spot-the-signal"
SOLUTIONS = ("Black", "African American", "2024-07", "July", "2024-08")


def test_the_exercise_has_five_tasks_and_says_how_to_start() -> None:
    assert el.exercises.exercise_tasks(EX) == [1, 2, 3, 4, 5]
    for task in range(1, 6):
        feedback = el.check(EX, task, None)
        assert feedback.correct is None
        assert "replace None" in feedback.message


@pytest.mark.parametrize(
    ("task", "answer"),
    [
        (1, True),
        (1, "yes"),
        (2, "Black or African American"),
        (2, "black or african american"),
        (2, "Black"),
        (2, "African American"),
        (3, "2024-07"),
        (3, "2024-7"),
        (3, "July 2024"),
        (3, "Jul 2024"),
        (4, 5),
        (4, 5.0),
        (5, "2024-08"),
        (5, "August 2024"),
    ],
)
def test_right_answers_are_accepted(task: int, answer: object) -> None:
    assert el.check(EX, task, answer).correct is True


@pytest.mark.parametrize(
    ("task", "answer", "hint"),
    [
        (1, False, "six or more"),
        (1, "maybe", "True"),
        (2, "White", "cross its median often"),
        (2, "Hispanic or Latino", "cross its median often"),
        (2, "Asian", "a trend, not a shift"),
        (2, "All groups together", "the question is about the groups"),
        (2, "Martians", "exactly as"),
        (2, 3, "in quotes"),
        (3, "2025-08", "where the run above the median ends"),
        (3, "2023-02", "below the median"),
        (3, "2024-06", "close"),
        (3, "2024-09", "close"),
        (3, "2021-01", "not in the data"),
        (3, "2023-10", "first point"),
        (3, "soon", "like"),
        (3, 7, "like"),
        (4, 4, "crossings"),
        (4, 13, "a limit of the range"),
        (4, 25, "a limit of the range"),
        (4, 20, "consecutive points"),
        (4, "five", "whole number"),
        (5, "2024-07", "inside its limits"),
        (5, "none", "its own month's upper and lower limits"),
        (5, 1, "written like"),
        (5, "later", "written like"),
    ],
)
def test_wrong_answers_get_a_hint_without_the_answer(task: int, answer: object, hint: str) -> None:
    feedback = el.check(EX, task, answer)
    assert feedback.correct is False
    assert hint in feedback.message
    for solution in SOLUTIONS:
        assert solution not in feedback.message
    assert not re.search(r"\b5\b", feedback.message), feedback.message


def test_answers_agree_with_the_data_story() -> None:
    # datasets/README.md, built-in pattern 4: Black or African American patients' rate rises
    # from July 2024 and stays up; every other group is stable.
    assert spot_the_signal._the_group() == "Black or African American"
    start, _ = spot_the_signal._upward_shift(
        spot_the_signal._by_group()[spot_the_signal._the_group()]
    )
    assert start == "2024-07"
    # Perla et al. (2011), Table 1: 13 to 25 runs for 36 useful points; 5 runs is too few.
    signals = spot_the_signal._by_group()["Black or African American"]
    assert signals.runs_expected == (13, 25)
    assert signals.too_few_runs


def test_month_answers_are_read_in_common_formats() -> None:
    read = spot_the_signal._as_month
    assert read("2024-07") == read("2024/7") == read("July 2024") == read("jul. 2024") == "2024-07"
    assert read("Sept 2025") == "2025-09"
    assert read("2024-13") is None
    assert read("Smarch 2024") is None
    assert read(202407) is None


def _fake_monthly(shifted: str, start: int) -> pd.DataFrame:
    """36 months × 3 groups, alternating around 40%; ``shifted`` jumps to 60% from ``start``."""
    months = [str(p) for p in pd.period_range("2023-01", periods=36, freq="M")]
    rows = []
    for group in ("Alpha", "Beta", "Gamma"):
        for i, month in enumerate(months):
            events = 160 + (8 if i % 2 else -8)
            if group == shifted and i >= start:
                events = 240 + (8 if i % 2 else -8)
            rows.append((month, "bp_controlled", group, 400, events))
    return pd.DataFrame(rows, columns=["month", "measure", "group", "denominator", "numerator"])


def test_expected_answers_are_computed_from_the_data(monkeypatch) -> None:
    # Another data set, another answer: the checks hold no stored solution.
    fake = _fake_monthly("Gamma", 20)
    monkeypatch.setattr(spot_the_signal, "_monthly", lambda: fake)
    assert el.check(EX, 2, "Gamma").correct is True
    assert el.check(EX, 2, "Black or African American").correct is False
    assert el.check(EX, 3, "2024-09").correct is True  # position 20 = 2024-09
    assert el.check(EX, 3, "2024-07").correct is False
    runs = el.qi.stratified_run_chart(
        fake, time="month", group="group", events="numerator", totals="denominator"
    )[1]["Gamma"].runs
    assert el.check(EX, 4, runs).correct is True
    outside = el.qi.p_chart_limits(
        fake.loc[fake["group"] == "Gamma", "numerator"],
        fake.loc[fake["group"] == "Gamma", "denominator"],
    )["outside"].to_numpy()
    assert outside.any()  # a 20-point jump is far outside 3-sigma limits
    first = fake.loc[fake["group"] == "Gamma", "month"].to_numpy()[np.flatnonzero(outside)[0]]
    assert el.check(EX, 5, str(first)).correct is True


def test_a_stable_p_chart_accepts_none(monkeypatch) -> None:
    fake = _fake_monthly("Gamma", 20)
    fake.loc[fake["group"] == "Gamma", "numerator"] = 160  # Gamma is now flat: nothing outside
    fake.loc[(fake["group"] == "Beta") & (fake.index % 36 >= 20), "numerator"] += 80
    monkeypatch.setattr(spot_the_signal, "_monthly", lambda: fake)
    assert spot_the_signal._the_group() == "Beta"
    beta = fake[fake["group"] == "Beta"]
    limits = el.qi.p_chart_limits(beta["numerator"], beta["denominator"])
    assert limits["outside"].any()
    assert el.check(EX, 5, "none").correct is False
    monkeypatch.setattr(spot_the_signal, "_p_chart_outside", lambda: [])
    assert el.check(EX, 5, "none").correct is True
