"""Checks for exercise 01, *Fix the extract* (the fictional Riverbend messy extract).

Every expected answer is computed here from ``riverbend_extract_messy`` and the
library itself (:func:`~equitylab.race_ethnicity.recode_race_ethnicity`,
:func:`~equitylab.stratify.stratify`, :func:`~equitylab.stratify.completeness`), so
it never appears in the learner's notebook, and it follows the data if they are
regenerated.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import pandas as pd

from ..data import load_dataset
from ..race_ethnicity import DECLINED, SPD15_CATEGORIES, UNKNOWN, recode_race_ethnicity
from ..stratify import completeness, stratify
from ._core import Feedback, as_number, close, normalise_group, register

_FIX = "01-fix-the-extract"
_EXTRACT = "riverbend_extract_messy"
_HISPANIC = "Hispanic Ethnicity"
_OUTCOME = "BP Controlled"


@cache
def _raw() -> pd.DataFrame:
    return load_dataset(_EXTRACT)


def _race_column(raw: pd.DataFrame) -> str:
    return next(c for c in raw.columns if c.strip().lstrip("\ufeff") == "Race")


@cache
def _clean() -> pd.DataFrame:
    raw = _raw()
    recoded = recode_race_ethnicity(raw[_race_column(raw)], raw[_HISPANIC])
    return raw.assign(race_ethnicity_group=recoded.alone())


@cache
def _group_counts(with_hispanic: bool) -> dict[str, int]:
    raw = _raw()
    hispanic = raw[_HISPANIC] if with_hispanic else None
    alone = recode_race_ethnicity(raw[_race_column(raw)], hispanic).alone()
    return {str(k): int(v) for k, v in alone.value_counts().items()}


def _as_pair(answer: object) -> tuple[float, float] | None:
    """(unknown, declined) from a pair or a mapping; None if it is neither."""
    if isinstance(answer, Mapping):
        keys = {str(k).strip().lower(): v for k, v in answer.items()}
        if set(keys) != {"unknown", "declined"}:
            return None
        values = (as_number(keys["unknown"]), as_number(keys["declined"]))
    elif isinstance(answer, (tuple, list)) and len(answer) == 2:
        values = (as_number(answer[0]), as_number(answer[1]))
    else:
        return None
    if values[0] is None or values[1] is None:
        return None
    return values[0], values[1]


# --- task 1: how many distinct race codes, as received -------------------------------


@register(_FIX, 1)
def _distinct_codes(answer: object) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, "answer with a number (no quotes).")
    raw = _raw()
    race = raw[_race_column(raw)]
    expected = race.nunique(dropna=False)
    if close(value, expected, 0):
        return Feedback(
            True,
            "that is how many different codes the race column holds as received, "
            "each spelling, stray space and blank counted separately.",
        )
    tidied = race.str.strip().str.lower().nunique()
    without_blank = race[race.str.strip() != ""].nunique()
    if close(value, tidied, 0) or close(value, without_blank, 0):
        return Feedback(
            False,
            "close. Count the values exactly as received: codes that differ only by "
            "capital letters or a trailing space are different codes in the file, and "
            "a blank cell is a code too.",
        )
    if close(value, len(SPD15_CATEGORIES), 0) or close(
        value, _clean()["race_ethnicity_group"].nunique(), 0
    ):
        return Feedback(
            False,
            "that is a number of categories after recoding. The task asks how many "
            "raw codes the file holds before any cleaning.",
        )
    return Feedback(
        False,
        "use .nunique() or .value_counts() on the race column. Its name is not "
        "exactly 'Race': print raw.columns to see it.",
    )


# --- task 2: Unknown and Declined after recoding ------------------------------------


@register(_FIX, 2)
def _unknown_declined(answer: object) -> Feedback:
    pair = _as_pair(answer)
    if pair is None:
        return Feedback(
            False,
            "answer with two numbers in brackets, Unknown first and Declined second: "
            "(unknown, declined).",
        )
    unknown, declined = pair
    counts = _group_counts(with_hispanic=True)
    want_unknown, want_declined = counts.get(UNKNOWN, 0), counts.get(DECLINED, 0)
    if close(unknown, want_unknown, 0) and close(declined, want_declined, 0):
        return Feedback(
            True,
            "both are right, and they stay two separate groups: Unknown means nobody "
            "recorded an answer, Declined means the patient chose not to give one.",
        )
    if close(unknown, want_declined, 0) and close(declined, want_unknown, 0):
        return Feedback(False, "right numbers, wrong order: Unknown first, then Declined.")
    race_only = _group_counts(with_hispanic=False)
    if close(unknown, race_only.get(UNKNOWN, 0), 0):
        return Feedback(
            False,
            "your Unknown count treats some real answers as unknown. Pass the Hispanic "
            "Ethnicity column to recode_race_ethnicity too: in the older two-question "
            "format, a blank or 'Other' race with Hispanic 'Yes' means the patient "
            "selected Hispanic or Latino.",
        )
    raw = _raw()
    codes = raw[_race_column(raw)].str.strip().str.lower()
    if close(declined, int((codes == "declined").sum()), 0):
        return Feedback(
            False,
            "your Declined count looks like the raw code 'Declined' only. Another code "
            "in the file also means the patient declined: count the recoded groups, "
            "not the raw codes.",
        )
    if close(unknown, int((codes == "unknown").sum()), 0):
        return Feedback(
            False,
            "your Unknown count looks like the raw code 'Unknown' only. Blank cells mean "
            "the answer was not recorded too: count the recoded groups, not the raw codes.",
        )
    if close(unknown, want_unknown, 0):
        return Feedback(
            False,
            "Unknown is right; check Declined. Count it in the recoded groups, e.g. with "
            ".alone().value_counts().",
        )
    if close(declined, want_declined, 0):
        return Feedback(
            False,
            "Declined is right; check Unknown. Count it in the recoded groups, e.g. with "
            ".alone().value_counts().",
        )
    return Feedback(
        False,
        "recode with el.recode_race_ethnicity(race, hispanic), then count the groups of "
        ".alone() with .value_counts().",
    )


# --- task 3: completeness of the cleaned field ---------------------------------------


def _completeness_of(table: pd.DataFrame) -> float:
    return float(completeness(table)["complete"].iloc[0])


@register(_FIX, 3)
def _cleaned_completeness(answer: object) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, "answer with a number between 0 and 1 (no quotes, no % sign).")
    clean = _clean()
    expected = _completeness_of(stratify(clean, "race_ethnicity_group", _OUTCOME))
    if close(value, expected, 0.0005):
        return Feedback(
            True,
            "that is the share of all patients in the extract whose race and ethnicity "
            "is informative: neither Unknown, Declined nor blank.",
        )
    if close(value, 100 * expected, 0.05):
        return Feedback(
            False,
            "that looks like a percentage; give the share as a proportion between 0 and 1.",
        )
    raw = _raw()
    raw_share = _completeness_of(stratify(raw, _race_column(raw), _OUTCOME))
    if close(value, raw_share, 0.0005):
        return Feedback(
            False,
            "that is the completeness of the raw race column. Compute it on the cleaned "
            "column, where blanks with Hispanic 'Yes' became answers and every spelling "
            "of 'declined' became Declined.",
        )
    counts = clean["race_ethnicity_group"].value_counts()
    total = len(clean)
    slips = (
        1 - counts[UNKNOWN] / total,  # Declined counted as informative
        1 - counts[DECLINED] / total,  # Unknown counted as informative
    )
    if any(close(value, s, 0.0005) for s in slips):
        return Feedback(
            False,
            "completeness leaves out every answer that does not place a patient in a "
            "group: both Unknown and Declined (and blanks).",
        )
    # the share among patients with a usable outcome only (the n column), unsuppressed
    table = stratify(clean, "race_ethnicity_group", _OUTCOME, min_cell=0)
    usable = table["n"].astype(float)
    labels = table["race_ethnicity_group"].astype(str)
    informative = usable[~labels.isin([UNKNOWN, DECLINED])].sum()
    if close(value, float(informative / usable.sum()), 0.0005):
        return Feedback(
            False,
            "the n column counts only patients with a usable outcome. Completeness counts "
            "every patient in the extract: use el.completeness on the stratified table.",
        )
    return Feedback(
        False,
        "stratify the cleaned extract by race_ethnicity_group, then read the 'complete' "
        "column of el.completeness(table).",
    )


# --- task 4: a group whose size is shown but whose rate is hidden ---------------------


@register(_FIX, 4)
def _hidden_rate_shown_size(answer: object) -> Feedback:
    if not isinstance(answer, str):
        return Feedback(False, 'answer with a group\'s name as text, in quotes, e.g. "...".')
    table = stratify(_clean(), "race_ethnicity_group", _OUTCOME)
    names = {normalise_group(str(g)): str(g) for g in table["race_ethnicity_group"]}
    group = names.get(normalise_group(answer))
    if group is None:
        return Feedback(
            False, "use one of the race_ethnicity_group names exactly as the table shows them."
        )
    row = table.set_index("race_ethnicity_group").loc[group]
    if pd.isna(row["n"]):
        return Feedback(
            False,
            "that group's n is hidden as well, so its whole row is protected. Look for a row "
            "whose n is a number but whose rate is NaN.",
        )
    if not row["suppressed"]:
        return Feedback(
            False,
            "that group's rate is shown. Look for a row whose n is a number but whose rate "
            "is NaN (its suppressed column is True).",
        )
    return Feedback(
        True,
        "its number of patients is shown, but the number with (or without) controlled "
        "blood pressure is between 1 and 10, or showing it would let someone work out a "
        "small count elsewhere by subtraction, so the rate, which would reveal it, is "
        "hidden too.",
    )
