"""Run charts and p-charts: what the figures draw (data, markers, texts), not pixels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

import equitylab as el
from equitylab import qi


@pytest.fixture(scope="module")
def stratified():
    table = el.load_dataset("riverbend_monthly")
    return qi.stratified_run_chart(
        table, time="month", group="group", events="numerator", totals="denominator"
    )


def _run_chart(frame, signals, **kwargs):
    options = dict(
        time="month",
        title="Control rose for Black patients from July 2024",
        ylabel="Blood pressure controlled (%)",
    )
    options.update(kwargs)
    return el.plots.run_chart(frame, signals, **options)


def _texts(fig) -> list[str]:
    found = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        found += [t.get_text() for t in ax.texts] + [ax.get_xlabel(), ax.get_title(loc="left")]
    return found


def test_one_panel_per_group_with_shared_y_axis(stratified) -> None:
    frame, signals = stratified
    fig = _run_chart(frame, signals)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in axes] == list(signals)
    assert len({ax.get_ylim() for ax in axes}) == 1  # shared y axis
    assert to_hex(fig.get_facecolor()) == "#ffffff"


def test_series_median_shift_and_trend_markers(stratified) -> None:
    frame, signals = stratified
    fig = _run_chart(frame, signals)
    name = "Black or African American"
    ax = next(a for a in fig.axes if a.get_title(loc="left") == name)
    part = frame[frame["group"] == name]
    series = next(line for line in ax.lines if line.get_linestyle() == "-")
    assert np.allclose(series.get_ydata(), 100 * part["rate"].to_numpy())
    median = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert median and median[0].get_ydata()[0] == pytest.approx(100 * signals[name].median)
    squares = next(line for line in ax.lines if line.get_marker() == "s")
    assert list(squares.get_xdata()) == list(np.flatnonzero(part["in_shift"].to_numpy()))
    assert to_hex(squares.get_color()) == el.plots.OKABE_ITO["vermillion"].lower()
    triangles = next(line for line in ax.lines if line.get_marker() == "^")
    assert list(triangles.get_xdata()) == list(np.flatnonzero(part["in_trend"].to_numpy()))
    assert ax.get_xlabel().startswith("shift: 17 points below the median")
    assert f"median {100 * signals[name].median:.1f}%" in [t.get_text() for t in ax.texts]


def test_groups_without_signals_say_so(stratified) -> None:
    frame, signals = stratified
    fig = _run_chart(frame, signals)
    ax = next(a for a in fig.axes if a.get_title(loc="left") == "White")
    assert ax.get_xlabel() == "No signal"
    assert not [line for line in ax.lines if line.get_marker() in {"s", "^"}]


def test_annotation_line_and_label(stratified) -> None:
    frame, signals = stratified
    fig = _run_chart(frame, signals, annotate={"2024-07": "Outreach program starts"})
    months = list(dict.fromkeys(frame["month"]))
    for ax in [a for a in fig.axes if a.get_visible()]:
        dotted = [line for line in ax.lines if line.get_linestyle() == ":"]
        assert dotted and dotted[0].get_xdata()[0] == months.index("2024-07") - 0.5
        assert "Outreach program starts" in [t.get_text() for t in ax.texts]
    with pytest.raises(el.EquityLabError, match="not on the chart"):
        _run_chart(frame, signals, annotate={"2030-01": "Later"})


def test_title_source_and_no_open_figure(stratified) -> None:
    frame, signals = stratified
    before = len(plt.get_fignums())
    fig = _run_chart(frame, signals, source="Source: Riverbend Health (fictional).")
    assert len(plt.get_fignums()) == before
    assert fig._suptitle.get_text() == "Control rose for Black patients from July 2024"
    assert any("Riverbend Health (fictional)" in t for t in _texts(fig))


def test_hidden_points_are_gaps_and_noted() -> None:
    rows = []
    for i in range(12):
        rows.append((f"2024-{i + 1:02d}", "A", 40 + i % 3, 100))
    table = pd.DataFrame(rows, columns=["month", "group", "numerator", "denominator"])
    table.loc[4, "numerator"] = 5
    frame, signals = qi.stratified_run_chart(
        table, time="month", group="group", events="numerator", totals="denominator"
    )
    fig = _run_chart(frame, signals)
    ax = fig.axes[0]
    series = next(line for line in ax.lines if line.get_linestyle() == "-")
    assert np.isnan(series.get_ydata()[4])  # never drawn
    assert any("1 point(s) hidden" in t for t in _texts(fig))


def test_single_series_from_run_chart_rules() -> None:
    values = [0.40, 0.42, 0.41, 0.43, 0.40, 0.52, 0.53, 0.54, 0.55, 0.56, 0.57, 0.51]
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    signals = qi.run_chart_rules(values, labels=months)
    frame = pd.DataFrame({"month": months, "rate": values})
    fig = _run_chart(frame, signals)
    axes = [a for a in fig.axes if a.get_visible()]
    assert len(axes) == 1
    squares = next(line for line in axes[0].lines if line.get_marker() == "s")
    assert list(squares.get_xdata()) == [5, 6, 7, 8, 9, 10]  # 6 points above 0.515
    assert axes[0].get_xlabel() == "\n".join(signals.signals)


def test_run_chart_bad_input(stratified) -> None:
    frame, signals = stratified
    with pytest.raises(el.EquityLabError, match="columns are"):
        _run_chart(frame, signals, time="date")
    with pytest.raises(el.EquityLabError, match="signals must be"):
        _run_chart(frame, [1, 2])
    with pytest.raises(el.EquityLabError, match="no signals for group"):
        _run_chart(frame, {"White": signals["White"]})


# Montgomery, Introduction to Statistical Quality Control, Example 7.1 (see test_qi.py).
ORANGE_JUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
                8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]  # fmt: skip


def test_p_chart_points_limits_and_outside_markers() -> None:
    limits = qi.p_chart_limits(ORANGE_JUICE, [50] * 30)
    before = len(plt.get_fignums())
    fig = el.plots.p_chart(
        limits,
        labels=range(1, 31),
        title="Samples 15 and 23 fall above the upper limit",
        ylabel="Nonconforming cans (%)",
        source="Data: Montgomery, Example 7.1.",
    )
    assert len(plt.get_fignums()) == before
    ax = fig.axes[0]
    series = next(line for line in ax.lines if line.get_linestyle() == "-")
    assert np.allclose(series.get_ydata(), 100 * limits["p"])
    centre = next(line for line in ax.lines if line.get_linestyle() == "--")
    assert centre.get_ydata()[0] == pytest.approx(23.1333, abs=1e-3)
    dotted = [line for line in ax.lines if line.get_linestyle() == ":"]
    assert len(dotted) == 2 and dotted[0].get_drawstyle() == "steps-mid"
    levels = sorted(round(float(line.get_ydata()[0]), 2) for line in dotted)
    assert levels == [5.24, 41.02]
    diamonds = next(line for line in ax.lines if line.get_marker() == "D")
    assert list(diamonds.get_xdata()) == [14, 22]
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("outside limits") == 2 and "centre 23.1%" in texts
    assert "Data: Montgomery, Example 7.1." in fig.texts[-1].get_text()


def test_p_chart_bad_input() -> None:
    limits = qi.p_chart_limits([3, 4], [20, 20])
    with pytest.raises(el.EquityLabError, match="labels has 3 entries"):
        el.plots.p_chart(limits, labels=["a", "b", "c"], title="t", ylabel="y")
    with pytest.raises(el.EquityLabError, match="columns are"):
        el.plots.p_chart(limits.drop(columns="upper"), labels=["a", "b"], title="t", ylabel="y")


def test_an_unjudged_group_is_drawn_and_says_so() -> None:
    rows = [(f"2024-{i + 1:02d}", g, 40 + i % 3, 100) for i in range(12) for g in "AB"]
    table = pd.DataFrame(rows, columns=["month", "group", "numerator", "denominator"])
    table.loc[(table["group"] == "B") & (table["month"] > "2024-03"), "numerator"] = 95
    frame, signals = qi.stratified_run_chart(
        table, time="month", group="group", events="numerator", totals="denominator"
    )
    fig = _run_chart(frame, signals)
    ax = next(a for a in fig.axes if a.get_title(loc="left") == "B")
    assert ax.get_xlabel() == "Not judged: too few points shown"
    series = next(line for line in ax.lines if line.get_linestyle() == "-")
    assert np.isfinite(series.get_ydata()).sum() == 3
