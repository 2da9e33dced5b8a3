"""Exercise 01, *Fix the extract*: right answers pass, wrong ones get a hint without the answer.

The expected answers are derived here independently of the checks: from the CSV file read
with the standard library, and from the clean ``riverbend_patients`` file, which the data
dictionary (datasets/README.md, "Cleaning the messy extract") says a correct cleaning of the
messy extract recovers exactly (the extract's MRN is the patient_id).
"""

from __future__ import annotations

import csv
import re

import numpy as np
import pytest

import equitylab as el
from equitylab.data import dataset_path

EX = "01-fix-the-extract"


def _raw_race_codes() -> list[str]:
    with dataset_path("riverbend_extract_messy").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    return [row[" Race "] for row in rows]


@pytest.fixture(scope="module")
def truth() -> dict[str, object]:
    raw = el.load_dataset("riverbend_extract_messy")
    patients = el.load_dataset("riverbend_patients").set_index("patient_id")
    groups = patients.loc[raw["MRN"], "race_ethnicity_group"].astype(str)
    unknown = int((groups == "Unknown").sum())
    declined = int((groups == "Declined").sum())
    codes = _raw_race_codes()
    return {
        "distinct": len(set(codes)),
        "unknown": unknown,
        "declined": declined,
        "complete": 1 - (unknown + declined) / len(codes),
        "rows": len(codes),
    }


def _mentions(message: str, number: object) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(str(number))}(?![\d])", message) is not None


def test_the_exercise_has_four_tasks() -> None:
    assert el.exercises.exercise_tasks(EX) == [1, 2, 3, 4]


def test_unanswered_tasks_say_how_to_start() -> None:
    for task in el.exercises.exercise_tasks(EX):
        feedback = el.check(EX, task, None)
        assert feedback.correct is None
        assert "replace None" in feedback.message


def test_the_extract_is_as_documented(truth: dict[str, object]) -> None:
    # datasets/README.md: 2,000 patients; codes include a trailing-space variant and blanks.
    assert truth["rows"] == 2000
    codes = set(_raw_race_codes())
    assert {"", "black ", "Black", "B", "AA", "Patient declined", "Declined"} <= codes


def test_right_answers_are_accepted(truth: dict[str, object]) -> None:
    unknown, declined = truth["unknown"], truth["declined"]
    accepted = [
        (1, truth["distinct"]),
        (1, np.int64(truth["distinct"])),
        (2, (unknown, declined)),
        (2, [unknown, declined]),
        (2, (np.int64(unknown), np.int64(declined))),
        (2, {"Unknown": unknown, "Declined": declined}),
        (2, {"declined": declined, "unknown": unknown}),
        (3, truth["complete"]),
        (3, round(truth["complete"], 3)),
    ]
    for task, answer in accepted:
        feedback = el.check(EX, task, answer)
        assert feedback.correct is True, (task, answer, feedback)


def test_hidden_groups_are_those_with_small_counts() -> None:
    raw = el.load_dataset("riverbend_extract_messy")
    recoded = el.recode_race_ethnicity(raw[" Race "], raw["Hispanic Ethnicity"])
    clean = raw.assign(race_ethnicity_group=recoded.alone())
    shown = el.stratify(clean, "race_ethnicity_group", "BP Controlled")
    full = el.stratify(clean, "race_ethnicity_group", "BP Controlled", min_cell=0)
    n, events = full["n"].astype(int), full["events"].astype(int)
    small = ((n > 0) & (n < 11)) | ((events > 0) & (events < 11))
    small |= ((n - events) > 0) & ((n - events) < 11)
    # every group with a count of 1-10 is hidden, and at least one is (the task is not empty)
    assert small.any()
    assert shown.loc[small.to_numpy(), "suppressed"].all()
    # Task 4 asks for a group whose n is shown but whose rate is hidden. Worked out here
    # from the unprotected table: a group whose outcome count (with or without) is 1-10,
    # among those whose n the protected table shows. (An n of 11 or more can itself be
    # hidden by complementary suppression, as American Indian or Alaska Native is here.)
    names = full["race_ethnicity_group"].astype(str)
    outcome_small = ((events > 0) & (events < 11)) | (((n - events) > 0) & ((n - events) < 11))
    n_shown = shown["n"].notna().to_numpy()
    size_shown_rate_hidden = names[outcome_small & n_shown].tolist()
    n_hidden = names[~n_shown].tolist()
    assert size_shown_rate_hidden and n_hidden  # the task has answers, and traps
    for group in size_shown_rate_hidden:
        assert el.check(EX, 4, group).correct is True, group
        assert el.check(EX, 4, group.upper()).correct is True, group
    for group in n_hidden:
        assert "n is hidden as well" in el.check(EX, 4, group).message
    for group in names[~shown["suppressed"].to_numpy()]:
        assert "rate is shown" in el.check(EX, 4, group).message


