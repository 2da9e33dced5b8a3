"""Race and ethnicity recoding to the 2024 OMB SPD 15 categories (89 FR 22182)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import equitylab as el
from equitylab.race_ethnicity import (
    ANOTHER,
    DECLINED,
    DETAILED_GROUPS,
    IN_COMBINATION_COLUMN,
    MULTIRACIAL,
    SPD15_CATEGORIES,
    UNKNOWN,
    combine_reports,
)


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
    # "Other" is an answer, not a missing one: its own group, never Unknown
    assert alone[12] == ANOTHER and result.status.iloc[12] == "other (not an SPD 15 category)"
    assert alone[13] == MULTIRACIAL and result.status.iloc[13] == "multiple, not specified"
    assert alone[14:16] == [UNKNOWN, UNKNOWN]
    assert alone[16:18] == [DECLINED, DECLINED]
    report = result.report
    other = report[report["value"] == "Other"].iloc[0]
    assert other["status"] == "other (not an SPD 15 category)" and other["maps_to"] == ANOTHER
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


# --- SPD 15 detailed groups, refusals, "Other" (issue 10, section 3) ----------------------

# Each family: detailed codes as extracts spell them, the minimum category they belong
# to (89 FR 22182, 2024: the definition's examples and the example form's), and the
# detailed label kept for each.
FAMILIES = {
    "American Indian or Alaska Native": {
        "Navajo Nation": "Navajo Nation",
        "navajo": "Navajo Nation",
        "Blackfeet Tribe": "Blackfeet Tribe",
        "Mayan": "Mayan",
        "Aztec": "Aztec",
        "Native Village of Barrow Inupiat Traditional Government": (
            "Native Village of Barrow Inupiat Traditional Government"
        ),
        "Nome Eskimo Community": "Nome Eskimo Community",
        "Cherokee": "Cherokee",
        "Yupik": "Yup'ik",
    },
    "Asian": {
        "Chinese": "Chinese",
        "Asian Indian": "Asian Indian",
        "FILIPINO": "Filipino",
        "Vietnamese": "Vietnamese",
        "Korean": "Korean",
        "Japanese": "Japanese",
        "Pakistani": "Pakistani",
        "Hmong": "Hmong",
        "Taiwanese": "Taiwanese",
    },
    "Black or African American": {
        "African American": "African American",
        "Jamaican": "Jamaican",
        "Haitian": "Haitian",
        "Nigerian": "Nigerian",
        "Ethiopian": "Ethiopian",
        "Somali": "Somali",
        "Ghanaian": "Ghanaian",
    },
    "Hispanic or Latino": {
        "Mexican": "Mexican",
        "Mexican American": "Mexican",
        "Puerto Rican": "Puerto Rican",
        "Salvadoran": "Salvadoran",
        "Cuban": "Cuban",
        "Dominican": "Dominican",
        "Guatemalan": "Guatemalan",
        "Colombian": "Colombian",
        "Honduran": "Honduran",
        "Peruvian": "Peruvian",
    },
    "Middle Eastern or North African": {
        "Lebanese": "Lebanese",
        "Iranian": "Iranian",
        "Egyptian": "Egyptian",
        "Syrian": "Syrian",
        "Iraqi": "Iraqi",
        "Israeli": "Israeli",
        "Moroccan": "Moroccan",
        "Arab": "Arab",
        "Palestinian": "Palestinian",
    },
    "Native Hawaiian or Pacific Islander": {
        "Native Hawaiian": "Native Hawaiian",
        "Samoan": "Samoan",
        "Chamorro": "Chamorro",
        "Guamanian or Chamorro": "Chamorro",
        "Tongan": "Tongan",
        "Fijian": "Fijian",
        "Marshallese": "Marshallese",
        "Chuukese": "Chuukese",
    },
    "White": {
        "English": "English",
        "German": "German",
        "Irish": "Irish",
        "Italian": "Italian",
        "Polish": "Polish",
        "Scottish": "Scottish",
        "French": "French",
    },
}


@pytest.mark.parametrize("category", list(FAMILIES))
def test_each_family_of_detailed_codes(category: str) -> None:
    spellings = FAMILIES[category]
    result = el.recode_race_ethnicity(list(spellings), min_cell=0)
    assert result.alone().tolist() == [category] * len(spellings)
    assert (result.status == "mapped").all()
    assert result.selections.tolist() == [(category,)] * len(spellings)
    assert result.detail.tolist() == list(spellings.values())  # the detail is kept
    maps_to = dict(zip(result.report["value"], result.report["maps_to"], strict=True))
    for code, label in spellings.items():
        assert maps_to[code] == f"{category} [detailed: {label}]"


def test_every_detailed_group_belongs_to_one_minimum_category() -> None:
    assert set(DETAILED_GROUPS.values()) == set(SPD15_CATEGORIES)
    result = el.recode_race_ethnicity(list(DETAILED_GROUPS), min_cell=0)
    assert result.alone().tolist() == list(DETAILED_GROUPS.values())
    assert result.detail.tolist() == list(DETAILED_GROUPS)


def test_afghan_follows_the_standard_s_example_form_asian_not_mena() -> None:
    result = el.recode_race_ethnicity(["Afghan"])
    assert result.alone().tolist() == ["Asian"] and result.detail.tolist() == ["Afghan"]


def test_ambiguous_names_are_not_guessed() -> None:
    # "Indian" (Asian Indian or American Indian?), "Native", "African" and "Spanish"
    # (often a language) stay visible as unrecognized rather than being guessed.
    values = ["Indian", "Native", "African", "Spanish"]
    result = el.recode_race_ethnicity(values, min_cell=0)
    assert result.alone().tolist() == [UNKNOWN] * 4
    assert (result.status == "unrecognized").all()
    assert set(result.report["value"]) == set(values)


def test_refusals_in_any_common_phrasing_become_declined() -> None:
    refusals = [
        "Patient refused",
        "Refused",
        "Declined to answer",
        "Chose not to disclose",
        "Prefer not to say",
        "Does not wish to disclose",
        "Not disclosed",
        # not in the code list: recognized by their wording
        "Patient refused to answer",
        "Declined to specify",
        "PREFERS NOT TO DISCLOSE",
        "Did not wish to answer",
        "Patient unwilling to provide",
    ]
    result = el.recode_race_ethnicity(refusals, min_cell=0)
    assert result.alone().tolist() == [DECLINED] * len(refusals)
    assert (result.status == "declined").all()
    assert (result.report["maps_to"] == DECLINED).all()
    # a refusal beside a selection adds nothing to it
    assert el.recode_race_ethnicity(["White; declined to answer"]).alone().tolist() == ["White"]


def test_other_is_its_own_group_not_unknown() -> None:
    values = ["Other", "Some other race", "other race", "Another race or ethnicity", " OTHER "]
    result = el.recode_race_ethnicity(values, min_cell=0)
    assert ANOTHER == "Another race or ethnicity (not specified)"
    assert result.alone().tolist() == [ANOTHER] * len(values)
    assert (result.status == "other (not an SPD 15 category)").all()
    assert result.selections.tolist() == [()] * len(values)  # not one of the seven
    statuses = set(result.report["status"])
    assert statuses == {"other (not an SPD 15 category)"} and UNKNOWN not in set(
        result.report["maps_to"]
    )
    # with Hispanic "Yes" in the older format, "Other" is Hispanic or Latino alone
    older = el.recode_race_ethnicity(["Other", "Other"], ["Yes", "No"])
    assert older.alone().tolist() == ["Hispanic or Latino", ANOTHER]
    # a category listed with "Other": more than one, not all named
    both = el.recode_race_ethnicity(["White;Other"], min_cell=0)
    assert both.alone().tolist() == [MULTIRACIAL]
    assert both.report["maps_to"].iloc[0] == f"{MULTIRACIAL} (White + races not specified)"
    # an informative answer: it counts as complete
    table = el.stratify(
        pd.DataFrame({"g": result.alone(), "y": [1, 0, 1, 0, 1]}), "g", "y", min_cell=0
    )
    assert el.completeness(table)["complete"].iloc[0] == 1.0


def test_unknown_is_still_unknown() -> None:
    values = ["", None, float("nan"), "Unknown", "UNK", "Not recorded", "Not asked", "n/a"]
    result = el.recode_race_ethnicity(values, min_cell=0)
    assert result.alone().tolist() == [UNKNOWN] * len(values)
    assert (result.status == "unknown").all()
    assert result.detail.isna().all()


def test_detail_is_kept_for_several_selections_and_the_older_format() -> None:
    result = el.recode_race_ethnicity(["Filipino;Irish", "Black|Jamaican", "Korean"], min_cell=0)
    assert result.selections.tolist() == [
        ("Asian", "White"),
        ("Black or African American",),
        ("Asian",),
    ]
    assert result.alone().tolist() == [MULTIRACIAL, "Black or African American", "Asian"]
    assert result.detail.tolist() == ["Filipino; Irish", "Jamaican", "Korean"]
    maps_to = result.report.set_index("value")["maps_to"]
    assert maps_to["Filipino;Irish"] == f"{MULTIRACIAL} (Asian; White) [detailed: Filipino; Irish]"
    # a Hispanic origin in the separate ethnicity column counts as "Yes", with its detail
    older = el.recode_race_ethnicity(["White", "", "Black"], ["Mexican", "Puerto Rican", "No"])
    assert older.alone().tolist() == [
        MULTIRACIAL,
        "Hispanic or Latino",
        "Black or African American",
    ]
    assert older.detail.tolist()[:2] == ["Mexican", "Puerto Rican"]
    assert pd.isna(older.detail.iloc[2])


def test_the_report_says_what_every_distinct_value_became() -> None:
    values = pd.Series(
        ["Filipino", "filipino ", "Patient refused", "Other", "", None, "Martian", "W;B"] * 3
        + ["Samoan"]
    )
    result = el.recode_race_ethnicity(values, min_cell=0)
    report = result.report.set_index("value")
    # one row per distinct value after trimming and case: "Filipino" and "filipino " are one
    assert len(report) == 7
    assert report["rows"].sum() == len(values)
    assert report.loc["Filipino", "rows"] == 6
    assert report.loc["Martian", "status"] == "unrecognized"
    # and each row's maps_to names the group .alone() gives those people
    alone = result.alone().astype(str)
    expected = {
        "Filipino": ("Asian", "Asian [detailed: Filipino]"),
        "Patient refused": (DECLINED, DECLINED),
        "Other": (ANOTHER, ANOTHER),
        "": (UNKNOWN, UNKNOWN),
        "Martian": (UNKNOWN, UNKNOWN),
        "W;B": (MULTIRACIAL, f"{MULTIRACIAL} (Black or African American; White)"),
        "Samoan": ("Native Hawaiian or Pacific Islander", None),
    }
    clean = values.fillna("").str.strip().str.lower()
    for value, (group, maps_to) in expected.items():
        people = alone[clean == value.lower()]
        assert set(people) == {group}, value
        assert report.loc[value, "maps_to"].startswith(group)
        if maps_to is not None:
            assert report.loc[value, "maps_to"] == maps_to


def test_combine_reports_of_pieces_equals_the_whole() -> None:
    messy = el.load_dataset("riverbend_extract_messy")
    race, hispanic = messy[" Race "], messy["Hispanic Ethnicity"]
    whole = el.recode_race_ethnicity(race, hispanic).report
    pieces = [
        el.recode_race_ethnicity(race.iloc[i : i + 300], hispanic.iloc[i : i + 300], min_cell=0)
        for i in range(0, len(race), 300)
    ]
    combined = combine_reports([p.report for p in pieces])
    pd.testing.assert_frame_equal(combined, whole)
    with pytest.raises(el.EquityLabError, match="min_cell=0"):
        combine_reports([el.recode_race_ethnicity(race).report])


# --- alone or in combination: one protected table per category ----------------------------


def _small_population() -> tuple[pd.DataFrame, object]:
    """40 people, hand-countable: Asian alone 14 (10 with the outcome), Asian and White
    6 (3), White alone 12 (6), Samoan 3 (1), Unknown 5 (2)."""
    race = ["Filipino"] * 14 + ["Asian;White"] * 6 + ["White"] * 12 + ["Samoan"] * 3 + [""] * 5
    outcome = (
        [1] * 10 + [0] * 4 + [1] * 3 + [0] * 3 + [1] * 6 + [0] * 6 + [1, 0, 0] + [1, 1, 0, 0, 0]
    )
    df = pd.DataFrame({"race": race, "screened": outcome})
    return df, el.recode_race_ethnicity(df["race"])


def test_in_combination_tables_known_answers() -> None:
    df, coded = _small_population()
    tables = el.stratify_in_combination(df, coded, "screened", min_cell=0)
    assert list(tables) == list(SPD15_CATEGORIES)
    asian = tables["Asian"].set_index(IN_COMBINATION_COLUMN)
    # in it: 14 + 6 = 20 people, 13 with the outcome; not in it: 12 + 3 = 15, 7; no total row
    assert asian.index.tolist() == ["Asian (alone or in combination)", "Not Asian", "Unknown"]
    assert asian["n"].tolist() == [20, 15, 5] and asian["events"].tolist() == [13, 7, 2]
    white = tables["White"].set_index(IN_COMBINATION_COLUMN)
    assert white["n"].tolist() == [18, 17, 5] and white["events"].tolist() == [9, 11, 2]
    # the reference is the people not in the category
    assert asian.loc["Not Asian", "is_reference"]
    assert asian.loc["Asian (alone or in combination)", "rate_difference"] == pytest.approx(
        13 / 20 - 7 / 15
    )
    # each table counts every person once; together they count the six people twice
    for table in tables.values():
        assert table["n"].sum() == len(df)
        assert table.attrs["overlapping_groups"] is True
        assert any("more than once" in note for note in table.attrs["notes"])
    inside = sum(int(t["n"].iloc[0]) for t in tables.values() if "alone" in str(t.iloc[0, 0]))
    assert inside == 14 + 2 * 6 + 12 + 3 > len(df) - 5
    assert tables["White"].attrs["alone_or_in_combination"] == "White"


def test_in_combination_table_is_stratify_on_the_membership_column() -> None:
    patients = el.load_dataset("riverbend_patients")
    coded = el.recode_race_ethnicity(patients["race_ethnicity"])
    tables = el.stratify_in_combination(patients, coded, "bp_controlled")
    for category in ("Asian", "White"):
        direct = el.stratify(
            patients.assign(m=coded.in_combination(category)),
            "m",
            "bp_controlled",
            reference=f"Not {category}",
        )
        mine = tables[category]
        assert mine["n"].tolist() == direct["n"].tolist()
        assert mine["suppressed"].tolist() == direct["suppressed"].tolist()
        np.testing.assert_allclose(mine["rate"], direct["rate"])
    # Riverbend's table is two rows plus Unknown and Declined (no one is "Other")
    assert tables["Asian"][IN_COMBINATION_COLUMN].astype(str).tolist() == [
        "Asian (alone or in combination)",
        "Not Asian",
        "Unknown",
        "Declined",
    ]


def test_in_combination_tables_are_protected_one_by_one() -> None:
    df, coded = _small_population()
    tables = el.stratify_in_combination(df, coded, "screened")  # min_cell=11
    nhpi = tables["Native Hawaiian or Pacific Islander"]
    # three Samoan people: hidden, and the partner row too (its n is the total minus 3)
    assert nhpi["suppressed"].iloc[0] and pd.isna(nhpi["n"].iloc[0])
    assert nhpi["n"].isna().sum() >= 2
    # Asian, alone or in combination: 20 people shown, but 7 without the outcome: its
    # rate is hidden, and so is the rate of the 15 people not in it (8 without)
    asian = tables["Asian"]
    assert asian["n"].iloc[0] == 20 and asian["suppressed"].iloc[0]
    assert pd.isna(asian["events"].iloc[0]) and pd.isna(asian["rate"].iloc[0])
    for table in tables.values():  # no count of 1-10 anywhere
        for column in ("n", "events"):
            shown = table[column].dropna().astype(int)
            assert not ((shown > 0) & (shown < 11)).any()


def test_in_combination_errors() -> None:
    df, coded = _small_population()
    with pytest.raises(el.EquityLabError, match="40 people but the table has 39"):
        el.stratify_in_combination(df.iloc[1:], coded, "screened")
    with pytest.raises(el.EquityLabError, match="result of recode_race_ethnicity"):
        el.stratify_in_combination(df, coded.alone(), "screened")
    with pytest.raises(el.EquityLabError, match="not an SPD 15 minimum category"):
        coded.in_combination("Multiracial and/or Multiethnic")


def test_summary_measures_refuse_overlapping_groups() -> None:
    df, coded = _small_population()
    tables = el.stratify_in_combination(df, coded, "screened", min_cell=0)
    for table in (tables["Asian"], pd.concat(list(tables.values()), ignore_index=True)):
        with pytest.raises(el.EquityLabError, match="overlap") as info:
            el.theil_index(table, higher_is_better=True)
        message = str(info.value)
        assert "more than the number of people" in message and "alone groups" in message
    with pytest.raises(el.EquityLabError, match="overlap"):
        el.disparity_summary(tables["White"])
    # people counted in every category they selected: stratify marks the result
    rows = coded.alone_or_in_combination()
    assert rows.attrs["overlapping_groups"] is True
    exploded = rows.assign(screened=df["screened"])
    table = el.stratify(exploded, "race_ethnicity", "screened", min_cell=0)
    assert table["n"].sum() == 46 > len(df)  # the six Asian and White people, twice
    with pytest.raises(el.EquityLabError, match="overlap"):
        el.between_group_variance(table)
    # the alone groups count each person once: measures work
    alone = el.stratify(df.assign(g=coded.alone()), "g", "screened", min_cell=0)
    assert np.isfinite(el.between_group_variance(alone).value)


def test_notes_warn_when_the_alone_table_beside_would_give_a_small_count_away() -> None:
    df, coded = _small_population()
    tables = el.stratify_in_combination(df, coded, "screened")

    def warned(category: str) -> bool:
        return any("beside the alone table" in n for n in tables[category].attrs["notes"])

    # 6 people selected Asian and White: Asian 20 in combination - 14 alone = 6
    assert warned("Asian") and warned("White")
    # nobody selected Black or African American: nothing to give away
    assert not warned("Black or African American")
    # Samoan people selected one category only: the two tables agree exactly
    assert not warned("Native Hawaiian or Pacific Islander")
    assert not any(
        "beside" in n
        for t in el.stratify_in_combination(df, coded, "screened", min_cell=0).values()
        for n in t.attrs["notes"]
    )
