"""Quality-improvement statistics: run-chart rules, p-charts, equity gaps over time."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equitylab as el
from equitylab import qi

# --------------------------------------------------------------------------------------
# Perla RJ, Provost LP, Murray SK. The run chart: a simple analytical tool for learning
# from variation in healthcare processes. BMJ Qual Saf 2011;20:46-51,
# doi:10.1136/bmjqs.2009.037895, Table 1 "Checking for too many or too few runs on a run
# chart" (number of useful observations: lower limit, upper limit). Transcribed from the
# image of Table 1 reproduced in github.com/alioh/IHI-QI104 (img/L2-4.jpg, notes on the
# IHI QI 104 course), whose caption and source line ("Adapted from Swed and Eisenhart")
# are those of the article.
PERLA_TABLE_1 = {
    10: (3, 9), 11: (3, 10), 12: (3, 11), 13: (4, 11), 14: (4, 12), 15: (5, 12),
    16: (5, 13), 17: (5, 13), 18: (6, 14), 19: (6, 15), 20: (6, 16), 21: (7, 16),
    22: (7, 17), 23: (7, 17), 24: (8, 18), 25: (8, 18), 26: (9, 19), 27: (10, 19),
    28: (10, 20), 29: (10, 20), 30: (11, 21), 31: (11, 22), 32: (11, 23), 33: (12, 23),
    34: (12, 24), 35: (12, 24), 36: (13, 25), 37: (13, 25), 38: (14, 26), 39: (14, 26),
    40: (15, 27), 41: (15, 27), 42: (16, 28), 43: (16, 28), 44: (17, 29), 45: (17, 30),
    46: (17, 31), 47: (18, 31), 48: (18, 32), 49: (19, 32), 50: (19, 33), 51: (20, 33),
    52: (20, 34), 53: (21, 34), 54: (21, 35), 55: (22, 35), 56: (22, 35), 57: (23, 36),
    58: (23, 37), 59: (24, 38), 60: (24, 38),
}  # fmt: skip


def test_runs_limits_equal_perla_table_for_every_even_count_but_the_misprint() -> None:
    for n in range(10, 61, 2):
        if n == 56:
            # Table 1 prints 35 as the upper limit for both 55 and 56; the rule gives 36,
            # continuing the table's own pattern (54: 35, 58: 37).
            assert qi.runs_limits(n) == (22, 36)
            continue
        assert qi.runs_limits(n) == PERLA_TABLE_1[n], n


def test_runs_limits_within_one_run_of_perla_table_for_odd_counts() -> None:
    agree = 0
    for n in range(11, 60, 2):
        lower, upper = qi.runs_limits(n)
        published = PERLA_TABLE_1[n]
        assert abs(lower - published[0]) <= 1 and abs(upper - published[1]) <= 1, n
        agree += (lower, upper) == published
    assert agree == 11  # the odd rows were adapted by hand; 11 of 25 follow the rule


def test_runs_limits_have_the_stated_tail_probabilities() -> None:
    for n in (10, 17, 36, 60, 80):
        lower, upper = qi.runs_limits(n)
        pmf = qi.runs_distribution(n // 2, n - n // 2)
        assert sum(p for r, p in pmf.items() if r <= lower) <= 0.05
        assert sum(p for r, p in pmf.items() if r <= lower + 1) > 0.05
        assert sum(p for r, p in pmf.items() if r >= upper) <= 0.05
        assert sum(p for r, p in pmf.items() if r >= upper - 1) > 0.05


def test_runs_limits_refuse_fewer_than_ten_points_and_non_integers() -> None:
    with pytest.raises(el.EquityLabError, match="at least 10 useful observations"):
        qi.runs_limits(9)
    with pytest.raises(el.EquityLabError, match="whole number"):
        qi.runs_limits(12.0)
    with pytest.raises(el.EquityLabError, match="whole number"):
        qi.runs_limits(True)


@given(st.integers(1, 30), st.integers(1, 30))
def test_runs_distribution_sums_to_one_with_the_known_mean(n1: int, n2: int) -> None:
    pmf = qi.runs_distribution(n1, n2)
    assert math.isclose(sum(pmf.values()), 1.0, rel_tol=1e-12)
    mean = sum(r * p for r, p in pmf.items())
    assert math.isclose(mean, 1 + 2 * n1 * n2 / (n1 + n2), rel_tol=1e-10)
    assert min(pmf) == 2 and max(pmf) == 2 * min(n1, n2) + (n1 != n2)


# ------------------------------------------------------------- hand-worked series


def test_shift_skips_points_on_the_median() -> None:
    # sorted: 2 2 2 2 2 5 5 8 8 8 8 8 8 -> median 5 (the 7th of 13 values).
    # Above: positions 1, 2, 4, 5, 6, 7 (position 3 sits ON the median: it neither adds
    # to nor breaks the run) -> 6 useful points above = a shift spanning 1-7.
    values = [2, 8, 8, 5, 8, 8, 8, 8, 2, 2, 2, 5, 2]
    result = qi.run_chart_rules(values)
    assert result.median == 5
    assert result.n_points == 13 and result.n_useful == 11
    assert result.shifts == ((1, 7),)
    assert result.shift_directions == ("above",)
    assert "shift: 6 points above the median, positions 1–7" in result.signals
    # runs among useful points: below | above x6 | below x4 -> 3 runs
    assert result.runs == 3
    assert result.runs_expected == qi.runs_limits(11) == (3, 10)
    assert not result.too_few_runs and not result.too_many_runs
    # the point on the median, replaced by a point below, breaks the shift (2 + 4)
    broken = values.copy()
    broken[3] = 2
    assert qi.run_chart_rules(broken, median=5).shifts == ()


def test_shift_needs_shift_length_points() -> None:
    values = [1, 9, 9, 9, 9, 9, 1, 1, 1, 1, 9]  # judged against a centre line of 5
    result = qi.run_chart_rules(values, median=5)
    assert result.shifts == ()  # runs of 5 above and 4 below: neither reaches 6
    assert qi.run_chart_rules(values, median=5, shift_length=5).shifts == ((1, 5),)


def test_trend_counts_points_not_steps() -> None:
    # five points going up = four rises: a trend
    assert qi.run_chart_rules([1, 2, 3, 4, 5]).trends == ((0, 4),)
    # four points (three rises): no trend
    assert qi.run_chart_rules([1, 2, 3, 4, 0]).trends == ()
    result = qi.run_chart_rules([5, 4, 3, 2, 1, 3])
    assert result.trends == ((0, 4),) and result.trend_directions == ("down",)
    assert "trend: 5 points all going down, positions 0–4" in result.signals


def test_like_values_neither_add_to_nor_break_a_trend() -> None:
    # 1 2 2 3 4 5: the repeated 2 counts once -> 5 points going up, across positions 0-5
    result = qi.run_chart_rules([1, 2, 2, 3, 4, 5, 0])
    assert result.trends == ((0, 5),)
    assert "trend: 5 points all going up, positions 0–5" in result.signals
    # 1 2 2 3 4: only 4 distinct steps' worth of points -> no trend
    assert qi.run_chart_rules([1, 2, 2, 3, 4, 0]).trends == ()
    # a tie at the start: the trend starts at the last of the equal points
    assert qi.run_chart_rules([2, 2, 3, 4, 5, 6]).trends == ((1, 5),)
    # and at the end: it stops at the first of them
    assert qi.run_chart_rules([2, 3, 4, 5, 6, 6]).trends == ((0, 4),)


def test_a_peak_can_end_one_trend_and_start_the_next() -> None:
    result = qi.run_chart_rules([1, 2, 3, 4, 5, 4, 3, 2, 1])
    assert result.trends == ((0, 4), (4, 8))
    assert result.trend_directions == ("up", "down")


def test_too_few_and_too_many_runs() -> None:
    few = [0] * 10 + [1] * 10  # 2 runs among 20 useful points; limits (6, 16)
    result = qi.run_chart_rules(few, median=0.5)
    assert result.runs == 2 and result.too_few_runs
    assert any(s.startswith("too few runs: 2 runs") for s in result.signals)
    many = [0, 1] * 10  # 20 runs
    result = qi.run_chart_rules(many)
    assert result.runs == 20 and result.too_many_runs and not result.too_few_runs
    assert any("too many runs: 20 runs" in s for s in result.signals)


def test_runs_rule_not_applied_to_few_points_or_a_foreign_centre_line() -> None:
    short = qi.run_chart_rules([1, 3, 2, 4, 3, 5, 2, 6])
    assert short.runs_expected is None and not short.too_few_runs
    assert any("runs rule not applied" in n for n in short.notes)
    values = list(range(12))
    other = qi.run_chart_rules(values, median=3)
    assert other.runs_expected is None
    assert "not the median" in " ".join(other.notes)


def test_baseline_median_judges_the_later_points() -> None:
    values = [5, 6, 4, 5, 6, 4, 5, 6, 9, 8, 9, 8, 9, 8]
    result = qi.run_chart_rules(values, baseline=8)
    assert result.median == 5.0  # median of the first 8 points
    assert result.first_judged == 8 and result.n_points == 6
    assert result.shifts == ((8, 13),)  # positions still count from the first point
    assert "baseline" in result.notes[0]


def test_astronomical_points_are_reported_not_detected() -> None:
    values = [5, 6, 5, 40, 6, 5, 6, 5]
    assert qi.run_chart_rules(values).astronomical == ()
    result = qi.run_chart_rules(values, astronomical=[3])
    assert result.astronomical == (3,)
    assert "astronomical point (judged by the analyst): position 3" in result.signals
    assert result.any_signal


def test_labels_name_the_periods_in_the_signals() -> None:
    labels = [f"2024-{m:02d}" for m in range(1, 10)]
    result = qi.run_chart_rules([1, 2, 3, 4, 5, 3, 2, 4, 3], labels=labels)
    assert result.signals == ["trend: 5 points all going up, 2024-01 to 2024-05"]


def test_no_signal_in_a_quiet_series() -> None:
    result = qi.run_chart_rules([5, 7, 8, 4, 3, 6, 8, 4, 3, 7, 6, 4])  # median 5.5, 7 runs
    assert result.signals == [] and not result.any_signal


# --------------------------------------------------------------------- properties

series = st.lists(st.integers(-20, 20), min_size=6, max_size=60)


@settings(max_examples=200, deadline=None)
@given(series)
def test_runs_equal_side_changes_plus_one(values: list[int]) -> None:
    result = qi.run_chart_rules(values)
    sides = [np.sign(v - result.median) for v in values if v != result.median]
    changes = sum(1 for a, b in pairwise(sides) if a != b)
    assert result.runs == (changes + 1 if sides else 0)
    assert result.n_useful == len(sides)


@settings(max_examples=200, deadline=None)
@given(series, st.integers(-1000, 1000))
def test_signals_do_not_change_when_a_constant_is_added(values: list[int], c: int) -> None:
    a = qi.run_chart_rules(values)
    b = qi.run_chart_rules([v + c for v in values])
    assert (a.shifts, a.trends, a.runs) == (b.shifts, b.trends, b.runs)
    assert (a.shift_directions, a.trend_directions) == (b.shift_directions, b.trend_directions)


@settings(max_examples=200, deadline=None)
@given(series)
def test_reversing_a_series_mirrors_its_trends_and_shifts(values: list[int]) -> None:
    n = len(values)
    a = qi.run_chart_rules(values)
    b = qi.run_chart_rules(values[::-1])
    mirror = {"up": "down", "down": "up"}
    flipped = sorted(
        ((n - 1 - end, n - 1 - start), mirror[d])
        for (start, end), d in zip(a.trends, a.trend_directions, strict=True)
    )
    assert flipped == sorted(zip(b.trends, b.trend_directions, strict=True))
    assert sorted((n - 1 - e, n - 1 - s) for s, e in a.shifts) == sorted(b.shifts)


@settings(max_examples=200, deadline=None)
@given(series)
def test_negating_a_series_swaps_above_and_below(values: list[int]) -> None:
    a = qi.run_chart_rules(values)
    b = qi.run_chart_rules([-v for v in values])
    swap = {"above": "below", "below": "above", "up": "down", "down": "up"}
    assert a.shifts == b.shifts and a.trends == b.trends
    assert [swap[d] for d in a.shift_directions] == list(b.shift_directions)
    assert [swap[d] for d in a.trend_directions] == list(b.trend_directions)


# ---------------------------------------------------------------------- bad input


def test_run_chart_rules_bad_input_names_positions() -> None:
    with pytest.raises(
        el.EquityLabError, match=r"missing or infinite values at position\(s\) 2, 5"
    ):
        qi.run_chart_rules([1, 2, np.nan, 4, 5, None, 7])
    with pytest.raises(el.EquityLabError, match=r"not a number at position\(s\) 1 \('x'\)"):
        qi.run_chart_rules([1, "x", 3, 4, 5, 6])
    with pytest.raises(el.EquityLabError, match="too few points"):
        qi.run_chart_rules([1, 2, 3, 4])
    with pytest.raises(el.EquityLabError, match="sequence of numbers"):
        qi.run_chart_rules("12345")
    with pytest.raises(el.EquityLabError, match="shift_length"):
        qi.run_chart_rules([1, 2, 3, 4, 5, 6], shift_length=1)
    with pytest.raises(el.EquityLabError, match="either median= or baseline="):
        qi.run_chart_rules([1, 2, 3, 4, 5, 6], median=3, baseline=2)
    with pytest.raises(el.EquityLabError, match="leaves no later points"):
        qi.run_chart_rules([1, 2, 3, 4, 5, 6], baseline=6)
    with pytest.raises(el.EquityLabError, match="outside the series"):
        qi.run_chart_rules([1, 2, 3, 4, 5, 6], astronomical=[6])
    with pytest.raises(el.EquityLabError, match="labels has 2 entries"):
        qi.run_chart_rules([1, 2, 3, 4, 5, 6], labels=["a", "b"])


# ------------------------------------------------------------------------ p-chart

# Montgomery DC, Introduction to Statistical Quality Control (Wiley), the orange-juice
# cans example (Example 7.1 in recent editions; pp. 152-155 of the 2nd ed., 1991): 30
# samples of n = 50. The numbers of nonconforming cans are the trial samples 1-30 of the R
# package qcc's `orangejuice` data (github.com/luca-scr/qcc, data/orangejuice.txt,
# documented as Montgomery's data). Published trial limits: centre 0.2313, UCL 0.4102,
# LCL 0.0524; samples 15 and 23 fall above the UCL (qcc's documentation gives their
# causes: a new batch of cardboard stock, and an inexperienced operator).
ORANGE_JUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
                8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]  # fmt: skip


def test_p_chart_reproduces_montgomery_example_7_1() -> None:
    limits = qi.p_chart_limits(ORANGE_JUICE, [50] * 30)
    assert list(limits.columns) == [
        "events", "totals", "p", "centre", "sigma_i", "lower", "upper", "outside"
    ]  # fmt: skip
    assert round(limits["centre"].iloc[0], 4) == 0.2313
    assert round(limits["upper"].iloc[0], 4) == 0.4102
    assert round(limits["lower"].iloc[0], 4) == 0.0524
    assert [i + 1 for i in np.flatnonzero(limits["outside"])] == [15, 23]


def test_p_chart_limits_step_with_size_and_are_truncated() -> None:
    limits = qi.p_chart_limits([1, 2, 0], [20, 200, 50])
    centre = 3 / 270
    assert limits["centre"].eq(centre).all()
    expected = centre + 3 * np.sqrt(centre * (1 - centre) / np.array([20, 200, 50]))
    assert np.allclose(limits["upper"], expected)
    assert (limits["lower"] == 0).all()  # negative limits truncated at 0
    assert not limits["outside"].iloc[2]  # p = 0 is not below a lower limit of 0
    wide = qi.p_chart_limits([1, 2, 0], [20, 200, 50], sigma=2)
    assert (wide["upper"] < limits["upper"]).all()


def test_p_chart_keeps_a_series_index() -> None:
    events = pd.Series([3, 5, 4], index=["2024-01", "2024-02", "2024-03"])
    limits = qi.p_chart_limits(events, [30, 31, 29])
    assert list(limits.index) == ["2024-01", "2024-02", "2024-03"]


def test_p_chart_bad_input() -> None:
    with pytest.raises(el.EquityLabError, match=r"events cannot exceed totals.*position\(s\) 1"):
        qi.p_chart_limits([1, 60], [50, 50])
    with pytest.raises(el.EquityLabError, match=r"negative at position\(s\) 0"):
        qi.p_chart_limits([-1, 6], [50, 50])
    with pytest.raises(el.EquityLabError, match=r"position\(s\) 1"):
        qi.p_chart_limits([1, np.nan], [50, 50])
    with pytest.raises(el.EquityLabError, match="whole numbers"):
        qi.p_chart_limits([1.5, 2], [50, 50])
    with pytest.raises(el.EquityLabError, match="at least 2 subgroups"):
        qi.p_chart_limits([1], [50])
    with pytest.raises(el.EquityLabError, match="totals > 0"):
        qi.p_chart_limits([0, 1], [0, 50])
    with pytest.raises(el.EquityLabError, match="no spread"):
        qi.p_chart_limits([0, 0], [50, 50])
    with pytest.raises(el.EquityLabError, match="give one pair"):
        qi.p_chart_limits([1, 2], [50])
    with pytest.raises(el.EquityLabError, match="sigma"):
        qi.p_chart_limits([1, 2], [50, 50], sigma=0)


# ------------------------------------------------- stratified run charts, Riverbend


@pytest.fixture(scope="module")
def monthly() -> pd.DataFrame:
    return el.load_dataset("riverbend_monthly")


def _stratified(table: pd.DataFrame, **options):
    return qi.stratified_run_chart(
        table, time="month", group="group", events="numerator", totals="denominator", **options
    )


def test_riverbend_shift_for_black_patients_from_july_2024(monthly: pd.DataFrame) -> None:
    # datasets/README.md: from 2024-07 the rate for Black or African American patients
    # is 8 points higher and stays there.
    frame, signals = _stratified(monthly)
    black = signals["Black or African American"]
    above = [s for s, d in zip(black.shifts, black.shift_directions, strict=True) if d == "above"]
    assert above and black.labels[above[0][0]] == "2024-07"
    assert black.too_few_runs
    white = signals["White"]
    assert white.shifts == ()  # verified on the data, not forced: no shift for White
    rows = frame[(frame["group"] == "Black or African American") & frame["in_shift"]]
    assert "2024-07" in set(rows["month"])
    # with the first 18 months as the baseline, every later month is above its median
    _, signals = _stratified(monthly, baseline=18)
    black = signals["Black or African American"]
    assert black.shifts == ((18, 35),) and black.shift_directions == ("above",)
    assert black.signals[0] == "shift: 18 points above the median, 2024-07 to 2025-12"
    assert signals["White"].shifts == ()


def test_stratified_frame_is_tidy_and_matches_run_chart_rules(monthly: pd.DataFrame) -> None:
    frame, signals = _stratified(monthly)
    assert list(frame.columns) == [
        "month", "group", "events", "totals", "rate", "median", "in_shift", "in_trend", "status"
    ]  # fmt: skip
    assert len(frame) == 144 and (frame["status"] == "shown").all()
    assert frame.attrs["missing"] == [] and frame.attrs["suppressed"] == []
    white = frame[frame["group"] == "White"]
    direct = qi.run_chart_rules(white["rate"].to_numpy())
    assert signals["White"].median == direct.median == white["median"].iloc[0]
    assert signals["White"].trends == direct.trends
    raw = monthly[monthly["group"] == "White"]
    assert np.allclose(white["rate"], raw["numerator"] / raw["denominator"])


def _small_table() -> pd.DataFrame:
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    rows = []
    for i, month in enumerate(months):
        rows.append((month, "A", 40 + (i % 3), 100))
        rows.append((month, "B", 30 + (i % 4), 80))
    table = pd.DataFrame(rows, columns=["month", "group", "numerator", "denominator"])
    table.loc[(table["month"] == "2024-05") & (table["group"] == "B"), "numerator"] = 7
    table.loc[(table["month"] == "2024-08") & (table["group"] == "A"), "numerator"] = 95
    return table


def test_small_cells_are_hidden_and_left_out_of_the_rules() -> None:
    frame, signals = _stratified(_small_table())
    hidden = frame[frame["status"] == "suppressed"]
    assert set(zip(hidden["group"], hidden["month"], strict=True)) == {
        ("B", "2024-05"),  # 7 with the outcome
        ("A", "2024-08"),  # 5 without it
    }
    assert hidden["events"].isna().all() and hidden["rate"].isna().all()
    assert hidden["totals"].notna().all()  # totals of 80 and 100 reveal nothing alone
    assert not hidden["in_shift"].any() and not hidden["in_trend"].any()
    assert signals["A"].n_points == 11 and "2024-08" not in signals["A"].labels
    assert any("2 point(s) hidden" in n for n in frame.attrs["notes"])
    assert frame.attrs["suppressed"] == [("A", "2024-08"), ("B", "2024-05")]
    # no shown value lets a reader recompute a hidden count of 1-10
    shown = frame[frame["status"] == "shown"]
    counts = shown["events"].astype(float)
    assert ((counts == 0) | (counts >= 11)).all()
    assert ((shown["totals"] - shown["events"]).astype(float) >= 11).all()


def test_a_small_total_is_hidden_too() -> None:
    table = _small_table()
    table.loc[
        (table["month"] == "2024-03") & (table["group"] == "A"), ["numerator", "denominator"]
    ] = [
        4,
        9,
    ]
    frame, _ = _stratified(table)
    row = frame[(frame["group"] == "A") & (frame["month"] == "2024-03")].iloc[0]
    assert row["status"] == "suppressed" and pd.isna(row["totals"])


def test_min_cell_zero_shows_everything() -> None:
    frame, signals = _stratified(_small_table(), min_cell=0)
    assert (frame["status"] == "shown").all() and signals["A"].n_points == 12


def test_missing_months_are_reported_never_dropped() -> None:
    table = _small_table()
    table = table[~((table["group"] == "B") & (table["month"] == "2024-02"))]
    table = table[table["month"] != "2024-10"]  # absent for every group
    frame, signals = _stratified(table, min_cell=0)
    assert len(frame) == 24
    missing = frame[frame["status"] == "missing"]
    assert set(zip(missing["group"], missing["month"], strict=True)) == {
        ("B", "2024-02"),
        ("A", "2024-10"),
        ("B", "2024-10"),
    }
    assert frame.attrs["missing"] == [("A", "2024-10"), ("B", "2024-02"), ("B", "2024-10")]
    assert any("3 period(s) missing" in n for n in frame.attrs["notes"])
    assert signals["B"].n_points == 10


def test_rule_options_reach_every_group(monthly: pd.DataFrame) -> None:
    _, signals = _stratified(monthly, shift_length=40)
    assert all(s.shifts == () for s in signals.values())
    _, signals = _stratified(monthly, median={"White": 0.5})
    assert signals["White"].median == 0.5 and signals["White"].runs_expected is None
    _, signals = _stratified(monthly, astronomical={"Asian": ["2023-03"]})
    assert signals["Asian"].astronomical == (2,)
    assert "astronomical point (judged by the analyst): 2023-03" in signals["Asian"].signals


def test_stratified_bad_input(monthly: pd.DataFrame) -> None:
    bad = monthly.copy()
    bad["numerator"] = bad["numerator"].astype(float)
    bad.loc[5, "numerator"] = np.nan
    with pytest.raises(el.EquityLabError, match=r"'numerator'.*row\(s\) 5"):
        _stratified(bad)
    bad = monthly.copy()
    bad.loc[3, "numerator"] = -1
    with pytest.raises(el.EquityLabError, match=r"zero or more.*row\(s\) 3"):
        _stratified(bad)
    bad = monthly.copy()
    bad.loc[7, "numerator"] = 10_000
    with pytest.raises(el.EquityLabError, match=r"exceeds 'denominator' in row\(s\) 7"):
        _stratified(bad)
    with pytest.raises(el.EquityLabError, match="more than one row"):
        _stratified(pd.concat([monthly, monthly.iloc[:1]]))
    with pytest.raises(el.EquityLabError, match="columns are"):
        qi.stratified_run_chart(
            monthly, time="month", group="race", events="numerator", totals="denominator"
        )
    with pytest.raises(el.EquityLabError, match="unknown option"):
        _stratified(monthly, shift=6)
    with pytest.raises(el.EquityLabError, match="DataFrame"):
        qi.stratified_run_chart([1], time="m", group="g", events="e", totals="t")


# ---------------------------------------------------------------- gap over time


def test_gap_over_time_uses_newcombe_against_the_reference(monthly: pd.DataFrame) -> None:
    gaps = qi.gap_over_time(
        monthly,
        time="month",
        group="group",
        events="numerator",
        totals="denominator",
        reference="White",
    )
    assert len(gaps) == 144 and gaps["month"].is_monotonic_increasing
    reference = gaps[gaps["is_reference"]]
    assert (reference["group"] == "White").all() and reference["difference"].isna().all()
    row = gaps[(gaps["month"] == "2024-09") & (gaps["group"] == "Black or African American")]
    raw = monthly.set_index(["month", "group"])
    b = raw.loc[("2024-09", "Black or African American")]
    w = raw.loc[("2024-09", "White")]
    expected = el.newcombe_difference(b.numerator, b.denominator, w.numerator, w.denominator)
    assert row["difference"].iloc[0] == pytest.approx(expected.estimate)
    assert row["ci_low"].iloc[0] == pytest.approx(expected.low)
    assert row["ci_high"].iloc[0] == pytest.approx(expected.high)
    assert gaps.attrs["reference"] == "White" and gaps.attrs["level"] == 0.95


def test_gap_over_time_hides_small_cells_and_their_comparisons() -> None:
    gaps = qi.gap_over_time(
        _small_table(),
        time="month",
        group="group",
        events="numerator",
        totals="denominator",
        reference="A",
    )
    may = gaps[(gaps["month"] == "2024-05") & (gaps["group"] == "B")].iloc[0]
    assert may["status"] == "suppressed" and pd.isna(may["rate"]) and pd.isna(may["difference"])
    august = gaps[(gaps["month"] == "2024-08") & (gaps["group"] == "B")].iloc[0]
    assert august["status"] == "shown" and pd.isna(august["difference"])  # reference hidden
    assert pd.notna(august["rate"])


def test_gap_over_time_needs_a_known_reference(monthly: pd.DataFrame) -> None:
    with pytest.raises(el.EquityLabError):
        qi.gap_over_time(
            monthly,
            time="month",
            group="group",
            events="numerator",
            totals="denominator",
            reference="White",
            level=95,
        )
    with pytest.raises(el.EquityLabError, match="groups are: White"):
        qi.gap_over_time(
            monthly,
            time="month",
            group="group",
            events="numerator",
            totals="denominator",
            reference="white",
        )


def test_qi_is_exported() -> None:
    assert "qi" in el.__all__ and el.qi is qi


def test_runs_limits_can_return_the_published_table() -> None:
    # The library's copy of Table 1 must match the transcription in this test.
    assert qi.PERLA_TABLE_1 == PERLA_TABLE_1
    assert qi.runs_limits(56, source="table") == (22, 35)
    assert qi.runs_limits(15, source="table") == (5, 12) != qi.runs_limits(15)
    with pytest.raises(el.EquityLabError, match="stops at 60"):
        qi.runs_limits(61, source="table")
    assert qi.runs_limits(61) == qi.runs_limits(61, source="exact")
    with pytest.raises(el.EquityLabError, match="source must be"):
        qi.runs_limits(20, source="perla")


def test_a_group_with_too_few_shown_points_is_kept_but_not_judged() -> None:
    table = _small_table()
    # group B: 9 of its 12 months have fewer than 11 patients without the outcome
    late = (table["group"] == "B") & (table["month"] > "2024-03")
    table.loc[late, "numerator"] = table.loc[late, "denominator"] - 3
    frame, signals = _stratified(table)
    assert list(signals) == ["A"] and frame.attrs["unjudged"] == ["B"]
    b = frame[frame["group"] == "B"]
    assert len(b) == 12 and b["median"].isna().all()
    assert any("B: only 3 point(s) shown" in n for n in frame.attrs["notes"])
    with pytest.raises(el.EquityLabError, match="shift_length"):
        _stratified(table, shift_length=0)
