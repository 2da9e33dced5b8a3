"""Plots: the figure the book draws, its conventions, and clear errors."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.colors import to_hex

import equitylab as el


@pytest.fixture
def control() -> pd.DataFrame:
    return el.published_table("hypertension_control_2015_2016")


def _chart(table: pd.DataFrame, **kwargs):
    options = dict(
        value="percent_controlled",
        label="group",
        title="A finding",
        xlabel="Controlled (%)",
        reference=48.3,
        reference_label="All adults",
    )
    options.update(kwargs)
    return el.plots.dot_chart(table, **options)


def test_dot_chart_draws_each_group_with_a_direct_label(control: pd.DataFrame) -> None:
    groups = control.iloc[1:]
    fig = _chart(groups, source="Source: NCHS")
    ax = fig.axes[0]
    assert {t.get_text() for t in ax.get_yticklabels()} == set(groups["group"])
    labels = {t.get_text() for t in ax.texts}
    assert {"50.8%", "44.6%", "37.4%", "All adults"} <= labels
    assert ax.get_xlabel() == "Controlled (%)"
    assert ax.get_title(loc="left") == "A finding"
    assert "Source: NCHS" in {t.get_text() for t in fig.texts}


def test_first_row_is_drawn_at_the_top(control: pd.DataFrame) -> None:
    fig = _chart(control.iloc[1:])
    ax = fig.axes[0]
    top = max(ax.get_yticks())
    assert ax.get_yticklabels()[list(ax.get_yticks()).index(top)].get_text() == (
        "Non-Hispanic White"
    )


def test_conventions_palette_reference_line_background(control: pd.DataFrame) -> None:
    fig = _chart(control.iloc[1:])
    ax = fig.axes[0]
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert to_hex(dots[0].get_color()) == el.plots.OKABE_ITO["blue"].lower()
    reference = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert reference and reference[0].get_xdata()[0] == 48.3
    assert to_hex(fig.get_facecolor()) == "#ffffff"  # opaque, readable in dark mode
    assert min(t.get_fontsize() for t in ax.texts) >= 10


def test_leaves_no_figure_open(control: pd.DataFrame) -> None:
    before = len(plt.get_fignums())
    _chart(control.iloc[1:])
    assert len(plt.get_fignums()) == before


def test_missing_values_are_named_not_dropped(control: pd.DataFrame) -> None:
    table = control.copy()
    table.loc[2, "percent_controlled"] = None
    with pytest.raises(el.EquityLabError, match="Non-Hispanic Black"):
        _chart(table)


def test_bad_input_says_what_to_fix(control: pd.DataFrame) -> None:
    with pytest.raises(el.EquityLabError, match="columns are: group, percent_controlled"):
        _chart(control, value="percent")
    with pytest.raises(el.EquityLabError, match="pandas DataFrame"):
        _chart([1, 2, 3])
    with pytest.raises(el.EquityLabError, match="reference_label"):
        _chart(control, reference_label=None)


def _patients():
    return el.load_dataset("riverbend_patients")


def _labels(ax, gid: str) -> list[str]:
    """The strings of rate_chart's label artist ``gid`` ("group" or "not shown")."""
    return [text for artist in ax.artists if artist.get_gid() == gid for text in artist.get_texts()]


def test_rate_chart_draws_intervals_reference_and_labels() -> None:
    table = el.stratify(_patients(), "race_ethnicity_group", "bp_controlled")
    fig = el.plots.rate_chart(table, title="Control by group", xlabel="Controlled (%)")
    ax = fig.axes[0]
    texts = {t.get_text() for t in ax.texts}
    reference = table[table["is_reference"]].iloc[0]
    # The reference is named with its group, where a long label has room, and its rate
    # is a direct label like every other group's.
    names = _labels(ax, "group")
    assert f"{reference['race_ethnicity_group']} (reference)" in names
    assert f"{100 * reference['rate']:.1f}%" in texts
    assert [n.removesuffix(" (reference)") for n in names] == table["race_ethnicity_group"].tolist()
    assert ax.get_yticks().size == 0  # the names are the labels; no tick marks
    assert min(a.get_fontsize() for a in ax.artists) >= 10
    assert min(t.get_fontsize() for t in ax.texts) >= 10
    diamonds = [line for line in ax.lines if line.get_marker() == "D"]
    assert len(diamonds) == 1 and to_hex(diamonds[0].get_color()) == "#d55e00"
    assert diamonds[0].get_xdata().tolist() == [100 * reference["rate"]]
    note = " ".join(t.get_text() for t in fig.texts)
    assert "95% confidence intervals (Wilson score)" in note
    before = len(plt.get_fignums())
    el.plots.rate_chart(table, title="again")
    assert len(plt.get_fignums()) == before


def test_rate_chart_never_draws_a_suppressed_group() -> None:
    table = el.stratify(_patients(), ["race_ethnicity_group", "sex"], "bp_controlled")
    assert table["suppressed"].any()
    fig = el.plots.rate_chart(table, title="Intersections")
    ax = fig.axes[0]
    # One neutral label for every hidden group, small or hidden to protect a small one.
    assert el.plots.HIDDEN_LABEL == "hidden to protect small numbers"
    words = [w for w in _labels(ax, "not shown") if w == el.plots.HIDDEN_LABEL]
    assert len(words) == int(table["suppressed"].sum())
    assert not any("suppressed" in w for w in [*_labels(ax, "not shown"), *_labels(ax, "group")])
    dots = [line for line in ax.lines if line.get_marker() in {"o", "D"}]
    drawn = sum(len(line.get_xdata()) for line in dots)
    assert drawn == int((~table["suppressed"] & table["rate"].notna()).sum())
    bars = sum(len(c.get_segments()) for c in ax.collections)
    assert bars == drawn
    note = " ".join(t.get_text() for t in fig.texts)
    assert "hidden to protect small numbers" in note
    assert "so that a small one cannot be worked out from the totals" in note


def test_rate_chart_needs_a_stratify_result() -> None:
    with pytest.raises(el.EquityLabError, match="stratify"):
        el.plots.rate_chart(pd.DataFrame({"rate": [0.5]}), title="x")


def test_stems_only_when_the_axis_starts_at_zero(control: pd.DataFrame) -> None:
    def stems(fig):
        ax = fig.axes[0]
        return [seg for coll in ax.collections for seg in coll.get_segments()]

    options = {"value": "percent_controlled", "label": "group", "title": "t", "xlabel": "x"}
    from_zero = stems(el.plots.dot_chart(control, **options))
    assert [seg[0][0] for seg in from_zero] == [0.0] * len(control)
    assert sorted(seg[1][0] for seg in from_zero) == sorted(control["percent_controlled"])
    # A truncated axis: the guides span the whole row and encode no value.
    truncated = stems(el.plots.dot_chart(control, xlim=(30, 60), **options))
    assert all((seg[0][0], seg[1][0]) == (30, 60) for seg in truncated)
