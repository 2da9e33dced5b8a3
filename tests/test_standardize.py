"""Age standardization: standards, truncation, direct and indirect standardization."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import equitylab as el
from equitylab.standardize import STANDARDS, standard_population


def test_the_us2000_standard_matches_the_published_standard_million() -> None:
    # NCHS US 2000 standard population (Klein & Schoenborn 2001), per million:
    published = [13818, 55317, 145565, 138646, 135573, 162613, 134834, 87247, 66037, 44842, 15508]
    weights, _ = standard_population("us2000")
    assert (np.round(weights["weight"] * 1_000_000)).tolist() == pytest.approx(published, abs=1)


def test_the_esp2013_standard() -> None:
    esp = STANDARDS["esp2013"]
    assert len(esp) == 19 and esp["population"].sum() == 100_000
    assert esp["population"].iloc[0] == 5000 and esp["population"].iloc[-1] == 1000


def test_truncation_keeps_the_covered_years_and_says_so() -> None:
    weights, note = standard_population("us2000", ages=(18, 100))
    assert weights["weight"].sum() == pytest.approx(1.0)
    assert weights["age_low"].iloc[0] == 15  # 15-24 kept, 7 of its 10 years
    full = STANDARDS["us2000"].set_index("age_low")["population"]
    adult = full.loc[[15, 25, 35, 45, 55, 65, 75, 85]].astype(float)
    adult.loc[15] *= 0.7
    assert weights["weight"].to_numpy() == pytest.approx((adult / adult.sum()).to_numpy())
    assert "truncated to ages 18-100" in note and "15-24" in note


TWO_AGES = pd.DataFrame({"age_low": [0, 45], "age_high": [44, None], "population": [600, 400]})


def _two_groups() -> pd.DataFrame:
    """Group A is young, B old; within each age the rates are equal (10% at 20, 40% at 70)."""
    rows = []
    for group, young, old in (("A", 900, 100), ("B", 100, 900)):
        rows += [(group, 20, int(i < young * 0.1)) for i in range(young)]
        rows += [(group, 70, int(i < old * 0.4)) for i in range(old)]
    return pd.DataFrame(rows, columns=["group", "age", "outcome"])


def test_direct_standardization_removes_the_age_difference() -> None:
    data = _two_groups()
    # The data hold ages 20 and 70 only, so the part of the standard from 20 up is chosen
    # explicitly (before issue 10 this truncation happened silently).
    table = el.age_standardize(data, "group", "outcome", "age", standard=TWO_AGES, ages=(20, None))
    a, b = table.set_index("group").loc["A"], table.set_index("group").loc["B"]
    assert a["crude_rate"] == pytest.approx(13.0) and b["crude_rate"] == pytest.approx(37.0)
    assert a["adjusted_rate"] == pytest.approx(b["adjusted_rate"])  # same age-specific rates
    # ages 20-70 in the data: 0-44 keeps 25 of its 45 years, 45+ is open-ended
    young, old = 600 * 25 / 45, 400
    assert table.attrs["weights"]["0-44"] == pytest.approx(young / (young + old))
    expected = 100 * (young * 0.1 + old * 0.4) / (young + old)
    assert a["adjusted_rate"] == pytest.approx(expected)
    assert "binomial variance" in table.attrs["method"]


def test_binomial_variance_interval_for_proportions() -> None:
    data = _two_groups()
    table = el.age_standardize(data, "group", "outcome", "age", standard=TWO_AGES, ages=(20, None))
    weights = table.attrs["weights"]
    w = np.array([weights["0-44"], weights["45+"]])
    n = np.array([900, 100])  # group A
    y = np.array([0.1, 0.4])
    se = np.sqrt((w**2 * y * (1 - y) / n).sum())
    a = table.set_index("group").loc["A"]
    assert a["adjusted_ci_low"] == pytest.approx(100 * ((w * y).sum() - 1.959963984540054 * se))


def test_dobson_interval_for_event_rates() -> None:
    rows = [("A", 20, 2, 1.0)] * 300 + [("A", 70, 5, 1.0)] * 100
    data = pd.DataFrame(rows, columns=["group", "age", "visits", "years"])
    data = pd.concat([data, data.assign(group="B")])
    table = el.age_standardize(
        data,
        "group",
        "visits",
        "age",
        person_time="years",
        per=1000,
        standard=TWO_AGES,
        ages=(20, None),
    )
    weights = table.attrs["weights"]
    w = np.array([weights["0-44"], weights["45+"]])
    x, t = np.array([600, 500]), np.array([300.0, 100.0])
    dsr = (w * x / t).sum()
    variance = (w**2 * x / t**2).sum()
    o_low, _o_high = el.intervals.poisson_exact(1100)
    low = dsr + np.sqrt(variance / 1100) * (o_low - 1100)
    a = table.set_index("group").loc["A"]
    assert a["adjusted_rate"] == pytest.approx(1000 * dsr)
    assert a["adjusted_ci_low"] == pytest.approx(1000 * low)
    assert "Dobson" in table.attrs["method"]


def test_riverbend_diabetes_matches_the_calibration() -> None:
    # The generator calibrated age-standardized diagnosed diabetes to the CDC National
    # Diabetes Statistics Report (White 8.9%, Black 12.4%, Asian 11.1%, Hispanic 13.0%).
    table = el.age_standardize(
        el.load_dataset("riverbend_patients"),
        "race_ethnicity_group",
        "diabetes",
        "age",
        ages=(18, 100),
    ).set_index("race_ethnicity_group")
    assert table.loc["White", "adjusted_rate"] == pytest.approx(8.9, abs=0.2)
    assert table.loc["Hispanic or Latino", "adjusted_rate"] == pytest.approx(13.0, abs=0.2)
    # the age-confounded pair: crude rates point the other way
    assert table.loc["Hispanic or Latino", "crude_rate"] < table.loc["White", "crude_rate"]


def test_a_group_missing_an_age_group_gets_no_standardized_rate() -> None:
    data = _two_groups()
    data = data[~((data["group"] == "B") & (data["age"] == 20))]
    table = el.age_standardize(
        data, "group", "outcome", "age", min_cell=0, standard=TWO_AGES, ages=(20, None)
    )
    assert np.isnan(table.set_index("group").loc["B", "adjusted_rate"])
    assert any("no people aged 0-44" in note for note in table.attrs["notes"])


def test_indirect_standardization() -> None:
    data = _two_groups()
    data.loc[(data["group"] == "B") & (data["age"] == 70), "outcome"] = [1] * 450 + [0] * 450
    table = el.standardized_ratio(data, "group", "outcome", "age", standard=TWO_AGES)
    table = table.set_index("group")
    overall_young, overall_old = 100 / 1000, (40 + 450) / 1000
    expected_b = 100 * overall_young + 900 * overall_old
    assert table.loc["B", "expected"] == pytest.approx(expected_b)
    assert table.loc["B", "ratio"] == pytest.approx((10 + 450) / expected_b)
    low, _ = el.intervals.poisson_exact(460)
    assert table.loc["B", "ci_low"] == pytest.approx(low / expected_b)


def test_bad_standard_and_ages() -> None:
    data = _two_groups()
    with pytest.raises(el.EquityLabError, match="unknown standard"):
        el.age_standardize(data, "group", "outcome", "age", standard="who2000")
    with pytest.raises(el.EquityLabError, match="age_low"):
        el.age_standardize(data, "group", "outcome", "age", standard=pd.DataFrame({"x": [1]}))
    with pytest.raises(el.EquityLabError, match="no numeric ages"):
        el.age_standardize(data.assign(age="old"), "group", "outcome", "age")


# --- published values: PHEindicatormethods (UKHSA) test data ------------------------------
# github.com/ukhsa-collaboration/PHEindicatormethods, tests/testthat/testdata_DSR_ISR.xlsx:
# 19 age bands, ESP 2013 weights (man/esp2013.Rd); DSR with Dobson limits from Byar's
# limits of the total count, per 100,000; ISR against reference counts and populations.

ESP_LOW = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90]
PHE_POP = [
    636,
    558,
    609,
    543,
    384,
    594,
    669,
    843,
    660,
    576,
    606,
    522,
    426,
    273,
    300,
    288,
    153,
    123,
    207,
]
PHE_BIG = [127, 25, 18, 21, 12, 27, 48, 27, 29, 32, 32, 34, 45, 65, 38, 68, 74, 82, 91]
PHE_SMALL = [12, 4, 3, 2, 3, 4, 8, 2, 2, 3, 4, 5, 6, 8, 5, 6, 5, 5, 4]


def _aggregate(counts) -> pd.DataFrame:
    """One row per age band: its events and its population as person-time."""
    return pd.DataFrame({"area": "A", "age": ESP_LOW, "events": counts, "people": PHE_POP})


@pytest.mark.parametrize(
    ("counts", "value", "low", "high"),
    [
        (PHE_BIG, 10430.247991469423, 9717.709067985681, 11178.94091547925),
        (PHE_SMALL, 1103.212025300104, 877.455767536709, 1367.0882227251795),
    ],
)
def test_dsr_matches_phe_test_data(counts, value, low, high) -> None:
    table = el.age_standardize(
        _aggregate(counts),
        "area",
        "events",
        "age",
        person_time="people",
        standard="esp2013",
        per=100_000,
        min_cell=0,
    )
    row = table.iloc[0]
    assert (row["adjusted_rate"], row["adjusted_ci_low"], row["adjusted_ci_high"]) == pytest.approx(
        (value, low, high), rel=1e-10
    )


def test_isr_matches_phe_test_data() -> None:
    reference = pd.DataFrame(
        {
            "age_low": ESP_LOW,
            "events": [
                10303,
                2824,
                0,
                3615,
                3641,
                3490,
                3789,
                3213,
                3031,
                2771,
                3089,
                3490,
                3595,
                4745,
                5514,
                7125,
                5694,
                6210,
                5757,
            ],
            "population": [
                50520,
                57173,
                60213,
                54659,
                44345,
                50128,
                62163,
                67423,
                62899,
                55463,
                60479,
                49974,
                44140,
                40888,
                37239,
                30819,
                18136,
                15325,
                13918,
            ],
        }
    )
    table = el.standardized_ratio(
        _aggregate(PHE_BIG),
        "area",
        "events",
        "age",
        person_time="people",
        standard="esp2013",
        reference_rates=reference,
        ci="auto",
        min_cell=0,
    )
    row = table.iloc[0]
    assert row["expected"] == pytest.approx(835.8835612311743, rel=1e-12)
    assert (row["ratio"], row["ci_low"], row["ci_high"]) == pytest.approx(
        (1.0707232939020275, 1.0017147712553987, 1.143233287249895), rel=1e-12
    )


# --- which ages: coverage of the standard, and ages that cannot be placed (issue 10) ------


def _people(ages, group="A") -> pd.DataFrame:
    """One person per age, the outcome alternating so that every age group has both."""
    ages = list(ages)
    return pd.DataFrame({"group": group, "age": ages, "y": [i % 2 for i in range(len(ages))]})


def test_data_that_do_not_cover_the_standard_are_refused_with_the_choice_to_make() -> None:
    patients = el.load_dataset("riverbend_patients")
    with pytest.raises(el.EquityLabError) as error:
        el.age_standardize(patients, "race_ethnicity_group", "diabetes", "age")
    message = str(error.value)
    assert "run from 18 to 100" in message and "covers ages 0 to 85 and over" in message
    assert "ages=(18, 100)" in message and "15-24 group keeps 7 of its 10 years" in message
    # Choosing it explicitly gives the truncated standard, and the result says which ages.
    table = el.age_standardize(patients, "race_ethnicity_group", "diabetes", "age", ages=(18, 100))
    assert table.attrs["ages_covered"] == [18, 100]
    assert table.attrs["age_range"] == [18, 100]
    assert "truncated to ages 18-100" in table.attrs["standard_note"]
    weights, _ = standard_population("us2000", ages=(18, 100))
    assert list(table.attrs["weights"].values()) == pytest.approx(weights["weight"].tolist())


def test_a_missing_top_age_group_is_refused_too() -> None:
    # Nobody over 84: the default would have dropped the 85+ group and half of 75-84's
    # weight without a word.
    data = _people(list(range(0, 80)) * 3)
    with pytest.raises(el.EquityLabError, match="run from 0 to 79"):
        el.age_standardize(data, "group", "y", "age", min_cell=0)
    table = el.age_standardize(data, "group", "y", "age", min_cell=0, ages=(0, 79))
    assert table.attrs["age_range"] == [0, 79] and "75-84" in table.attrs["standard_note"]
    assert "85+" not in table.attrs["weights"]


def test_ages_that_cover_the_whole_standard_need_no_choice() -> None:
    table = el.age_standardize(
        _people(list(range(0, 101)) * 3), "group", "y", "age", standard="esp2013", min_cell=0
    )
    assert table.attrs["standard_note"].endswith("all ages")
    assert table.attrs["ages_covered"] == [0, 100] and table.attrs["age_range"] == [0, None]
    assert sum(table.attrs["weights"].values()) == pytest.approx(1.0)


def test_band_midpoints_are_refused() -> None:
    # ESP 2013 bands given by their midpoints: 2.5 would be placed in 0-4 but 4.5 (the
    # midpoint of a 0-9 band) would be too, and truncating the standard to 2.5-92.5 would
    # change its weights silently.
    midpoints = [2.5 + 5 * i for i in range(19)]
    with pytest.raises(el.EquityLabError, match=r"not whole years \(2.5, 7.5"):
        el.age_standardize(_people(midpoints * 4), "group", "y", "age", standard="esp2013")
    # Whole-number midpoints are caught by the coverage check, with a hint.
    with pytest.raises(el.EquityLabError, match="only 19 distinct ages"):
        el.age_standardize(
            _people([2 + 5 * i for i in range(19)] * 4), "group", "y", "age", standard="esp2013"
        )


def test_ages_standing_for_wider_bands_are_refused() -> None:
    # Ten-year bands given by their first year: the ESP's 5-9, 15-19... groups are empty.
    with pytest.raises(el.EquityLabError, match="nobody in the data is aged 5-9, 15-19"):
        el.age_standardize(
            _people(list(range(0, 100, 10)) * 4), "group", "y", "age", standard="esp2013"
        )


def test_ages_outside_the_standard_or_the_chosen_range_are_refused() -> None:
    adults = pd.DataFrame({"age_low": [18, 65], "age_high": [64, 74], "population": [7, 3]})
    with pytest.raises(el.EquityLabError, match=r"no age group of the standard \(10\)"):
        el.age_standardize(_people([10, 20, 70] * 4), "group", "y", "age", standard=adults)
    with pytest.raises(el.EquityLabError, match=r"no age group of the standard \(80\)"):
        el.age_standardize(_people([20, 70, 80] * 4), "group", "y", "age", standard=adults)
    with pytest.raises(el.EquityLabError, match="aged outside the ages"):
        el.age_standardize(_people([20, 70] * 4), "group", "y", "age", ages=(30, None))
    with pytest.raises(el.EquityLabError, match="goes beyond the standard"):
        el.age_standardize(
            _people([20, 70] * 4), "group", "y", "age", standard=adults, ages=(0, 70)
        )
    with pytest.raises(el.EquityLabError, match="whole number of years"):
        el.age_standardize(_people([20, 70] * 4), "group", "y", "age", ages=(17.5, None))
    with pytest.raises(el.EquityLabError, match="a pair"):
        el.age_standardize(_people([20, 70] * 4), "group", "y", "age", ages=18)
    with pytest.raises(el.EquityLabError, match="zero or more"):
        el.age_standardize(_people([-1, 20, 70] * 4), "group", "y", "age")


def test_a_chosen_range_wider_than_the_data_is_noted() -> None:
    table = el.age_standardize(
        _people(list(range(20, 101)) * 2), "group", "y", "age", ages=(18, None), min_cell=0
    )
    assert table.attrs["ages_covered"] == [20, 100] and table.attrs["age_range"] == [18, None]
    assert any("run from 20 to 100" in note for note in table.attrs["notes"])
    assert "truncated to ages 18 and over" in table.attrs["standard_note"]


def test_indirect_standardization_uses_the_bands_without_a_coverage_choice() -> None:
    # The SMR uses the standard only for its age groups: no weights, so no truncation choice;
    # ages that cannot be placed are still refused.
    data = _two_groups()
    assert len(el.standardized_ratio(data, "group", "outcome", "age", standard=TWO_AGES)) == 2
    with pytest.raises(el.EquityLabError, match="not whole years"):
        el.standardized_ratio(data.assign(age=data["age"] + 0.5), "group", "outcome", "age")


# --- repeat events: DSR with the variance for non-independent events -----------------------
# PHEindicatormethods (UKHSA), commit 093fd288d8f8949dbcfbed70049dbbf385b6141d:
# tests/testthat/testdata_DSR_ISR.xlsx, sheet "testdata_nonindepe" (per ESP 2013 age band:
# population and the number of people with 1, 2, 3 and 4 events) and sheet
# "testresults_DSR" (rows testdata_nonind_big, _dummy, _small: DSR per 100,000 with 95% and
# 99.8% limits, "Dobson, with confidence adjusted for non-independent events"); used by
# tests/testthat/testDSRs.R, "test nonindependent events ...".

PHE_PEOPLE_BY_FREQUENCY = {  # band: people with 1, 2, 3, 4 events
    "big": [
        (75, 16, 4, 2),
        (16, 3, 1, 0),
        (11, 2, 1, 0),
        (12, 3, 1, 0),
        (8, 0, 0, 1),
        (18, 3, 1, 0),
        (26, 6, 2, 1),
        (18, 3, 1, 0),
        (18, 4, 1, 0),
        (21, 4, 1, 0),
        (21, 4, 1, 0),
        (23, 4, 1, 0),
        (23, 6, 2, 1),
        (39, 8, 2, 1),
        (25, 5, 1, 0),
        (40, 9, 2, 1),
        (46, 9, 2, 1),
        (49, 10, 3, 1),
        (56, 11, 3, 1),
    ],
    "dummy": [
        (80, 10, 9, 0),
        (15, 5, 0, 0),
        (10, 1, 2, 0),
        (17, 2, 0, 0),
        (12, 0, 0, 0),
        (25, 1, 0, 0),
        (30, 9, 0, 0),
        (20, 2, 1, 0),
        (19, 5, 0, 0),
        (23, 3, 1, 0),
        (19, 5, 1, 0),
        (30, 2, 0, 0),
        (19, 7, 4, 0),
        (25, 14, 4, 0),
        (15, 10, 1, 0),
        (20, 18, 4, 0),
        (30, 16, 4, 0),
        (29, 19, 5, 0),
        (22, 21, 9, 0),
    ],
    "small": [
        (7, 1, 1, 0),
        (4, 0, 0, 0),
        (3, 0, 0, 0),
        (0, 0, 0, 0),
        (3, 0, 0, 0),
        (4, 0, 0, 0),
        (5, 0, 1, 0),
        (2, 0, 0, 0),
        (2, 0, 0, 0),
        (3, 0, 0, 0),
        (4, 0, 0, 0),
        (5, 0, 0, 0),
        (3, 0, 1, 0),
        (5, 0, 1, 0),
        (5, 0, 0, 0),
        (3, 0, 1, 0),
        (5, 0, 0, 0),
        (5, 0, 0, 0),
        (4, 0, 0, 0),
    ],
}


def _people_with_events(frequencies) -> pd.DataFrame:
    """One row per person (a year each), aged at the start of their ESP band: the people
    with 1, 2, 3 or 4 events, and the rest of the band's population with none."""
    rows = []
    for low, population, people in zip(ESP_LOW, PHE_POP, frequencies, strict=True):
        counts = [population - sum(people), *people]
        for events, count in enumerate(counts):
            rows += [(low, events)] * count
    data = pd.DataFrame(rows, columns=["age", "events"])
    return data.assign(area="A", years=1.0)


