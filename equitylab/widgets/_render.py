"""A figure to PNG in one drawing pass, for widgets that redraw their chart on every change.

``Figure.savefig`` draws a figure twice when it has a layout engine (one pass to lay it
out, one to render), and matplotlib 3.11 renders text glyph by glyph, which costs about a
millisecond per label on the project's 2-core machine. An explorer chart has dozens of
labels that are the same from one change to the next (group names, "hidden to protect
small numbers"), so :func:`figure_png` draws the figure once, on an Agg canvas whose
renderer draws each distinct plain-text string once per font, size and resolution and
reuses its bitmap (the way matplotlib up to 3.10 rendered text: whole strings at whole
pixels). Everything else is matplotlib's own Agg rendering.

The cache uses three private pieces of matplotlib's Agg backend, present from 3.8 to the
pinned 3.11: ``RendererAgg._prepare_font``, the C++ renderer's ``draw_text_image`` (how
matplotlib up to 3.10 placed a string's bitmap) and the ``_get_font_height_metrics`` hook
that ``Text`` asks a renderer for. If the first two are missing the figure is drawn by
plain Agg instead (same single pass, no cache), so a widget never breaks on an upgrade;
``tests/test_widgets_render.py`` checks that the cache is in use with the pinned version
and that its text lands where matplotlib's own rendering puts it.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections import OrderedDict

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag

__all__ = ["figure_png"]

#: Bitmaps and sizes of the strings drawn lately: (string, font, size, dpi, ...) -> entry.
_TEXT: OrderedDict[tuple, tuple] = OrderedDict()
#: A font's line metrics at a size and dpi (what matplotlib reads from its tables per text).
_LINES: dict[tuple, tuple] = {}
_TEXT_LIMIT = 2048  # about 10 MB at most; an explorer chart has up to a few hundred strings

#: Whether this matplotlib's Agg renderer has what the text cache uses.
CACHED = all(hasattr(RendererAgg, name) for name in ("_prepare_font", "draw_text")) and hasattr(
    getattr(RendererAgg(1, 1, 72), "_renderer", None), "draw_text_image"
)


def _font_key(prop) -> tuple:
    return (
        tuple(prop.get_family()),
        prop.get_style(),
        prop.get_variant(),
        prop.get_weight(),
        prop.get_stretch(),
        prop.get_size_in_points(),
        prop.get_file(),
        prop.get_math_fontfamily(),
    )


class _TextCachingRenderer(RendererAgg):
    """Agg, with plain text drawn from a cache of whole-string bitmaps."""

    def _text(self, s: str, prop, antialiased: bool = True) -> tuple:
        flags = get_hinting_flag()
        key = (s, _font_key(prop), self.dpi, bool(antialiased), str(flags))
        entry = _TEXT.get(key)
        if entry is None:
            font = self._prepare_font(prop)
            font.set_text(s, 0.0, flags=flags)
            width, height = font.get_width_height()
            descent = font.get_descent()
            font.draw_glyphs_to_bitmap(antialiased=antialiased)
            x_offset, y_offset = font.get_bitmap_offset()
            entry = (
                width / 64,
                height / 64,
                descent / 64,
                np.array(font.get_image()),
                x_offset / 64,
                y_offset / 64,
            )
            _TEXT[key] = entry
            while len(_TEXT) > _TEXT_LIMIT:
                _TEXT.popitem(last=False)
        else:
            _TEXT.move_to_end(key)
        return entry

    @staticmethod
    def _plain(mtext) -> bool:
        """Whether the text uses no font features or language (the cache ignores them)."""
        for getter in ("get_fontfeatures", "get_language"):
            method = getattr(mtext, getter, None)
            if method is not None and method() is not None:
                return False
        return True

    def _get_font_height_metrics(self, prop):
        # The hook matplotlib's Text layout asks a renderer for (if it has one) before it
        # opens the font's tables itself, for every text, on every draw; the same numbers,
        # computed once per font, size and dpi.
        key = (_font_key(prop), self.dpi)
        metrics = _LINES.get(key)
        if metrics is None:
            metrics = _LINES[key] = _line_metrics(prop, self.dpi)
        return metrics

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        width, height, descent, *_ = self._text(s, prop)
        return width, height, descent

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath or not self._plain(mtext):
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        _, _, descent, image, x_offset, y_offset = self._text(s, prop, gc.get_antialiased())
        # As matplotlib <= 3.10 placed a whole-string bitmap (descent turned with the text).
        x = round(x + x_offset + descent * math.sin(math.radians(angle)))
        y = round(y + y_offset + descent * math.cos(math.radians(angle)))
        self._renderer.draw_text_image(image, x, y + 1, angle, gc)


def _line_metrics(prop, dpi: float) -> tuple:
    """(ascent, descent, line gap) in pixels, as ``matplotlib.text.Text._get_layout``
    computes them from the font's OS/2 or hhea table; ``(None, None, None)`` if neither."""
    from matplotlib.font_manager import fontManager, get_font

    font = get_font(fontManager._find_fonts_by_props(prop))
    for table_name, gap, ascent, descent in (
        ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
        ("hhea", "lineGap", "ascent", "descent"),
    ):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        scale = prop.get_size_in_points() * dpi / 72 / font.get_sfnt_table("head")["unitsPerEm"]
        return table[ascent] * scale, -table[descent] * scale, table[gap] * scale
    return None, None, None


class _Canvas(FigureCanvasAgg):
    def get_renderer(self):
        width, height = self.get_width_height(physical=True)
        key = width, height, self.figure.dpi
        if self._lastKey != key:
            self.renderer = _TextCachingRenderer(width, height, self.figure.dpi)
            self._lastKey = key
        return self.renderer


def figure_png(figure, *, dpi: int = 100) -> bytes:
    """``figure`` as PNG bytes, drawn once (layout included) at ``dpi``.

    The bytes depend only on the figure: no software version or date is written. Text
    is drawn from the cache described above.
    """
    original_canvas, original_dpi = figure.canvas, figure.dpi
    canvas = (_Canvas if CACHED else FigureCanvasAgg)(figure)
    figure.dpi = dpi
    try:
        canvas.draw()
        return _png(np.asarray(canvas.buffer_rgba()), dpi)
    finally:
        figure.dpi = original_dpi
        figure.set_canvas(original_canvas)  # and the drawing buffer goes with this canvas


def _png(pixels: np.ndarray, dpi: float) -> bytes:
    """A PNG file of ``pixels`` (rows x columns x 4 bytes: RGBA, as Agg draws them).

    Every row unfiltered and zlib at level 1: on a chart (mostly flat colour) this is
    about as small as Pillow's adaptive filtering at its default level, three times
    faster; the alpha channel is kept (dropping it costs a strided copy that takes as
    long as the compression).
    """
    height, width, channels = pixels.shape
    rows = np.zeros((height, 1 + width * channels), dtype=np.uint8)  # filter byte 0: none
    rows[:, 1:] = pixels.reshape(height, width * channels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    per_metre = round(dpi / 0.0254)
    colour = {3: 2, 4: 6}[channels]  # PNG colour types: RGB, RGBA
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)),
            chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            chunk(b"IDAT", zlib.compress(rows, 1)),
            chunk(b"IEND", b""),
        ]
    )
