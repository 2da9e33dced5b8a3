"""Checks of exercise 02, *Stratify explorer*: right answers accepted, hints never answer.

Expected values are derived here independently of the check module, from
``el.stratify`` on the fictional Riverbend data (the checks must agree with the
library the learner uses), plus hand-computed invariants where possible.
"""

from __future__ import annotations

import pandas as pd
import pytest

import equitylab as el

EXERCISE = "02-stratify-explorer"
RACE = "race_ethnicity_group"
NOT_NAMED = {"Unknown", "Declined", "Missing"}


@pytest.fixture(scope="module")
def patients() -> pd.DataFrame:
    return el.load_dataset("riverbend_patients")


@pytest.fixture(scope="module")
def bp(patients) -> pd.DataFrame:
    return el.stratify(patients, RACE, "bp_controlled")


@pytest.fixture(scope="module")
def answers(patients, bp) -> dict[int, object]:
    shown = bp[~bp["suppressed"]]
    named = shown[~shown[RACE].isin(NOT_NAMED)]
    lowest = named.loc[named["rate"].idxmin()]
    ref = bp[bp["is_reference"]].iloc[0]
    clear = bool(lowest["ci_high"] < ref["ci_low"] or lowest["ci_low"] > ref["ci_high"])
    widest = shown.loc[(shown["ci_high"] - shown["ci_low"]).idxmax(), RACE]
    two_way = el.stratify(patients, [RACE, "sex"], "bp_controlled")
    crc = el.stratify(patients, RACE, "crc_screened", reference="Hispanic or Latino")
    diff = 100 * crc.set_index(RACE).loc["Black or African American", "rate_difference"]
    compared = named[~named["is_reference"]]
    not_meaningful = compared.loc[~compared["meaningful"].astype(bool), RACE].tolist()
    assert len(not_meaningful) == 1  # the task assumes exactly one such named group
    return {
        1: lowest[RACE],
        2: clear,
        3: widest,
        4: int(two_way["suppressed"].sum()),
        5: float(diff),
        6: not_meaningful[0],
    }


def _check(task: int, answer: object) -> el.Feedback:
    return el.check(EXERCISE, task, answer)


def test_every_task_has_a_check() -> None:
    from equitylab.exercises import exercise_tasks

    assert exercise_tasks(EXERCISE) == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("task", [1, 2, 3, 4, 5, 6])
def test_unanswered_says_how_to_start(task: int) -> None:
    assert _check(task, None).correct is None


@pytest.mark.parametrize("task", [1, 2, 3, 4, 5, 6])
def test_right_answers_are_accepted(task: int, answers) -> None:
    assert _check(task, answers[task]).correct is True


def test_answers_are_tolerant_of_spelling_and_type(answers) -> None:
    assert _check(1, f"  {answers[1].upper()} ").correct is True
    assert _check(2, "yes" if answers[2] else "no").correct is True
    assert _check(4, float(answers[4])).correct is True
    assert _check(5, round(answers[5], 1)).correct is True


def test_the_data_make_the_tasks_worth_doing(bp, answers) -> None:
    # The widest interval belongs to the smallest shown group, the narrowest to the largest:
    # the lesson of task 3 (width shrinks roughly as 1 / sqrt(n)).
    shown = bp[~bp["suppressed"]]
    assert answers[3] == shown.loc[shown["n"].idxmin(), RACE]
    # Task 4: complementary suppression hides more rows than the small counts alone.
    full = el.stratify(el.load_dataset("riverbend_patients"), [RACE, "sex"], "bp_controlled",
                       min_cell=0)  # fmt: skip
    small = ((full["n"] > 0) & (full["n"] < 11)) | (
        (full["events"] > 0) & (full["events"] < 11)
        | ((full["n"] - full["events"] > 0) & (full["n"] - full["events"] < 11))
    )
    assert answers[4] > int(small.sum()) > 0
    # Task 5: the group is below the new reference, by a different amount than below the old.
    crc = el.stratify(el.load_dataset("riverbend_patients"), RACE, "crc_screened")
    old = 100 * crc.set_index(RACE).loc["Black or African American", "rate_difference"]
    assert answers[5] < 0
    assert abs(answers[5] - old) > 1


def _wrong_cases(answers, patients, bp):
    ref = bp.loc[bp["is_reference"], RACE].iloc[0]
    largest = bp.loc[bp["n"].idxmax(), RACE]
    two_way = el.stratify(patients, [RACE, "sex"], "bp_controlled")
    crc_default = el.stratify(patients, RACE, "crc_screened").set_index(RACE)
    default_diff = 100 * crc_default.loc["Black or African American", "rate_difference"]
    meaningful_named = bp[
        (bp["meaningful"] == True) & ~bp[RACE].isin(NOT_NAMED)  # noqa: E712
    ][RACE].iloc[0]
    return [
        (1, ref, "reference group"),
        (1, "Unknown", "missing"),
        (1, "Martian", "not one of the groups"),
        (1, 3, "in quotes"),
        (2, not answers[2], "upper end"),
        (2, "maybe", "True"),
        (3, answers[1], "low rate does not make"),
        (3, largest, "narrowest"),
        (3, "Unknown", "subtract the lower end"),
        (4, len(two_way), "every row"),
        (4, 9, "own counts are small"),
        (4, 1, "set the second grouping"),
        (4, "twenty", "a number"),
        (5, -answers[5], "wrong sign"),
        (5, answers[5] / 100, "proportion"),
        (5, default_diff, "default reference"),
        (5, 42, "Reference group"),
        (6, meaningful_named, 'reads "no"'),
        (6, "Declined", "missing data"),
        (6, ref, "not compared with itself"),
    ]


def test_wrong_answers_get_a_hint_without_the_answer(answers, patients, bp) -> None:
    for task, answer, hint in _wrong_cases(answers, patients, bp):
        feedback = _check(task, answer)
        assert feedback.correct is False, (task, answer)
        assert hint in feedback.message, (task, answer, feedback.message)
        solution = answers[task]
        if isinstance(solution, str):
            assert solution.lower() not in feedback.message.lower()
        elif isinstance(solution, bool):
            assert str(solution) not in feedback.message.replace("True (", "").replace(
                "False (", ""
            )
        else:
            for shown in (f"{solution}", f"{solution:.1f}", f"{abs(solution):.1f}"):
                assert shown not in feedback.message


def test_primary_count_hint_matches_the_library(patients) -> None:
    # The "own counts are small" hint must fire on exactly the number of rows that
    # primary suppression (counts of 1-10 in n, events or n - events) would hide.
    from equitylab.exercises.stratify_explorer import _primary_count

    full = el.stratify(patients, [RACE, "sex"], "bp_controlled", min_cell=0)
    n, events = full["n"], full["events"]
    own = (
        ((n > 0) & (n < 11))
        | ((events > 0) & (events < 11))
        | ((n - events > 0) & (n - events < 11))
    )
    assert _primary_count() == int(own.sum()) == 9
