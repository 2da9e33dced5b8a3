"""The stratify explorer, tested headlessly: set controls, read .table and .figure."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest

import equitylab as el
from equitylab.widgets.stratify import HIDDEN, KEEP, LEAVE_OUT

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
    hidden = int(expected["suppressed"].sum())
    assert f"{hidden} hidden to protect small numbers" in explorer.summary.value


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


def test_suppressed_groups_are_shown_as_hidden(explorer) -> None:
    explorer.measure.value = "readmitted_30d"
    table = explorer.table
    hidden = table[table["suppressed"]]
    assert len(hidden) > 0  # e.g. Native Hawaiian or Pacific Islander patients admitted
    for name in hidden["race_ethnicity_group"]:
        row = explorer.table_view.value.split(f"<td>{name}</td>", 1)[1].split("</tr>", 1)[0]
        assert "%" not in row  # no rate or interval leaks out of a hidden row
        assert "hidden to protect small numbers" in row
        assert f"{name} hidden to protect small numbers" in explorer.alt_text()
    assert "suppressed" not in explorer.alt_text()


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
    (names,) = [a for a in ax.artists if a.get_gid() == "group"]
    labels = [name.removesuffix(" (reference)") for name in names.get_texts()]
    assert labels == table["race_ethnicity_group"].tolist()  # top to bottom, the table's order
    drawn = sorted(
        round(float(x), 6)
        for line in ax.get_lines()
        if line.get_marker() in ("o", "D")
        for x in line.get_xdata()
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


# --- people recorded as Unknown, Declined or Missing ------------------------------------


def test_not_recorded_controls_have_accessible_names(explorer) -> None:
    controls = explorer.not_recorded
    assert set(controls) == {"race_ethnicity_group", "sex"}  # clinic has no such people
    assert controls["sex"].description == "People whose sex is recorded as Unknown"
    assert controls["race_ethnicity_group"].description == (
        "People whose race and ethnicity is recorded as Unknown or Declined"
    )
    assert [label for label, _ in controls["sex"].options] == [
        "keep as a group",
        "leave out of this table",
    ]
    assert controls["race_ethnicity_group"].options[0][0] == "keep as their own groups"
    assert all(c.value == KEEP for c in controls.values())  # the default keeps everyone
    # Only the chosen groupings' controls are shown, and they follow the groupings.
    assert explorer.not_recorded_box.children == (controls["race_ethnicity_group"],)
    explorer.second_grouping.value = "sex"
    assert explorer.not_recorded_box.children == tuple(controls.values())
    explorer.grouping.value = "clinic"
    assert explorer.not_recorded_box.children == (controls["sex"],)
    explorer.second_grouping.value = ""
    assert explorer.not_recorded_box.children == ()


def test_leaving_unknown_out_passes_combine_and_drops_those_rows(explorer, patients) -> None:
    explorer.second_grouping.value = "sex"
    assert "Unknown" in set(explorer.table["sex"])
    explorer.not_recorded["sex"].value = LEAVE_OUT
    assert explorer.combine == {"sex": {"Unknown": None}}
    expected = el.stratify(
        patients,
        ["race_ethnicity_group", "sex"],
        "bp_controlled",
        combine={"sex": {"Unknown": None}},
    )
    _same(explorer.table, expected)
    assert "Unknown" not in set(explorer.table["sex"])
    assert explorer.table.attrs["combine"] == {"sex": {"Unknown": None}}
    # Reference options follow: no group with sex Unknown can be the reference.
    assert all(value[1] != "Unknown" for _, value in explorer.reference.options)
    assert "combine={'sex': {'Unknown': None}}" in repr(explorer)
    # Keeping them again brings the rows back.
    explorer.not_recorded["sex"].value = KEEP
    assert "Unknown" in set(explorer.table["sex"])
    assert explorer.combine == {}
    assert "combine" not in repr(explorer)


def test_the_note_says_how_many_people_were_left_out(explorer) -> None:
    explorer.second_grouping.value = "sex"
    explorer.not_recorded["sex"].value = LEAVE_OUT
    left_out = explorer.table.attrs["left_out"]["sex"]
    count = "1 to 10 people" if left_out is None else f"{left_out:,} people"
    note = f"Sex: {count} recorded as Unknown are left out of this table."
    notes = explorer.table_view.value.split("</table>", 1)[1]  # under the table
    assert note in notes
    # Leaving out the race and ethnicity groups too: one protected total per column.
    explorer.not_recorded["race_ethnicity_group"].value = LEAVE_OUT
    assert explorer.combine == {
        "race_ethnicity_group": {"Unknown": None, "Declined": None},
        "sex": {"Unknown": None},
    }
    notes = explorer.table_view.value.split("</table>", 1)[1]
    assert "Race and ethnicity: " in notes and "recorded as Unknown, Declined are left out" in notes
    assert not set(explorer.table["race_ethnicity_group"]) & {"Unknown", "Declined"}


def test_a_chosen_reference_that_is_left_out_falls_back_to_the_default(explorer) -> None:
    explorer.second_grouping.value = "sex"
    explorer.reference.value = ("White", "Unknown")
    assert explorer.table.attrs["reference"] == ("White", "Unknown")
    explorer.not_recorded["sex"].value = LEAVE_OUT
    assert explorer.reference.value == explorer.table.attrs["reference"] != ("White", "Unknown")


def test_not_recorded_starting_choices_and_bad_ones(patients) -> None:
    widget = el.widgets.stratify_explorer(
        patients,
        measures=MEASURES,
        groupings=GROUPINGS,
        grouping="sex",
        not_recorded={"sex": LEAVE_OUT},
    )
    assert "Unknown" not in set(widget.table["sex"])
    with pytest.raises(el.EquityLabError, match="groupings with people recorded as"):
        el.widgets.stratify_explorer(
            patients, measures=MEASURES, groupings=GROUPINGS, not_recorded={"clinic": LEAVE_OUT}
        )
    with pytest.raises(el.EquityLabError, match="'keep' or 'leave out'"):
        el.widgets.stratify_explorer(
            patients, measures=MEASURES, groupings=GROUPINGS, not_recorded={"sex": "drop"}
        )


# --- hidden groups: one neutral label, explained where the table is shown ---------------


def test_every_hidden_row_reads_the_same_neutral_label(explorer) -> None:
    assert HIDDEN == el.plots.HIDDEN_LABEL == "hidden to protect small numbers"
    explorer.second_grouping.value = "sex"
    table = explorer.table
    hidden = table[table["suppressed"]]
    # Some hidden groups are large (hidden only so that a smaller one cannot be worked
    # out): they read exactly like the small ones, in the table, the chart and alt text.
    assert (hidden["n"] > 1000).any()
    view = explorer.table_view.value
    body = view.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = body.split("</tr>")[:-1]
    assert len(rows) == len(table)
    for row, is_hidden in zip(rows, table["suppressed"], strict=True):
        assert ("<em>hidden to protect small numbers</em>" in row) == bool(is_hidden)
        assert "suppressed" not in row and "small group" not in row
    hidden_rows = [row for row, h in zip(rows, table["suppressed"], strict=True) if h]
    cells = {row.rsplit("<td", 1)[1].split(">", 1)[1] for row in hidden_rows}
    assert len(cells) == 1  # the same words for every hidden group (n shows where it may)
    (words,) = [a for a in explorer.figure.axes[0].artists if a.get_gid() == "not shown"]
    assert words.get_texts().count(el.plots.HIDDEN_LABEL) == len(hidden)
    assert explorer.alt_text().count("hidden to protect small numbers") == len(hidden)
    # Under the table, in plain words, why a group can be hidden.
    notes = view.split("</table>", 1)[1]
    assert "Some groups are hidden to protect small numbers" in notes
    assert "cannot be worked out by subtraction from the totals" in notes
    assert "complementary suppression" not in notes  # said in plainer words


def test_no_explanation_when_nothing_is_hidden(explorer) -> None:
    assert not explorer.table["suppressed"].any()  # blood pressure by race and ethnicity
    assert "hidden to protect" not in explorer.table_view.value
    assert "0 hidden to protect small numbers" in explorer.summary.value


# --- each change: one computation, one drawing -----------------------------------------


@pytest.fixture
def counted(monkeypatch):
    from matplotlib.figure import Figure

    import equitylab.widgets.stratify as module

    counts = {"stratify": 0, "draw": 0}
    stratify, draw = module.stratify, Figure.draw

    def counting_stratify(*args, **kwargs):
        counts["stratify"] += 1
        return stratify(*args, **kwargs)

    def counting_draw(figure, renderer):
        counts["draw"] += 1
        return draw(figure, renderer)

    monkeypatch.setattr(module, "stratify", counting_stratify)
    monkeypatch.setattr(Figure, "draw", counting_draw)
    return counts


def test_each_change_computes_once_and_draws_once(explorer, counted) -> None:
    changes = [
        (explorer.second_grouping, "sex"),
        (explorer.measure, "readmitted_30d"),
        (explorer.grouping, "clinic"),
        (explorer.reference, ("Riverside", "Female")),
        (explorer.not_recorded["sex"], LEAVE_OUT),
        (explorer.grouping, "sex"),  # the second grouping was sex: it resets to none
        (explorer.min_cell, 30),
        (explorer.second_grouping, "race_ethnicity_group"),
    ]
    for control, value in changes:
        counted["stratify"] = counted["draw"] = 0
        before = explorer.table
        control.value = value
        redrawn = int(not explorer.table.equals(before) or control is explorer.measure)
        assert counted == {"stratify": 1, "draw": redrawn}, (control.description, value)
    assert explorer.by == ["sex", "race_ethnicity_group"]


def test_a_change_that_leaves_the_table_as_it_was_keeps_the_chart(explorer, counted) -> None:
    figure, image = explorer.figure, explorer.chart_view.value
    explorer.min_cell.value = 12  # blood pressure by race and ethnicity: nothing new hidden
    assert explorer.table.attrs["min_cell"] == 12
    assert counted == {"stratify": 1, "draw": 0}
    assert explorer.figure is figure and explorer.chart_view.value == image


def test_a_change_leaves_no_figure_for_the_garbage_collector(explorer) -> None:
    # The chart's image is drawn from a figure dropped at once and freed from the
    # youngest generation: no thousands of objects in cycles left for a full collection.
    explorer.second_grouping.value = "sex"
    gc.collect()
    explorer.measure.value = "readmitted_30d"
    assert gc.collect() < 100 and gc.isenabled()
    # .figure is still the chart shown, built when read.
    assert explorer.figure.get_suptitle().startswith("Readmitted within 30 days")
    assert explorer.figure is explorer.figure
