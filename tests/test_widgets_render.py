"""A widget's chart as PNG: drawn once, deterministic, and with text where matplotlib puts it."""

from __future__ import annotations

import base64
import io
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

import equitylab as el
from equitylab.widgets import _render
from equitylab.widgets._base import figure_html


@pytest.fixture(scope="module")
def table():
    return el.stratify(
        el.load_dataset("riverbend_patients"), ["race_ethnicity_group", "sex"], "bp_controlled"
    )


def _chart(table) -> Figure:
    return el.plots.rate_chart(
        table, title="Blood pressure controlled, by group", xlabel="Controlled (%)"
    )


@pytest.fixture
def draws(monkeypatch) -> list[Figure]:
    """Every Figure.draw (a full pass over the figure), in order."""
    seen: list[Figure] = []
    original = Figure.draw

    def draw(figure, renderer):
        seen.append(figure)
        return original(figure, renderer)

    monkeypatch.setattr(Figure, "draw", draw)
    return seen


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_a_figure_with_a_layout_engine_is_drawn_once(table, draws) -> None:
    figure = _chart(table)
    assert figure.get_layout_engine() is not None  # savefig would draw it twice
    png = _render.figure_png(figure)
    assert draws == [figure]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(png)) as image:
        assert image.mode == "RGBA"
        assert np.asarray(image)[..., 3].min() == 255  # the figure is opaque
        assert image.size == tuple(round(100 * s) for s in figure.get_size_inches())
        assert image.info["dpi"] == pytest.approx((100, 100), abs=0.01)


def test_same_figure_same_bytes_and_figure_left_as_it_was(table) -> None:
    figure = _chart(table)
    canvas, dpi = figure.canvas, figure.dpi
    first = _render.figure_png(figure, dpi=80)
    assert figure.canvas is canvas and figure.dpi == dpi  # no canvas or buffer kept
    _render._TEXT.clear()  # drawn from a cold text cache: the same bytes
    assert _render.figure_png(figure, dpi=80) == first
    assert _render.figure_png(_chart(table), dpi=80) == first


def test_text_lands_where_matplotlibs_own_rendering_puts_it(table) -> None:
    # The cache draws whole strings at whole pixels (as matplotlib did up to 3.10);
    # against matplotlib 3.11's own savefig, only anti-aliased glyph edges may differ.
    assert _render.CACHED  # the pinned matplotlib has what the cache uses
    ours = _pixels(_render.figure_png(_chart(table)))
    buffer = io.BytesIO()
    _chart(table).savefig(buffer, format="png", dpi=100)
    theirs = _pixels(buffer.getvalue())
    assert ours.shape == theirs.shape
    difference = np.abs(ours - theirs).max(axis=2)
    assert difference.mean() < 8
    assert (difference > 128).mean() < 0.02  # a glyph shifted by a pixel at most, here and there


def test_rotated_text_and_a_transparent_figure(draws) -> None:
    figure, ax = plt.subplots(figsize=(3, 2))
    figure.patch.set_alpha(0)
    ax.set_ylabel("Rate (%)")  # drawn at 90 degrees
    plt.close(figure)
    png = _render.figure_png(figure)
    with Image.open(io.BytesIO(png)) as image:
        assert image.mode == "RGBA"
        alpha = np.asarray(image)[..., 3]
    assert alpha.min() == 0 and alpha.max() == 255
    # the y label is drawn (a column of dark pixels left of the axes)
    assert (np.asarray(Image.open(io.BytesIO(png)).convert("L"))[:, :30] < 128).any()
    assert len(draws) == 1


def test_figure_html_embeds_the_png_with_alt_text(table) -> None:
    figure = _chart(table)
    tag = figure_html(figure, 'Rates by "group"')
    data = re.search(r'src="data:image/png;base64,([^"]+)"', tag)[1]
    assert base64.b64decode(data) == _render.figure_png(figure)
    assert 'alt="Rates by &quot;group&quot;"' in tag


def test_the_text_cache_stays_bounded(monkeypatch) -> None:
    monkeypatch.setattr(_render, "_TEXT_LIMIT", 5)
    figure, ax = plt.subplots(figsize=(3, 2))
    for i in range(12):
        ax.text(0.1, i / 12, f"label {i}")
    plt.close(figure)
    _render.figure_png(figure)
    assert len(_render._TEXT) <= 5
