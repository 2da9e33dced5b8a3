"""The run-chart explorer, tested headlessly: set a control's value, read the outputs.

Known pattern (datasets/README.md, "Built-in patterns", 4): in ``riverbend_monthly`` only
Black or African American patients' control rate changes, rising from July 2024.
"""

from __future__ import annotations

import base64
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import equitylab as el
from equitylab.widgets.qi import ALL_GROUPS

BLACK = "Black or African American"
COLUMNS = {"time": "month", "group": "group", "events": "numerator", "totals": "denominator"}


@pytest.fixture(scope="module")
def monthly() -> pd.DataFrame:
    return el.load_dataset("riverbend_monthly")


@pytest.fixture
def explorer(monthly):
    return el.widgets.run_chart_explorer(monthly, ylabel="Controlled (%)", **COLUMNS)


def _alt(widget) -> str:
    return re.search(r'alt="([^"]*)"', widget.chart.value)[1]


def test_starts_with_all_groups_added_up(explorer, monthly) -> None:
    assert explorer.group.value == ALL_GROUPS
    sums = monthly.groupby("month")[["numerator", "denominator"]].sum()
    assert explorer.series["events"].tolist() == sums["numerator"].tolist()
    assert explorer.series["totals"].tolist() == sums["denominator"].tolist()
    expected = el.qi.run_chart_rules(sums["numerator"] / sums["denominator"])
    assert explorer.signals.median == pytest.approx(expected.median)
    assert explorer.signals.shifts == expected.shifts
    assert explorer.signals.runs == expected.runs
    assert isinstance(explorer.figure, Figure)


def test_choosing_a_group_redraws_its_own_run_chart(explorer, monthly) -> None:
    explorer.group.value = BLACK
    rows = monthly[monthly["group"] == BLACK]
    assert explorer.series["time"].tolist() == rows["month"].tolist()
    expected = el.qi.stratified_run_chart(monthly, **COLUMNS)[1][BLACK]
    assert explorer.signals.shifts == expected.shifts
    assert explorer.signals.runs == expected.runs
    # The upward shift starts in July 2024 (the data's story) and is named in every output.
    above = [
        explorer.signals.labels[start]
        for (start, _), side in zip(
            explorer.signals.shifts, explorer.signals.shift_directions, strict=True
        )
        if side == "above"
    ]
    assert above == ["2024-07"]
    assert "2024-07" in explorer.summary.value
    assert BLACK in _alt(explorer) and "shift" in _alt(explorer)
    assert f"between {expected.runs_expected[0]} and {expected.runs_expected[1]}" in (
        explorer.summary.value
    )
    explorer.group.value = "White"
    assert not explorer.signals.any_signal
    assert "No signal" in explorer.summary.value


def test_baseline_median_is_frozen_and_extended(explorer, monthly) -> None:
    explorer.group.value = BLACK
    assert explorer.baseline.disabled
    explorer.use_baseline.value = True
    assert not explorer.baseline.disabled
    rates = (
        monthly.loc[monthly["group"] == BLACK, "numerator"].to_numpy()
        / monthly.loc[monthly["group"] == BLACK, "denominator"].to_numpy()
    )
    for months in (18, 12):
        explorer.baseline.value = months
        assert explorer.signals.median == pytest.approx(np.median(rates[:months]))
        assert explorer.signals.first_judged == months
        assert explorer.signals.runs_expected is None
        assert f"first {months} periods" in explorer.summary.value
        expected = el.qi.run_chart_rules(rates, baseline=months)
        assert explorer.signals.shifts == expected.shifts
    explorer.use_baseline.value = False
    assert explorer.baseline.disabled
    assert explorer.signals.first_judged == 0


def test_image_is_a_png_with_alt_text(explorer) -> None:
    match = re.search(r'src="data:image/png;base64,([^"]+)"', explorer.chart.value)
    assert base64.b64decode(match[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert _alt(explorer).startswith(f"Run chart of the rate for {ALL_GROUPS}")


def test_every_control_has_an_accessible_name_and_needs_a_kernel(explorer) -> None:
    for control in (explorer.group, explorer.use_baseline, explorer.baseline):
        assert control.description
    assert el.widgets.NEEDS_KERNEL_CLASS in explorer._dom_classes


def test_small_cells_are_not_plotted_nor_judged() -> None:
    months = [str(p) for p in pd.period_range("2024-01", periods=20, freq="M")]
    table = pd.DataFrame(
        {
            "month": months,
            "group": "Small clinic",
            "numerator": [5 if i == 3 else 40 + (i % 3) for i in range(20)],
            "denominator": [80] * 20,
        }
    )
    widget = el.widgets.run_chart_explorer(table, initial_group="Small clinic", **COLUMNS)
    assert np.isnan(widget.series.loc[3, "rate"])
    assert widget.signals.n_points == 19


def test_names_are_escaped_in_the_html() -> None:
    months = [str(p) for p in pd.period_range("2024-01", periods=20, freq="M")]
    table = pd.DataFrame({"month": months, "group": "<b>x</b>", "numerator": 40, "denominator": 80})
    widget = el.widgets.run_chart_explorer(table, initial_group="<b>x</b>", **COLUMNS)
    assert "<b>x</b>" not in widget.chart.value
    assert "&lt;b&gt;x&lt;/b&gt;" in widget.chart.value


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"initial_group": "Nobody"}, "no group 'Nobody'"),
        ({"initial_baseline": 3}, "initial_baseline must be between"),
        ({"initial_baseline": 40}, "initial_baseline must be between"),
        ({"events": "nope"}, "'nope' not found"),
    ],
)
def test_bad_options_say_what_to_fix(monthly, options, message) -> None:
    with pytest.raises(el.EquityLabError, match=message):
        el.widgets.run_chart_explorer(monthly, **{**COLUMNS, **options})


def test_too_few_periods_are_refused(monthly) -> None:
    short = monthly[monthly["month"] < "2023-10"]
    with pytest.raises(el.EquityLabError, match="at least 14 periods"):
        el.widgets.run_chart_explorer(short, **COLUMNS)


def test_a_change_leaves_no_figure_for_the_garbage_collector(explorer) -> None:
    import gc

    gc.collect()
    explorer.use_baseline.value = True
    assert gc.collect() < 100 and gc.isenabled()
    assert isinstance(explorer.figure, Figure) and explorer.figure is explorer.figure