def _wrong_answers(truth: dict[str, object]) -> list[tuple[int, object, str]]:
    raw = el.load_dataset("riverbend_extract_messy")
    codes = raw[" Race "]
    tidied = codes.str.strip().str.lower().nunique()
    unknown, declined = truth["unknown"], truth["declined"]
    race_only = el.recode_race_ethnicity(codes).alone().value_counts()
    raw_declined = int((codes.str.strip().str.lower() == "declined").sum())
    raw_unknown = int((codes.str.strip().str.lower() == "unknown").sum())
    raw_complete = float(
        el.completeness(el.stratify(raw, " Race ", "BP Controlled"))["complete"][0]
    )
    return [
        (1, "twenty", "a number"),
        (1, True, "a number"),
        (1, tidied, "exactly as received"),
        (1, 7, "categories after recoding"),
        (1, 10, "categories after recoding"),
        (1, 3, "raw.columns"),
        (2, 5, "two numbers"),
        (2, (unknown, "x"), "two numbers"),
        (2, {"unknown": unknown}, "two numbers"),
        (2, (declined, unknown), "wrong order"),
        (2, (int(race_only["Unknown"]), declined), "Hispanic Ethnicity column"),
        (2, (unknown + 5, raw_declined), "raw code 'Declined' only"),
        (2, (raw_unknown, declined + 5), "raw code 'Unknown' only"),
        (2, (unknown, declined + 1), "Unknown is right"),
        (2, (unknown + 1, declined), "Declined is right"),
        (2, (0, 0), "recode with"),
        (3, "0.9", "between 0 and 1"),
        (3, 100 * truth["complete"], "percentage"),
        (3, raw_complete, "raw race column"),
        (3, 1 - unknown / truth["rows"], "both Unknown and Declined"),
        (3, 1 - declined / truth["rows"], "both Unknown and Declined"),
        (3, 0.5, "el.completeness"),
        (4, 4, "in quotes"),
        (4, "Martians", "exactly as the table shows"),
        (4, "White", "rate is shown"),
    ]


def test_wrong_answers_get_a_hint_without_the_answer(truth: dict[str, object]) -> None:
    answers = {
        1: [truth["distinct"]],
        2: [truth["unknown"], truth["declined"]],
        3: [round(truth["complete"], 3), round(100 * truth["complete"], 1)],
        4: ["Multiracial", "Middle Eastern"],
    }
    for task, answer, hint in _wrong_answers(truth):
        feedback = el.check(EX, task, answer)
        assert feedback.correct is False, (task, answer)
        assert hint in feedback.message, (task, answer, feedback.message)
        for number in answers[task]:
            assert not _mentions(feedback.message, number), (task, answer, feedback.message)


def test_task_4_hints_do_not_name_an_answer() -> None:
    raw = el.load_dataset("riverbend_extract_messy")
    recoded = el.recode_race_ethnicity(raw[" Race "], raw["Hispanic Ethnicity"])
    clean = raw.assign(race_ethnicity_group=recoded.alone())
    table = el.stratify(clean, "race_ethnicity_group", "BP Controlled")
    groups = table["race_ethnicity_group"].astype(str)
    right = set(groups[table["n"].notna() & table["suppressed"]])
    for wrong in [*sorted(set(groups) - right), "Martians", 3, 2.5]:
        message = el.check(EX, 4, wrong).message
        assert not any(name in message for name in right), (wrong, message)
