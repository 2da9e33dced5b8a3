"""Race and ethnicity recoding to the 2024 OMB SPD 15 categories (89 FR 22182)."""

from __future__ import annotations

import pandas as pd
import pytest

import equitylab as el
from equitylab.race_ethnicity import DECLINED, MULTIRACIAL, SPD15_CATEGORIES, UNKNOWN


def test_the_seven_minimum_categories_of_the_2024_standard() -> None:
    assert len(SPD15_CATEGORIES) == 7
    assert "Middle Eastern or North African" in SPD15_CATEGORIES
    assert "Hispanic or Latino" in SPD15_CATEGORIES


def test_messy_codes_map_and_the_report_says_how() -> None:
    codes = pd.Series(
        [
            "B",
            "Black",
            "African American",
            "AA",
            "black ",
            "W",
            "Caucasian",
            "A",
            "Asian American",
            "AI/AN",
            "NHPI",
            "Middle Eastern",
            "Other",
            "Multiple",
            "",
            None,
            "Declined",
            "Patient declined",
            "Unknown",
        ]
    )
    result = el.recode_race_ethnicity(codes, min_cell=0)
    alone = result.alone().tolist()
    assert alone[:5] == ["Black or African American"] * 5
    assert alone[5:7] == ["White"] * 2
    assert alone[7:9] == ["Asian"] * 2
    assert alone[9:12] == [
        "American Indian or Alaska Native",
        "Native Hawaiian or Pacific Islander",
        "Middle Eastern or North African",
    ]
    assert alone[12] == UNKNOWN and result.status.iloc[12] == "unrecognized"
    assert alone[13] == MULTIRACIAL and result.status.iloc[13] == "multiple, not specified"
    assert alone[14:16] == [UNKNOWN, UNKNOWN]
    assert alone[16:18] == [DECLINED, DECLINED]
    report = result.report
    other = report[report["value"] == "Other"].iloc[0]
    assert other["status"] == "unrecognized" and other["maps_to"] == UNKNOWN
    assert report["rows"].sum() == len(codes)  # nothing dropped


def test_several_selections_and_the_two_counting_rules() -> None:
    values = pd.Series(["Black or African American;White", "Asian", "Hispanic or Latino|White"])
    result = el.recode_race_ethnicity(values)
    assert result.alone().tolist() == [MULTIRACIAL, "Asian", MULTIRACIAL]
    combined = result.alone_or_in_combination()
    assert combined["race_ethnicity"].value_counts()["White"] == 2
    assert len(combined) == 5  # 2 + 1 + 2: each person counted in every selection
    assert sorted(combined.index.unique()) == [0, 1, 2]


def test_the_older_two_question_format() -> None:
    race = pd.Series(["White", "White", "Black", "", "Declined", "W"])
    hispanic = pd.Series(["Y", "N", "yes", "Yes", "No", ""])
    result = el.recode_race_ethnicity(race, hispanic)
    assert result.selections.tolist() == [
        ("Hispanic or Latino", "White"),
        ("White",),
        ("Black or African American", "Hispanic or Latino"),
        ("Hispanic or Latino",),
        (),
        ("White",),
    ]
    assert result.alone().tolist() == [
        MULTIRACIAL,
        "White",
        MULTIRACIAL,
        "Hispanic or Latino",
        DECLINED,
        "White",
    ]


def test_extra_codes_and_their_validation() -> None:
    result = el.recode_race_ethnicity(["Af-Am"], codes={"af-am": "Black or African American"})
    assert result.alone().tolist() == ["Black or African American"]
    with pytest.raises(el.EquityLabError, match="not a category"):
        el.recode_race_ethnicity(["x"], codes={"x": "Martian"})
    with pytest.raises(el.EquityLabError, match="same table"):
        el.recode_race_ethnicity(["White"], ["Y", "N"])


def test_report_counts_are_protected() -> None:
    result = el.recode_race_ethnicity(["White"] * 20 + ["B"] * 3)
    rows = dict(zip(result.report["value"], result.report["rows"], strict=True))
    assert rows["White"] == 20 and pd.isna(rows["B"])


def test_cleaning_the_messy_extract_recovers_the_clean_groups() -> None:
    messy = el.load_dataset("riverbend_extract_messy")
    clean = el.load_dataset("riverbend_patients").set_index("patient_id")
    result = el.recode_race_ethnicity(messy[" Race "], messy["Hispanic Ethnicity"], min_cell=0)
    truth = clean.loc[messy["MRN"], "race_ethnicity_group"].astype(str).to_numpy()
    recovered = result.alone().astype(str).to_numpy()
    mapped = (result.status == "mapped").to_numpy()
    assert mapped.mean() > 0.8
    assert (recovered[mapped] == truth[mapped]).all()


def test_report_names_the_group_that_alone_counts() -> None:
    # The report must agree with .alone(): a person with two recorded categories, or
    # "Multiple" with Hispanic "Yes", is counted as Multiracial and/or Multiethnic, and
    # the report says so, listing what was recorded in brackets.
    recoded = el.recode_race_ethnicity(
        pd.Series(["Multiple", "Multiple", "W;B", "White"]),
        pd.Series(["Y", "N", "N", "N"]),
        min_cell=0,
    )
    report = recoded.report.set_index(["value", "hispanic_value"])["maps_to"]
    multi = "Multiracial and/or Multiethnic"
    assert report[("Multiple", "Y")] == f"{multi} (Hispanic or Latino + races not specified)"
    assert report[("Multiple", "N")] == multi
    assert report[("W;B", "N")] == f"{multi} (Black or African American; White)"
    assert report[("White", "N")] == "White"
    assert recoded.alone().tolist() == [multi, multi, multi, "White"]
