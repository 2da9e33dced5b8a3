"""Small-cell protection: hand-worked examples, an integer attacker, and the optimal gap.

The attacker (tests/attacker.py, written independently of the library) knows every
value a protected table shows, every marginal total that a protected marginal table
would show, and that 0 <= events <= n, and reasons in whole numbers with an integer
program (scipy.optimize.milp): a hidden count of 1-10 whose smallest and largest
whole-number values agree is pinned down, and a leak.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from attacker import optimal_hidden, pinned, shown_small
from hypothesis import given, settings
from hypothesis import strategies as st

import equitylab as el
from equitylab import EquityLabError
from equitylab.privacy import (
    check_min_cell,
    is_small,
    primary_suppression,
    protect_table,
    suppress_counts,
)

M = 11


def _protect(rows: list[tuple], min_cell: int = M):
    keys = pd.DataFrame([r[:-2] for r in rows], columns=[f"v{i}" for i in range(len(rows[0]) - 2)])
    n = np.array([r[-2] for r in rows])
    events = np.array([r[-1] for r in rows])
    return protect_table(keys.astype(str), n, events, min_cell)


def test_one_small_event_count_hides_its_group_and_the_next_smallest() -> None:
    # Worked by hand: A has 5 events (hidden). Its total could be recovered from the
    # grand total, so the group with the fewest events besides it (B, 50) is hidden too.
    hide_n, hide_outcome = _protect([("A", 100, 5), ("B", 200, 50), ("C", 300, 120)])
    assert hide_outcome.tolist() == [True, True, False]
    assert hide_n.tolist() == [False, False, False]  # group sizes stay visible


def test_a_small_group_is_hidden_entirely_with_a_partner() -> None:
    # A has 7 people: n itself is hidden, and so must be a second group's n.
    hide_n, hide_outcome = _protect([("A", 7, 3), ("B", 40, 20), ("C", 300, 120)])
    assert hide_n.tolist() == [True, True, False]
    assert hide_outcome.tolist() == [True, True, False]


def test_small_non_events_are_protected_like_small_events() -> None:
    # 95 of 100 people in A had the outcome: the 5 without it must not be recoverable.
    _, hide_outcome = _protect([("A", 100, 95), ("B", 200, 100), ("C", 300, 150)])
    assert hide_outcome[0] and hide_outcome.sum() == 2


def test_hidden_totals_below_min_cell_get_another_partner() -> None:
    # A (3 events) and B (4 events) are both small: hiding only them would still
    # reveal that together they had 7. A third group joins them.
    _, hide_outcome = _protect([("A", 50, 3), ("B", 60, 4), ("C", 70, 30), ("D", 80, 40)])
    assert hide_outcome.tolist() == [True, True, True, False]


def test_intersection_table_protects_rows_and_columns() -> None:
    # Worked by hand (2 x 2): the one small cell (r1, c1) forces its row partner, its
    # column partner, and then the fourth cell, which completes both margins.
    rows = [("r1", "c1", 50, 4), ("r1", "c2", 60, 30), ("r2", "c1", 70, 35), ("r2", "c2", 80, 40)]
    _, hide_outcome = _protect(rows)
    assert hide_outcome.all()


def test_primary_suppression_is_the_small_counts_alone() -> None:
    # Worked by hand: 5 events; 95 of 100 (5 without); 7 people; nothing small.
    n, events = np.array([100, 100, 7, 300]), np.array([5, 95, 3, 120])
    assert primary_suppression(n, events).tolist() == [True, True, True, False]
    # A count of events that can exceed n: only n and the events are checked.
    assert primary_suppression(n, events, bounded=False).tolist() == [True, False, True, False]


def test_zero_is_shown_and_min_cell_zero_hides_nothing() -> None:
    _, hide_outcome = _protect([("A", 100, 0), ("B", 200, 50)])
    assert not hide_outcome.any()
    hide_n, hide_outcome = _protect([("A", 3, 1), ("B", 200, 50)], min_cell=0)
    assert not hide_n.any() and not hide_outcome.any()


def test_helpers() -> None:
    assert is_small([0, 1, 10, 11]).tolist() == [False, True, True, False]
    shown = suppress_counts([0, 4, 12])
    assert shown.iloc[0] == 0 and shown.isna().iloc[1] and shown.iloc[2] == 12
    assert check_min_cell(5) == 5
    for bad in (-1, 2.5, True, "11"):
        with pytest.raises(EquityLabError, match="min_cell"):
            check_min_cell(bad)


# --- the integer attacker -------------------------------------------------------------


SIZES = st.one_of(st.integers(0, 15), st.integers(1, 80), st.integers(50, 400))


@st.composite
def tables(draw, shape_limits):
    """A random table with the given largest shape; some groups may be missing."""
    shape = [draw(st.integers(2, limit)) for limit in shape_limits]
    names = [f"v{d}" for d in range(len(shape))]
    cells = list(itertools.product(*[[f"{d}{k}" for k in range(s)] for d, s in enumerate(shape)]))
    keep = [draw(st.booleans()) or draw(st.booleans()) or draw(st.booleans()) for _ in cells]
    if sum(keep) < 2:
        keep = [True] * len(cells)
    cells = [c for c, k in zip(cells, keep, strict=True) if k]
    n = np.array([draw(SIZES) for _ in cells])
    events = np.array([draw(st.integers(0, int(m))) for m in n])
    return pd.DataFrame(cells, columns=names), n, events


def _attack(table) -> None:
    """No hidden count of 1-10 is pinned down, except one that the marginal totals pin
    down even when the whole table is hidden: then the marginal tables, published
    together, have given it away, which no choice within this table can prevent (the
    privacy module's "What it cannot guarantee"; audit_release checks such sets)."""
    keys, n, events = table
    hide_n, hide_outcome = protect_table(keys, n, events, M)
    assert (hide_outcome | ~hide_n).all()
    assert shown_small(n, events, hide_n, hide_outcome, M) == []
    leaks = pinned(keys, n, events, hide_n, hide_outcome, M)
    if leaks:
        everything = np.ones(len(n), dtype=bool)
        inherent = set(pinned(keys, n, events, everything, everything, M))
        assert set(leaks) <= inherent, sorted(set(leaks) - inherent)


@settings(max_examples=120, deadline=None)
@given(tables([5]))
def test_integer_attacker_one_way(table) -> None:
    _attack(table)


@settings(max_examples=120, deadline=None)
@given(tables([4, 3]))
def test_integer_attacker_two_way(table) -> None:
    _attack(table)


@settings(max_examples=40, deadline=None)
@given(tables([4, 3, 3]))
def test_integer_attacker_three_way(table) -> None:
    _attack(table)


@settings(max_examples=25, deadline=None)
@given(tables([3, 2, 2, 2]))
def test_integer_attacker_four_way(table) -> None:
    _attack(table)


def test_the_attacker_catches_a_leak() -> None:
    # Hiding only the small cell, without complementary suppression, must be caught.
    keys = pd.DataFrame({"race": ["A", "B", "C"]})
    n, events = np.array([100, 200, 300]), np.array([5, 50, 120])
    leaks = pinned(keys, n, events, np.zeros(3, bool), np.array([True, False, False]), M)
    assert leaks == ["events[0] is pinned down"]


def test_the_attacker_reasons_in_whole_numbers() -> None:
    # A 3 x 3 x 2 table where the linear relaxation leaves a hidden count a range of
    # real values but whole numbers pin it: the classic non-integral vertex. The
    # library's own audit must agree with the integer attacker on what it hides.
    keys = pd.DataFrame(list(itertools.product("abc", "xyz", "pq")), columns=["r", "c", "l"])
    rng = np.random.default_rng(7)
    n = rng.integers(11, 60, len(keys))
    events = np.minimum(n, rng.integers(0, 25, len(keys)))
    hide_n, hide_outcome = protect_table(keys, n, events, M)
    assert pinned(keys, n, events, hide_n, hide_outcome, M) == []


# --- how much it hides, against the integer optimum --------------------------------------


@st.composite
def outcome_only_tables(draw):
    """Small tables (every group of 11 or more people) for the exhaustive optimum."""
    shape = draw(st.sampled_from([[3], [4], [5], [2, 2], [2, 3], [3, 2]]))
    cells = list(itertools.product(*[[f"{d}{k}" for k in range(s)] for d, s in enumerate(shape)]))
    n = np.array([draw(st.integers(11, 120)) for _ in cells])
    events = np.array([draw(st.one_of(st.integers(0, 12), st.integers(0, int(m)))) for m in n])
    events = np.minimum(events, n)
    keys = pd.DataFrame(cells, columns=[f"v{d}" for d in range(len(shape))])
    return keys, n, events


@settings(max_examples=40, deadline=None)
@given(outcome_only_tables())
def test_hidden_cells_against_the_integer_optimum(table) -> None:
    # The heuristic's result is safe, so it can never hide fewer groups than the
    # optimum; on these small tables it is within two groups of it. The benchmark
    # report (benchmarks/bench_suppression.py) records the gap's distribution.
    keys, n, events = table
    _, hide_outcome = protect_table(keys, n, events, M, prefer_hidden=[])
    best = optimal_hidden(keys, n, events, M)
    assert best <= hide_outcome.sum() <= best + 2


# --- the Riverbend tables of the intersections chapter ----------------------------------


@pytest.fixture(scope="module")
def hypertension():
    patients = el.load_dataset("riverbend_patients")
    return patients[patients["hypertension"] == 1]


def _hidden(table) -> list[str]:
    by = table.attrs["by"]
    rows = table[table["suppressed"]]
    return [" · ".join(str(row[c]) for c in by) for _, row in rows.iterrows()]


def test_one_small_count_costs_four_hidden_cells(hypertension) -> None:
    # Native Hawaiian or Pacific Islander men: 10 of 23 with blood pressure controlled,
    # the table's only small count. A 2 x 2 box protects it: its row partner, and the
    # pair of a row labelled Declined (preferred over a substantive group).
    known = hypertension[hypertension["sex"] != "Unknown"]
    table = el.stratify(known, ["race_ethnicity_group", "sex"], "bp_controlled")
    assert _hidden(table) == [
        "Native Hawaiian or Pacific Islander · Female",
        "Native Hawaiian or Pacific Islander · Male",
        "Declined · Female",
        "Declined · Male",
    ]
    assert not table["n"].isna().any()  # every group's size stays visible
    combined = el.stratify(
        hypertension, ["race_ethnicity_group", "sex"], "bp_controlled",
        combine={"sex": {"Unknown": None}},
    )  # fmt: skip
    assert _hidden(combined) == _hidden(table)
    assert combined.attrs["left_out"] == {"sex": 44}
    assert (
        "sex: 44 people recorded as Unknown are left out of this table" in combined.attrs["notes"]
    )
    assert el.audit_release([combined]).empty


def test_without_a_preference_a_substantive_pair_is_hidden(hypertension) -> None:
    known = hypertension[hypertension["sex"] != "Unknown"]
    table = el.stratify(known, ["race_ethnicity_group", "sex"], "bp_controlled", prefer_hidden=[])
    hidden = _hidden(table)
    assert len(hidden) == 4 and "Declined · Male" not in hidden
    assert "Native Hawaiian or Pacific Islander · Male" in hidden


def test_the_unknown_sex_column_costs_one_sex_per_race(hypertension) -> None:
    # Kept, the Unknown sex column holds eight groups of 1 to 25 people. Each race row
    # with a hidden Unknown cell needs a second hidden cell in the row (its total is
    # published): the Male cell, which also pairs with the Unknown race row. Female
    # rates stay visible for every substantive group.
    table = el.stratify(hypertension, ["race_ethnicity_group", "sex"], "bp_controlled")
    assert len(table) == 28
    hidden = _hidden(table)
    assert len(hidden) == 18
    for group in ["Asian", "Black or African American", "Hispanic or Latino", "White"]:
        assert f"{group} · Male" in hidden and f"{group} · Female" not in hidden
    assert "American Indian or Alaska Native · Male" not in hidden


# --- tables published together -----------------------------------------------------------


@pytest.fixture(scope="module")
def black_white(hypertension):
    people = hypertension[
        hypertension["race_ethnicity_group"].isin(["Black or African American", "White"])
    ].copy()
    people["age_group"] = np.where(people["age"] < 45, "18-44", "45+")
    return people


def test_a_release_from_one_analysis_set_passes(black_white) -> None:
    known = black_white[black_white["sex"] != "Unknown"]
    by_race = el.stratify(known, "race_ethnicity_group", "bp_controlled")
    strata = el.stratify(known, ["race_ethnicity_group", "sex", "age_group"], "bp_controlled")
    report = el.audit_release([by_race, strata])
    assert report.empty and list(report.columns) == ["tables", "group", "count", "problem"]


def test_a_table_beside_its_filtered_version_is_flagged(black_white) -> None:
    # The race table counts the 6 Black patients whose sex is Unknown (4 with blood
    # pressure controlled); the filtered intersection leaves them out: subtraction
    # gives them away, although each table is protected on its own.
    everyone = el.stratify(black_white, "race_ethnicity_group", "bp_controlled")
    known = black_white[black_white["sex"] != "Unknown"]
    strata = el.stratify(known, ["race_ethnicity_group", "sex", "age_group"], "bp_controlled")
    report = el.audit_release([everyone, strata])
    black = report[report["group"].str.startswith("Black or African American")]
    assert set(black["count"]) == {"n", "events", "without the outcome"}
    assert not report["problem"].str.contains(r"\b6\b").any()  # the value is never shown
    # Left out on the record with combine=, the same people are named exactly.
    combined = el.stratify(
        black_white, ["race_ethnicity_group", "sex", "age_group"], "bp_controlled",
        combine={"sex": {"Unknown": None}},
    )  # fmt: skip
    report = el.audit_release([everyone, combined])
    assert "race_ethnicity_group = Black or African American, sex = Unknown" in set(report["group"])


def test_audit_release_says_what_it_needs() -> None:
    with pytest.raises(EquityLabError, match="list of tables"):
        el.audit_release(pd.DataFrame({"a": [1]}))
    with pytest.raises(EquityLabError, match="not a stratify"):
        el.audit_release([pd.DataFrame({"a": [1]})])


def test_prefer_hidden_and_combine_say_what_to_fix(hypertension) -> None:
    with pytest.raises(EquityLabError, match="prefer_hidden must be a list"):
        el.stratify(hypertension, "sex", "bp_controlled", prefer_hidden="Unknown")
    with pytest.raises(EquityLabError, match="not a grouping column"):
        el.stratify(hypertension, "sex", "bp_controlled", combine={"race": {"A": None}})
    with pytest.raises(EquityLabError, match="its groups are: 'Female', 'Male', 'Unknown'"):
        el.stratify(hypertension, "sex", "bp_controlled", combine={"sex": {"Unkown": None}})
    merged = el.stratify(
        hypertension, "race_ethnicity_group", "bp_controlled",
        combine={"race_ethnicity_group": {"Declined": "Unknown"}},
    )  # fmt: skip
    assert "Declined" not in set(merged["race_ethnicity_group"])
    assert (
        "race_ethnicity_group: 'Declined' is counted in the group 'Unknown'"
        in (merged.attrs["notes"])
    )
