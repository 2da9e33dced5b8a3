"""The standardization explorer, tested headlessly: set a drop-down, read the table."""

from __future__ import annotations

import pandas as pd
import pytest

import equitylab as el

HISPANIC, WHITE = "Hispanic or Latino", "White"


@pytest.fixture(scope="module")
def patients() -> pd.DataFrame:
    return el.load_dataset("riverbend_patients")


@pytest.fixture
def explorer(patients):
    return el.widgets.standardize_explorer(
        patients,
        "race_ethnicity_group",
        "diabetes",
        "age",
        group=HISPANIC,
        reference=WHITE,
        outcome_label="Diagnosed diabetes",
        ages=(18, 100),
    )


def _expected(patients, standard: str) -> pd.DataFrame:
    table = el.age_standardize(
        patients, "race_ethnicity_group", "diabetes", "age", standard=standard, ages=(18, 100)
    )
    return table.set_index(table["race_ethnicity_group"].astype(str))


def test_table_matches_age_standardize_for_each_standard(explorer, patients) -> None:
    for standard in ("us2000", "esp2013"):
        explorer.standard.value = standard
        expected = _expected(patients, standard)
        adjusted = explorer.table.loc["adjusted"]
        assert adjusted["group_rate"] == pytest.approx(expected.loc[HISPANIC, "adjusted_rate"])
        assert adjusted["reference_rate"] == pytest.approx(expected.loc[WHITE, "adjusted_rate"])
        assert adjusted["difference"] == pytest.approx(
            expected.loc[HISPANIC, "adjusted_rate"] - expected.loc[WHITE, "adjusted_rate"]
        )
        assert adjusted["ratio"] == pytest.approx(
            expected.loc[HISPANIC, "adjusted_rate"] / expected.loc[WHITE, "adjusted_rate"]
        )
        crude = explorer.table.loc["crude"]
        assert crude["group_rate"] == pytest.approx(expected.loc[HISPANIC, "crude_rate"])


def test_crude_rates_do_not_depend_on_the_standard(explorer) -> None:
    before = explorer.table.loc["crude"].copy()
    explorer.standard.value = "esp2013"
    pd.testing.assert_series_equal(explorer.table.loc["crude"], before)
    assert "2013 European Standard Population" in explorer.result.value


def test_choosing_groups_updates_table_and_verdict(explorer, patients) -> None:
    # Built-in pattern 1 of datasets/README.md: the crude diabetes gap between Hispanic or
    # Latino and White patients reverses once ages are standardized.
    assert "changes direction" in explorer.result.value
    explorer.group.value = "Black or African American"
    expected = _expected(patients, "us2000")
    crude = explorer.table.loc["crude"]
    assert crude["difference"] == pytest.approx(
        expected.loc["Black or African American", "crude_rate"] - expected.loc[WHITE, "crude_rate"]
    )
    assert "keeps its direction" in explorer.result.value
    assert "Black or African American" in explorer.result.value


def test_same_group_on_both_sides_gives_no_gap(explorer) -> None:
    explorer.reference.value = HISPANIC
    assert explorer.table["difference"].tolist() == [0.0, 0.0]
    assert explorer.table["ratio"].tolist() == [1.0, 1.0]


def test_every_control_is_named_and_widget_is_marked(explorer) -> None:
    assert [c.description for c in (explorer.group, explorer.reference, explorer.standard)] == [
        "Group",
        "Compared with",
        "Standard population",
    ]
    assert el.widgets.NEEDS_KERNEL_CLASS in explorer._dom_classes


def test_labels_are_escaped() -> None:
    data = pd.DataFrame(
        {
            "g": ["<b>A</b>"] * 200 + ["B"] * 200,
            "y": ([1] * 40 + [0] * 60) * 4,
            "age": list(range(20, 70)) * 8,
        }
    )
    widget = el.widgets.standardize_explorer(
        data, "g", "y", "age", group="<b>A</b>", reference="B", ages=(20, 69)
    )
    assert "<b>A</b>" not in widget.result.value
    assert "&lt;b&gt;A&lt;/b&gt;" in widget.result.value


def test_unknown_group_is_refused(patients) -> None:
    with pytest.raises(el.EquityLabError, match="no standardized rate"):
        el.widgets.standardize_explorer(
            patients,
            "race_ethnicity_group",
            "diabetes",
            "age",
            group="Martians",
            reference=WHITE,
            ages=(18, 100),
        )


def test_the_ages_to_standardize_over_are_asked_for(patients) -> None:
    # Riverbend's patients are 18 to 100: the explorer, like age_standardize, refuses to
    # truncate the standard without being told (issue 10).
    with pytest.raises(el.EquityLabError, match=r"ages=\(18, 100\)"):
        el.widgets.standardize_explorer(
            patients, "race_ethnicity_group", "diabetes", "age", group=HISPANIC, reference=WHITE
        )
