"""stratify: known answers, missing data as groups, outcome values, protection, engines.

Known answers at the level of the whole table reuse published interval examples
(see tests/test_intervals.py for their sources): Newcombe (1998b) example (a),
56/70 vs 48/80, whose hybrid score interval for the difference is 0.0524 to 0.3339;
and 36/154 vs 12/77 (PHUSE CAMIS, ratesci::rrci), whose Katz log interval for the
ratio is 0.828758 to 2.71490.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equitylab as el
from equitylab import EquityLabError
from equitylab.intervals import clopper_pearson, wilson


def _rows(groups: dict[str, tuple[int, int]], column: str = "group") -> pd.DataFrame:
    """Patient-level rows from {group: (events, n)}."""
    records = []
    for group, (events, n) in groups.items():
        records += [(group, 1)] * events + [(group, 0)] * (n - events)
    return pd.DataFrame(records, columns=[column, "outcome"])


def _row(table: pd.DataFrame, group: str, column: str = "group") -> pd.Series:
    return table.loc[table[column] == group].iloc[0]


# --- known answers --------------------------------------------------------------------


def test_difference_matches_newcombe_example_a() -> None:
    table = el.stratify(_rows({"A": (56, 70), "B": (48, 80)}), "group", "outcome", reference="B")
    a = _row(table, "A")
    assert a["rate_difference"] == pytest.approx(0.2)
    assert round(a["rate_difference_ci_low"], 4) == 0.0524
    assert round(a["rate_difference_ci_high"], 4) == 0.3339
    assert (a["n"], a["events"]) == (70, 56)
    assert (a["ci_low"], a["ci_high"]) == pytest.approx(wilson(56, 70))


def test_ratio_matches_the_camis_katz_example() -> None:
    data = _rows({"A": (36, 154), "B": (12, 77)})
    a = _row(el.stratify(data, "group", "outcome", reference="B"), "A")
    assert a["rate_ratio"] == pytest.approx(1.5)
    assert round(a["rate_ratio_ci_low"], 6) == 0.828758
    assert round(a["rate_ratio_ci_high"], 5) == 2.71490


def test_clopper_pearson_on_request() -> None:
    table = el.stratify(
        _rows({"A": (13, 16), "B": (40, 80)}), "group", "outcome", ci="clopper-pearson", min_cell=0
    )
    a = _row(table, "A")
    assert (a["ci_low"], a["ci_high"]) == pytest.approx(clopper_pearson(13, 16))
    assert "Clopper-Pearson" in table.attrs["method"]


def test_meaningful_follows_ahrq_on_the_adverse_framing() -> None:
    # Favourable outcome, 90% vs 80%: adverse 10% vs 20% is a 50% relative difference;
    # with these sizes it is also significant, so it is meaningful.
    table = el.stratify(
        _rows({"A": (900, 1000), "B": (800, 1000)}), "group", "outcome", reference="B"
    )
    a = _row(table, "A")
    assert a["relative_difference"] == pytest.approx((0.1 - 0.2) / 0.2)
    assert a["p_value"] < 0.05 and bool(a["meaningful"])
    # The same counts framed as an adverse outcome: 90% vs 80% is only 12.5% relative...
    adverse = el.stratify(
        _rows({"A": (900, 1000), "B": (800, 1000)}),
        "group",
        "outcome",
        reference="B",
        higher_is_better=False,
    )
    assert _row(adverse, "A")["relative_difference"] == pytest.approx(0.125)
    # ...and 52% vs 50% (n=10,000 each) is significant but under 10% relative: not meaningful.
    close = el.stratify(
        _rows({"A": (5200, 10000), "B": (5000, 10000)}),
        "group",
        "outcome",
        reference="B",
        higher_is_better=False,
    )
    row = _row(close, "A")
    assert row["p_value"] < 0.05 and not bool(row["meaningful"])


def test_default_reference_is_the_largest_informative_group() -> None:
    data = _rows({"A": (20, 50), "B": (60, 120), "Unknown": (100, 300)})
    table = el.stratify(data, "group", "outcome")
    assert table.attrs["reference"] == "B"
    assert _row(table, "B")["is_reference"] and pd.isna(_row(table, "B")["rate_difference"])


# --- missing data as groups, and completeness ----------------------------------------


def test_missing_blank_unknown_and_declined_are_groups_of_their_own() -> None:
    data = pd.DataFrame(
        {
            "race": ["White"] * 40
            + [None] * 12
            + [""] * 3
            + ["  "] * 2
            + ["Unknown"] * 15
            + ["Declined"] * 20
            + ["Asian "] * 30,
            "outcome": [1, 0] * 61,
        }
    )
    table = el.stratify(data, "race", "outcome", min_cell=0)
    assert list(table["race"]) == ["Asian", "White", "Unknown", "Declined", "Missing"]
    assert _row(table, "Missing", "race")["n"] == 17
    assert table["n"].sum() == len(data)
    completeness = el.completeness(table).iloc[0]
    assert (completeness["missing"], completeness["unknown"], completeness["declined"]) == (
        17,
        15,
        20,
    )
    assert completeness["complete"] == pytest.approx(70 / 122)


def test_outcome_values_of_every_common_kind() -> None:
    group = ["A"] * 8 + ["B"] * 8
    kinds = {
        "ints": [1, 0] * 8,
        "bools": [True, False] * 8,
        "floats with NaN": [1.0, 0.0, np.nan, 1.0] * 4,
        "text": ["Yes", "no", "Y", "N", "TRUE", "false", " yes ", "N/A"] * 2,
        "nullable": pd.array([1, 0, None, 1] * 4, dtype="Int8"),
        "nullable bool": pd.array([True, False, None, True] * 4, dtype="boolean"),
    }
    for name, values in kinds.items():
        table = el.stratify(pd.DataFrame({"g": group, "y": values}), "g", "y", min_cell=0)
        usable = table["n"].sum()
        assert usable + table.attrs["excluded_outcome"] == 16, name
        assert table["events"].sum() == sum(
            1 for v in values if str(v).strip().lower() in {"1", "1.0", "true", "yes", "y"}
        ), name


def test_unusable_outcome_values_are_named() -> None:
    data = pd.DataFrame({"g": ["A", "B", "A"], "y": ["yes", "maybe", "2"]})
    with pytest.raises(EquityLabError, match=r"'maybe'.*|'2'.*"):
        el.stratify(data, "g", "y")
    with pytest.raises(EquityLabError, match="holds: 2, 3"):
        el.stratify(pd.DataFrame({"g": ["A"] * 3, "y": [1, 2, 3]}), "g", "y")


# --- intersections --------------------------------------------------------------------


def test_intersections_and_a_tuple_reference() -> None:
    data = pd.concat(
        [
            _rows({"Black": (40, 100), "White": (60, 100)}, "race").assign(sex="Man"),
            _rows({"Black": (50, 100), "White": (55, 100)}, "race").assign(sex="Woman"),
        ]
    )
    table = el.stratify(data, ["race", "sex"], "outcome", reference=("White", "Man"))
    assert len(table) == 4 and table.attrs["reference"] == ("White", "Man")
    black_men = table[(table["race"] == "Black") & (table["sex"] == "Man")].iloc[0]
    assert black_men["rate_difference"] == pytest.approx(-0.2)
    with pytest.raises(EquityLabError, match="one value per grouping column"):
        el.stratify(data, ["race", "sex"], "outcome", reference="White")


def test_a_numbered_group_can_be_named_by_its_number() -> None:
    # Deprivation quintiles are numbers in the data and labels ("1") in the table.
    data = pd.concat(
        [
            pd.DataFrame({"quintile": q, "outcome": [1] * x + [0] * (100 - x)})
            for q, x in [(1, 60), (5, 40)]
        ]
    )
    by_number = el.stratify(data, "quintile", "outcome", reference=1)
    by_label = el.stratify(data, "quintile", "outcome", reference="1")
    pd.testing.assert_frame_equal(by_number, by_label)
    fifth = by_number[by_number["quintile"] == "5"].iloc[0]
    assert fifth["rate_difference"] == pytest.approx(-0.2)
    with pytest.raises(EquityLabError, match="reference group 3 not found"):
        el.stratify(data, "quintile", "outcome", reference=3)
    with pytest.raises(EquityLabError, match="must be a group's name"):
        el.stratify(data, "quintile", "outcome", reference=1.5)


# --- protection in the table ------------------------------------------------------------


def test_small_cells_are_hidden_with_everything_derived_from_them() -> None:
    data = _rows({"A": (5, 100), "B": (50, 200), "C": (120, 300)})
    table = el.stratify(data, "group", "outcome", reference="C")
    hidden = table[table["suppressed"]]
    assert list(hidden["group"]) == ["A", "B"]
    assert (
        hidden[
            [
                "events",
                "rate",
                "ci_low",
                "ci_high",
                "rate_difference",
                "rate_ratio",
                "p_value",
                "meaningful",
            ]
        ]
        .isna()
        .all()
        .all()
    )
    assert list(hidden["n"]) == [100, 200]  # group sizes stay visible
    assert "1 to 10" in table.attrs["method"]


def test_min_cell_zero_shows_everything() -> None:
    table = el.stratify(_rows({"A": (5, 100), "B": (50, 200)}), "group", "outcome", min_cell=0)
    assert not table["suppressed"].any() and table["events"].tolist() == [5, 50]
    assert "switched off" in table.attrs["method"]


def test_a_hidden_reference_hides_every_comparison() -> None:
    data = _rows({"A": (3, 500), "B": (150, 400), "C": (120, 300)})
    table = el.stratify(data, "group", "outcome", reference="A")
    assert table["rate_difference"].isna().all()
    assert any("reference group is suppressed" in note for note in table.attrs["notes"])


def test_completeness_and_excluded_counts_are_protected_too() -> None:
    data = pd.DataFrame({"g": ["A"] * 50 + [None] * 4, "y": [1, 0] * 25 + [1, 0, 1, None]})
    table = el.stratify(data, "g", "y")
    assert table.attrs["excluded_outcome"] is None
    completeness = el.completeness(table).iloc[0]
    assert pd.isna(completeness["missing"]) and pd.isna(completeness["complete"])


# --- engines: the same call, the same result -------------------------------------------


ENGINE_DATA = pd.DataFrame(
    {
        "race": ["Black", "White", None, "", "Asian", "Black", "White", "Unknown"] * 30,
        "sex": ["Man", "Woman"] * 120,
        "screened": ["Yes", "No", "yes", None, "N", "1", "0", "N/A"] * 30,
    }
)


def _engines(frame: pd.DataFrame):
    yield "pandas", frame
    yield "polars", pl.from_pandas(frame)
    con = duckdb.connect()
    con.register("patients", frame)
    yield "duckdb", con.sql("select * from patients")


@pytest.mark.parametrize("by", ["race", ["race", "sex"]])
def test_pandas_polars_and_duckdb_agree(by) -> None:
    results = {
        name: el.stratify(data, by, "screened", min_cell=0) for name, data in _engines(ENGINE_DATA)
    }
    expected = results.pop("pandas")
    assert "Missing" in set(expected["race"])
    for name, table in results.items():
        pd.testing.assert_frame_equal(table, expected, obj=name)
        assert table.attrs["excluded_outcome"] == expected.attrs["excluded_outcome"], name
        pd.testing.assert_frame_equal(el.completeness(table), el.completeness(expected), obj=name)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C", None, "", "Unknown"]), st.sampled_from([0, 1, None])
        ),
        min_size=1,
        max_size=80,
    )
)
def test_backends_agree_on_random_data(rows) -> None:
    frame = pd.DataFrame(rows, columns=["g", "y"]).astype({"g": object, "y": "Int8"})
    if frame["y"].isna().all():
        return
    outputs = [el.stratify(data, "g", "y", min_cell=0) for _, data in _engines(frame)]
    for other in outputs[1:]:
        pd.testing.assert_frame_equal(other, outputs[0])


# --- properties -----------------------------------------------------------------------


patient_rows = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C", "D", None, "Unknown"]),
        st.sampled_from(["x", "y"]),
        st.sampled_from([0, 1, 1, None]),
    ),
    min_size=1,
    max_size=300,
)


@settings(max_examples=60, deadline=None)
@given(patient_rows)
def test_counts_are_conserved(rows) -> None:
    frame = pd.DataFrame(rows, columns=["g", "h", "y"]).astype({"y": "Int8"})
    if frame["y"].isna().all():
        return
    table = el.stratify(frame, ["g", "h"], "y", min_cell=0)
    assert table["n"].sum() + table.attrs["excluded_outcome"] == len(frame)
    assert table["events"].sum() == int(frame["y"].sum())


@settings(max_examples=60, deadline=None)
@given(patient_rows, st.sampled_from(["wilson", "clopper-pearson"]))
def test_intervals_contain_their_estimates(rows, ci) -> None:
    frame = pd.DataFrame(rows, columns=["g", "h", "y"]).astype({"y": "Int8"})
    if frame["y"].isna().all():
        return
    table = el.stratify(frame, "g", "y", ci=ci, min_cell=0)
    shown = table.dropna(subset=["rate"])
    assert (
        (shown["ci_low"] >= 0)
        & (shown["ci_low"] <= shown["rate"])
        & (shown["rate"] <= shown["ci_high"])
        & (shown["ci_high"] <= 1)
    ).all()
    compared = table.dropna(subset=["rate_difference"])
    assert (
        (compared["rate_difference_ci_low"] <= compared["rate_difference"])
        & (compared["rate_difference"] <= compared["rate_difference_ci_high"])
    ).all()


@settings(max_examples=40, deadline=None)
@given(patient_rows, st.randoms())
def test_results_do_not_depend_on_row_order(rows, random) -> None:
    frame = pd.DataFrame(rows, columns=["g", "h", "y"]).astype({"y": "Int8"})
    if frame["y"].isna().all():
        return
    shuffled = frame.sample(frac=1, random_state=random.randint(0, 10**6))
    pd.testing.assert_frame_equal(
        el.stratify(frame, ["g", "h"], "y"), el.stratify(shuffled, ["g", "h"], "y")
    )


@settings(max_examples=60, deadline=None)
@given(patient_rows)
def test_no_table_shows_a_count_of_1_to_10(rows) -> None:
    frame = pd.DataFrame(rows, columns=["g", "h", "y"]).astype({"y": "Int8"})
    if frame["y"].isna().all():
        return
    table = el.stratify(frame, ["g", "h"], "y")
    n, events = table["n"].dropna(), table["events"].dropna()
    assert not ((n > 0) & (n < 11)).any() and not ((events > 0) & (events < 11)).any()
    both = table.dropna(subset=["n", "events"])
    nonevents = both["n"] - both["events"]
    assert not ((nonevents > 0) & (nonevents < 11)).any()


# --- bad input: a clear EquityLabError, never a traceback from pandas -------------------


GOOD = _rows({"A": (30, 60), "B": (20, 50)})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: el.stratify(GOOD.iloc[0:0], "group", "outcome"), "no rows"),
        (
            lambda: el.stratify(GOOD, "race", "outcome"),
            r"'race' not found; the columns are: "
            "group, outcome",
        ),
        (lambda: el.stratify(GOOD, "group", "bp"), "'bp' not found"),
        (lambda: el.stratify(GOOD.assign(outcome=np.nan), "group", "outcome"), "no usable values"),
        (lambda: el.stratify(GOOD, "outcome", "outcome"), "both the outcome and a grouping"),
        (lambda: el.stratify(GOOD, [], "outcome"), "column name or a list"),
        (lambda: el.stratify(GOOD, ["group", "group"], "outcome"), "twice"),
        (
            lambda: el.stratify(GOOD.assign(id=range(110)), "id", "outcome", max_groups=50),
            "identifier or a measurement",
        ),
        (lambda: el.stratify(GOOD, "group", "outcome", ci="wald"), "unknown ci"),
        (lambda: el.stratify(GOOD, "group", "outcome", level=1.5), "between 0 and 1"),
        (lambda: el.stratify(GOOD, "group", "outcome", min_cell=-1), "min_cell"),
        (lambda: el.stratify(GOOD, "group", "outcome", higher_is_better="yes"), "True or False"),
        (
            lambda: el.stratify(GOOD, "group", "outcome", reference="Z"),
            "reference group 'Z' not found; groups are: A, B",
        ),
        (lambda: el.stratify([1, 2, 3], "group", "outcome"), "needs a table"),
    ],
)
def test_bad_input_says_what_to_fix(call, message) -> None:
    with pytest.raises(EquityLabError, match=message):
        call()


def test_results_survive_ordinary_pandas_operations() -> None:
    # attrs hold only plain values: pandas compares them when combining frames.
    data = _rows({"A": (5, 100), "B": (50, 200), "C": (120, 300)})
    table = el.stratify(data, "group", "outcome")
    assert table[["group", "n"]].astype(str).shape == (3, 2)
    assert len(pd.concat([table, table])) == 6
    assert table.copy().attrs == table.attrs


def test_edge_cases_that_are_not_errors() -> None:
    one = el.stratify(_rows({"A": (0, 40)}), "group", "outcome")
    assert len(one) == 1 and one["rate"].iloc[0] == 0.0 and one["ci_low"].iloc[0] == 0.0
    full = el.stratify(_rows({"A": (40, 40), "B": (0, 40)}), "group", "outcome", reference="B")
    a = _row(full, "A")
    assert a["rate"] == 1.0 and a["ci_high"] == 1.0
    assert np.isfinite(a["rate_ratio"])  # zero-event reference: 0.5 correction, documented
    assert any("Haldane" in note for note in full.attrs["notes"])
    categorical = GOOD.assign(group=pd.Categorical(GOOD["group"], categories=["B", "A"]))
    assert list(el.stratify(categorical, "group", "outcome")["group"]) == ["B", "A"]


@pytest.mark.parametrize(
    "values",
    [
        pd.Series([1, 0, 2, None], dtype="Int8"),  # numpy scalars inside
        pd.Series([1.0, 0.0, 2.0, np.nan]),  # what engines return for integers with nulls
    ],
    ids=["Int8", "float-with-nan"],
)
def test_a_numeric_outcome_value_is_shown_as_typed(values: pd.Series) -> None:
    frame = pd.DataFrame({"g": ["a", "b", "a", "b"], "y": values})
    with pytest.raises(EquityLabError, match=r"it also holds: 2\. Recode"):
        el.stratify(frame, "g", "y")


def test_chunks_keep_a_categorical_column_s_order() -> None:
    # stratify orders groups by a categorical column's categories; read in pieces, the
    # table must come out in the same order (e.g. the SPD 15 order of recoded groups)
    order = ["White", "Asian", "Black or African American", "Unknown"]
    frame = pd.DataFrame(
        {
            "g": pd.Categorical(
                ["Asian", "White", "Black or African American", "Unknown"] * 30, categories=order
            ),
            "y": [1, 0, 1, 1, 0] * 24,
        }
    )
    whole = el.stratify(frame, "g", "y", min_cell=0)
    pieces = el.stratify_chunks([frame.iloc[:50], frame.iloc[50:]], "g", "y", min_cell=0)
    assert whole["g"].astype(str).tolist() == order
    assert pieces["g"].astype(str).tolist() == order
    assert pieces["n"].tolist() == whole["n"].tolist()
