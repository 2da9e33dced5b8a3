"""Counts of events per person-time: Poisson intervals and stratify_rates."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2

import equitylab as el
from equitylab import EquityLabError
from equitylab.intervals import (
    poisson_byar,
    poisson_exact,
    poisson_interval,
    rate_difference_wald,
    rate_ratio_wald,
)


@given(st.integers(0, 5000), st.sampled_from([0.9, 0.95, 0.99]))
def test_exact_poisson_matches_chi_square_quantiles(x, level) -> None:
    # Garwood (1936): chi2(alpha/2; 2x)/2 and chi2(1 - alpha/2; 2x + 2)/2
    alpha = 1 - level
    low, high = poisson_exact(x, level)
    expected_low = 0.0 if x == 0 else chi2.ppf(alpha / 2, 2 * x) / 2
    assert low == pytest.approx(expected_low, rel=1e-10, abs=1e-12)
    assert high == pytest.approx(chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2, rel=1e-10)


def test_byar_is_close_to_exact_for_larger_counts_and_auto_switches_at_10() -> None:
    counts = np.array([10, 50, 200, 1000])
    for (bl, bh), (el_, eh) in zip(
        zip(*poisson_byar(counts), strict=True),
        zip(*poisson_exact(counts), strict=True),
        strict=True,
    ):
        assert abs(bl - el_) / el_ < 0.01 and abs(bh - eh) / eh < 0.01
    low, _high = poisson_interval([9, 10])
    assert low[0] == pytest.approx(poisson_exact(9)[0])
    assert low[1] == pytest.approx(poisson_byar(10)[0])


def test_rate_comparisons() -> None:
    ratio = rate_ratio_wald(20, 1000, 10, 1000)
    assert ratio.estimate == pytest.approx(2.0)
    se = np.sqrt(1 / 20 + 1 / 10)
    assert ratio.low == pytest.approx(2 * np.exp(-1.959963984540054 * se))
    difference = rate_difference_wald(20, 1000, 10, 1000)
    assert difference.estimate == pytest.approx(0.01)
    assert np.isnan(rate_ratio_wald(0, 100, 5, 100).estimate)


def _visits() -> pd.DataFrame:
    patients = el.load_dataset("riverbend_patients")
    return patients.assign(years=patients["followup_months"] / 12)


def test_stratify_rates_on_riverbend() -> None:
    data = _visits()
    table = el.stratify_rates(data, "payer", "ed_visits", "years", per=1000)
    commercial = table[table["payer"] == "Commercial"].iloc[0]
    rows = data[data["payer"] == "Commercial"]
    assert commercial["events"] == rows["ed_visits"].sum()
    assert commercial["rate"] == pytest.approx(1000 * rows["ed_visits"].sum() / rows["years"].sum())
    low, _high = poisson_byar(int(rows["ed_visits"].sum()))
    assert commercial["ci_low"] == pytest.approx(1000 * low / rows["years"].sum())
    assert table.attrs["reference"] == "Commercial" and not table.attrs["higher_is_better"]
    assert table["n"].sum() == len(data)


def test_blank_values_are_left_out_and_counted() -> None:
    data = pd.DataFrame(
        {"g": ["a"] * 30 + ["b"] * 30, "visits": [1, 0, None] * 20, "years": [1.0] * 60}
    )
    table = el.stratify_rates(data, "g", "visits", "years", min_cell=0)
    assert table["n"].sum() == 40 and table.attrs["excluded_outcome"] == 20


def test_small_event_counts_are_protected_even_when_people_are_many() -> None:
    data = pd.DataFrame(
        {
            "g": ["a"] * 500 + ["b"] * 500 + ["c"] * 500,
            "visits": [0] * 497 + [1] * 3 + [1] * 500 + [2] * 500,
            "years": 1.0,
        }
    )
    table = el.stratify_rates(data, "g", "visits", "years")
    hidden = table[table["suppressed"]]
    assert "a" in set(hidden["g"]) and len(hidden) >= 2
    assert hidden["events"].isna().all() and hidden["rate"].isna().all()


def test_engines_agree() -> None:
    data = _visits()[["payer", "ed_visits", "years"]].astype({"payer": str})
    expected = el.stratify_rates(data, "payer", "ed_visits", "years")
    polars = el.stratify_rates(pl.from_pandas(data), "payer", "ed_visits", "years")
    con = duckdb.connect()
    con.register("visits", data)
    ducks = el.stratify_rates(con.sql("select * from visits"), "payer", "ed_visits", "years")
    for other in (polars, ducks):
        pd.testing.assert_frame_equal(other, expected, check_exact=False, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", None]), st.integers(0, 5), st.floats(0.1, 2.0)),
        min_size=1,
        max_size=200,
    )
)
def test_counts_are_conserved(rows) -> None:
    frame = pd.DataFrame(rows, columns=["g", "events", "years"])
    table = el.stratify_rates(frame, "g", "events", "years", min_cell=0)
    assert table["events"].sum() == frame["events"].sum()
    assert table["person_time"].sum() == pytest.approx(frame["years"].sum())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"visits": [-1, 0]}, "zero or more"),
        ({"visits": ["x", 0]}, "must hold numbers"),
        ({"visits": [0.5, 1]}, "whole numbers"),
        ({"years": [-1.0, 1.0]}, "zero or more"),
    ],
)
def test_bad_values_say_what_to_fix(changes, message) -> None:
    data = pd.DataFrame({"g": ["a", "b"], "visits": [1, 0], "years": [1.0, 2.0]}).assign(**changes)
    with pytest.raises(el.EquityLabError, match=message):
        el.stratify_rates(data, "g", "visits", "years")


def test_bad_options() -> None:
    data = pd.DataFrame({"g": ["a", "b"], "visits": [1, 0], "years": [1.0, 2.0]})
    with pytest.raises(el.EquityLabError, match="unknown ci"):
        el.stratify_rates(data, "g", "visits", "years", ci="wald")
    with pytest.raises(el.EquityLabError, match="per must be"):
        el.stratify_rates(data, "g", "visits", "years", per=0)
    with pytest.raises(el.EquityLabError, match="'hours' not found"):
        el.stratify_rates(data, "g", "visits", "hours")


# --- published values: PHEindicatormethods (UKHSA) test data ------------------------------
# github.com/ukhsa-collaboration/PHEindicatormethods, tests/testthat/testdata_Byars_Wilson.xlsx
# and testdata_Rate.xlsx: Byar's limits (Breslow & Day 1987) and exact limits below 10.


@pytest.mark.parametrize(
    ("x", "level", "low", "high"),
    [
        (65, 0.95, 50.163187710459454, 82.84913854593984),
        (1045, 0.95, 982.5932018073325, 1110.33121298565),
        (1, 0.95, 0.01307213290150435, 5.5637555824752605),
        (65, 0.998, 42.8802614714802, 94.00029084431802),
        (1045, 0.998, 947.9407035610374, 1148.806160988033),
        (10, 0.998, 2.916318374695686, 24.193724927880535),
    ],
)
def test_byar_matches_phe_test_data(x, level, low, high) -> None:
    assert poisson_byar(x, level) == pytest.approx((low, high), rel=1e-12)


@pytest.mark.parametrize(
    ("x", "t", "low", "high"),
    [  # rates x 100 with exact limits below 10 events and Byar's from 10
        (1, 100, 0.025317807984289897, 5.571643390938898),
        (5, 100, 1.62348639011842, 11.668332079322669),
        (20, 100, 12.211428834875937, 30.889880369197066),
        (9856, 12345, 78.26949058976757, 81.4300165427214),
    ],
)
def test_rate_limits_match_phe_test_data(x, t, low, high) -> None:
    lo, hi = poisson_interval(x)
    assert (100 * lo / t, 100 * hi / t) == pytest.approx((low, high), rel=1e-12)


def test_engines_accept_columns_named_like_the_aggregates() -> None:
    # The engine path aggregates into its own column names; events and person-time
    # columns called "rows" or "n" must still give the pandas answer.
    data = _visits()[["payer", "ed_visits", "years"]].astype({"payer": str})
    data = data.rename(columns={"ed_visits": "rows", "years": "n"})
    expected = el.stratify_rates(data, "payer", "rows", "n")
    assert expected["events"].sum() > 0
    got = el.stratify_rates(pl.from_pandas(data), "payer", "rows", "n")
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)


@pytest.mark.parametrize("name", ["n", "events", "rate"])
def test_a_grouping_column_named_like_a_result_column_is_refused(name: str) -> None:
    data = _visits()[["payer", "ed_visits", "years"]].rename(columns={"payer": name})
    with pytest.raises(EquityLabError, match=rf"'{name}' have the name of a column"):
        el.stratify_rates(data, name, "ed_visits", "years")


def test_a_dotted_column_name_on_duckdb_gets_a_clear_error() -> None:
    data = _visits()[["payer", "ed_visits", "years"]].astype({"payer": str})
    con = duckdb.connect()
    con.register("visits", data.rename(columns={"payer": "coverage.payer"}))
    relation = con.sql("select * from visits")
    with pytest.raises(EquityLabError, match=r"'coverage.payer' contain a dot.*rename them"):
        el.stratify_rates(relation, "coverage.payer", "ed_visits", "years")
    with pytest.raises(EquityLabError, match=r"'coverage.payer' contain a dot"):
        el.stratify(relation, "coverage.payer", "ed_visits")


def test_byar_lower_limit_is_zero_where_its_formula_goes_negative() -> None:
    # PHEindicatormethods (commit 093fd288), tests/testthat/testdata_Byars_Wilson.xlsx, last
    # row: 1 event at 99.8% has upper limit 9.362180217908362 and no lower limit (byars_lower
    # returns NA), because 1 - 1/9 - z/3 < 0 there. equitylab returns 0, a conservative limit
    # below the exact one (Garwood: 0.0010).
    z = el.intervals.z_value(0.998)
    assert 1 * (1 - 1 / 9 - z / 3) ** 3 < 0
    low, high = poisson_byar(1, 0.998)
    assert low == 0.0 and high == pytest.approx(9.362180217908362, rel=1e-12)
    assert 0 < poisson_exact(1, 0.998)[0] == pytest.approx(0.0010005, rel=1e-4)
    # vectorised, with a count whose formula stays positive, and the count 0
    lows, _ = poisson_byar([0, 1, 2], 0.998)
    assert lows[0] == 0.0 and lows[1] == 0.0 and lows[2] > 0
    # 99.2% is about where 1 event's formula turns negative; 2 events hold out to ~99.99%
    assert poisson_byar(1, 0.99)[0] > 0 and poisson_byar(1, 0.993)[0] == 0.0
    assert poisson_byar(2, 0.9999)[0] > 0 and poisson_byar(2, 0.99995)[0] == 0.0
    # the default interval uses exact limits below 10 events, so it never meets the case
    assert poisson_interval(1, level=0.998)[0] == pytest.approx(poisson_exact(1, 0.998)[0])