@pytest.mark.parametrize(
    ("name", "events", "value", "ci95", "ci998"),
    [
        (
            "big",
            895,
            10430.24799147,
            (9532.94977862, 11373.07483298),
            (9036.25631357, 11929.24980749),
        ),
        (
            "dummy",
            895,
            10430.24799147,
            (9512.29883752, 11394.77359633),
            (9004.17418121, 11963.74870404),
        ),
        (
            "small",
            89,
            1082.95419841,
            (817.68609755, 1393.55884927),
            (684.16751792, 1585.49645593),
        ),
    ],
)
def test_repeat_events_match_phe_non_independent_dsr(name, events, value, ci95, ci998) -> None:
    data = _people_with_events(PHE_PEOPLE_BY_FREQUENCY[name])
    for level, (low, high) in ((0.95, ci95), (0.998, ci998)):
        table = el.age_standardize(
            data,
            "area",
            "events",
            "age",
            person_time="years",
            repeat_events=True,
            standard="esp2013",
            per=100_000,
            level=level,
            min_cell=0,
        )
        row = table.iloc[0]
        assert row["events"] == events
        assert (row["adjusted_rate"], row["adjusted_ci_low"], row["adjusted_ci_high"]) == (
            pytest.approx((value, low, high), rel=1e-9)
        )
    assert table.attrs["repeat_events"] is True and "non-independent" in table.attrs["method"]


