"""The stratify explorer, tested headlessly: set controls, read .table and .figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import equitylab as el

MEASURES = {
    "bp_controlled": "Blood pressure controlled",
    "readmitted_30d": "Readmitted within 30 days",
}
GROUPINGS = {"race_ethnicity_group": "Race and ethnicity", "sex": "Sex", "clinic": "Clinic"}


@pytest.fixture(scope="module")
def patients() -> pd.DataFrame:
    return el.load_dataset("riverbend_patients")


@pytest.fixture
def explorer(patients):
    return el.widgets.stratify_explorer(
        patients, measures=MEASURES, groupings=GROUPINGS, adverse=["readmitted_30d"]
    )


def _same(widget_table: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        widget_table.reset_index(drop=True), expected.reset_index(drop=True)
    )


def test_starts_with_the_library_defaults(explorer, patients) -> None:
    _same(explorer.table, el.stratify(patients, "race_ethnicity_group", "bp_controlled"))
    assert explorer.reference.value == (explorer.table.attrs["reference"],)
    assert explorer.min_cell.value == el.DEFAULT_MIN_CELL
    assert explorer.table.attrs["min_cell"] == el.DEFAULT_MIN_CELL


def test_every_control_has_an_accessible_name(explorer) -> None:
    controls = [
        explorer.measure,
        explorer.grouping,
        explorer.second_grouping,
        explorer.reference,
        explorer.min_cell,
    ]
    assert all(c.description for c in controls)
    assert len({c.description for c in controls}) == len(controls)


def test_marked_as_needing_a_kernel(explorer) -> None:
    assert el.widgets.NEEDS_KERNEL_CLASS in explorer._dom_classes


def test_measure_control_changes_table_and_framing(explorer, patients) -> None:
    explorer.measure.value = "readmitted_30d"
    expected = el.stratify(
        patients, "race_ethnicity_group", "readmitted_30d", higher_is_better=False
    )
    _same(explorer.table, expected)
    assert explorer.table.attrs["higher_is_better"] is False
    assert "Readmitted within 30 days" in explorer.figure.get_suptitle()


def test_two_groupings_make_an_intersection(explorer, patients) -> None:
    explorer.second_grouping.value = "clinic"
    assert explorer.by == ["race_ethnicity_group", "clinic"]
    expected = el.stratify(patients, ["race_ethnicity_group", "clinic"], "bp_controlled")
    _same(explorer.table, expected)
    # Reference options follow the grouping: one per intersection cell, as tuples.
    assert len(explorer.reference.options) == len(expected)
    assert explorer.reference.value == expected.attrs["reference"]
    assert f"{int(expected['suppressed'].sum())} suppressed" in explorer.summary.value


def test_second_grouping_cannot_repeat_the_first(explorer) -> None:
    explorer.second_grouping.value = "sex"
    explorer.grouping.value = "sex"
    assert explorer.second_grouping.value == ""
    assert "sex" not in [value for _, value in explorer.second_grouping.options]
    assert explorer.by == ["sex"]
    assert {v for _, v in explorer.reference.options} == {("Female",), ("Male",), ("Unknown",)}


def test_reference_control_moves_the_comparison(explorer, patients) -> None:
    explorer.reference.value = ("Asian",)
    expected = el.stratify(patients, "race_ethnicity_group", "bp_controlled", reference="Asian")
    _same(explorer.table, expected)
    reference_row = explorer.table[explorer.table["is_reference"]]
    assert reference_row["race_ethnicity_group"].tolist() == ["Asian"]
    # Changing the measure keeps the chosen reference when it still exists.
    explorer.measure.value = "readmitted_30d"
    assert explorer.reference.value == ("Asian",)


def test_suppressed_groups_are_shown_as_suppressed(explorer) -> None:
    explorer.measure.value = "readmitted_30d"
    table = explorer.table
    hidden = table[table["suppressed"]]
    assert len(hidden) > 0  # e.g. Native Hawaiian or Pacific Islander patients admitted
    assert "suppressed" in explorer.table_view.value
    for name in hidden["race_ethnicity_group"]:
        row = explorer.table_view.value.split(f"<td>{name}</td>", 1)[1].split("</tr>", 1)[0]
        assert "%" not in row  # no rate or interval leaks out of a hidden row
        assert f"{name} suppressed" in explorer.alt_text()


def test_threshold_can_be_raised_not_lowered(explorer, patients) -> None:
    assert explorer.min_cell.min == el.DEFAULT_MIN_CELL
    explorer.measure.value = "readmitted_30d"
    before = int(explorer.table["suppressed"].sum())
    explorer.min_cell.value = 40
    assert explorer.table.attrs["min_cell"] == 40
    assert int(explorer.table["suppressed"].sum()) > before
    explorer.min_cell.value = 0  # the slider clamps to its minimum
    assert explorer.min_cell.value == el.DEFAULT_MIN_CELL
    assert explorer.table.attrs["min_cell"] == el.DEFAULT_MIN_CELL
    with pytest.raises(el.EquityLabError, match="at least 11"):
        el.widgets.stratify_explorer(patients, measures=MEASURES, groupings=GROUPINGS, min_cell=5)
    with pytest.raises(el.EquityLabError, match="at least 11"):
        el.widgets.stratify_explorer(patients, measures=MEASURES, groupings=GROUPINGS, min_cell=0)


def test_figure_draws_the_shown_rates(explorer) -> None:
    table = explorer.table
    ax = explorer.figure.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(labels) == sorted(table["race_ethnicity_group"])
    drawn = sorted(
        round(float(line.get_xdata()[0]), 6)
        for line in ax.get_lines()
        if line.get_marker() in ("o", "D")
    )
    shown = table[~table["suppressed"]]
    assert drawn == sorted(round(100 * float(r), 6) for r in shown["rate"])
    lowest = shown.loc[shown["rate"].idxmin(), "race_ethnicity_group"]
    assert lowest in explorer.figure.get_suptitle()


def test_chart_is_an_image_with_alt_text(explorer) -> None:
    view = explorer.chart_view.value
    assert view.startswith('<img src="data:image/png;base64,')
    assert 'alt="Rate chart of Blood pressure controlled' in view
    white = explorer.table.set_index("race_ethnicity_group").loc["White", "rate"]
    assert f"White (reference) {100 * white:.1f}%" in explorer.alt_text()


def test_table_html_shows_interval_and_difference(explorer) -> None:
    row = explorer.table.set_index("race_ethnicity_group").loc["Asian"]
    cells = explorer.table_view.value.split("<td>Asian</td>", 1)[1].split("</tr>", 1)[0]
    assert f"{100 * row['ci_low']:.1f}%\u00a0to\u00a0{100 * row['ci_high']:.1f}%" in cells
    assert f"{100 * row['rate_difference']:+.1f}" in cells
    assert "<caption>" in explorer.table_view.value
    assert '<th scope="col">Race and ethnicity</th>' in explorer.table_view.value


def test_labels_are_escaped() -> None:
    data = pd.DataFrame(
        {"group": ["<b>A</b>"] * 50 + ["B"] * 50, "done": np.r_[np.ones(30), np.zeros(70)]}
    )
    widget = el.widgets.stratify_explorer(data, measures=["done"], groupings=["group"])
    assert "<b>A</b>" not in widget.table_view.value
    assert "&lt;b&gt;A&lt;/b&gt;" in widget.table_view.value


def test_unknown_columns_fail_before_a_widget_is_built(patients) -> None:
    with pytest.raises(el.EquityLabError, match="not found"):
        el.widgets.stratify_explorer(patients, measures=["no_such"], groupings=["sex"])