def test_repeat_events_widen_the_interval_by_the_variance_inflation() -> None:
    data = _people_with_events(PHE_PEOPLE_BY_FREQUENCY["big"])
    options = dict(person_time="years", standard="esp2013", per=100_000, min_cell=0)
    plain = el.age_standardize(data, "area", "events", "age", **options).iloc[0]
    repeat = el.age_standardize(data, "area", "events", "age", repeat_events=True, **options)
    repeat = repeat.iloc[0]
    assert repeat["adjusted_rate"] == pytest.approx(plain["adjusted_rate"], rel=1e-12)
    # By hand: sum over bands of (w_i / t_i)^2 times the sum of each person's events squared,
    # over the independent-events sum of (w_i / t_i)^2 times the events.
    w = np.array(STANDARDS["esp2013"]["population"], dtype=float)
    w /= w.sum()
    t = np.array(PHE_POP, dtype=float)
    f = np.array([1, 2, 3, 4])
    people = np.array(PHE_PEOPLE_BY_FREQUENCY["big"], dtype=float)
    inflation = ((w / t) ** 2 * (people * f**2).sum(axis=1)).sum() / (
        (w / t) ** 2 * (people * f).sum(axis=1)
    ).sum()
    assert repeat["variance_inflation"] == pytest.approx(inflation, rel=1e-12)
    half_plain = plain["adjusted_ci_high"] - plain["adjusted_rate"]
    half_repeat = repeat["adjusted_ci_high"] - repeat["adjusted_rate"]
    assert half_repeat == pytest.approx(half_plain * np.sqrt(inflation), rel=1e-12)
    assert "variance_inflation" not in plain.index


def test_repeat_events_need_person_time_and_a_boolean() -> None:
    data = _people_with_events(PHE_PEOPLE_BY_FREQUENCY["small"])
    with pytest.raises(el.EquityLabError, match="give person_time="):
        el.age_standardize(data, "area", "events", "age", standard="esp2013", repeat_events=True)
    with pytest.raises(el.EquityLabError, match="True or False"):
        el.age_standardize(data, "area", "events", "age", person_time="years", repeat_events="yes")
