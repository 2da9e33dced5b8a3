"""What every widget shares: the marker for widgets that need a Python kernel, and
figures as images."""

from __future__ import annotations

import base64
import gc
import html
from collections.abc import Iterator
from contextlib import contextmanager

import ipywidgets as widgets

__all__ = ["NEEDS_KERNEL_CLASS", "figure_html", "needs_kernel", "short_lived"]

#: CSS class that marks a widget as needing a live Python kernel to respond.
NEEDS_KERNEL_CLASS = "equitylab-needs-kernel"


def needs_kernel(widget: widgets.DOMWidget) -> widgets.DOMWidget:
    """Mark ``widget`` as needing a Python kernel, and return it.

    On the static site the book shows a "static preview" note above every
    marked widget. In Jupyter (where a kernel is running) nothing changes.
    """
    widget.add_class(NEEDS_KERNEL_CLASS)
    return widget


def figure_html(figure, alt: str, *, dpi: int = 100) -> str:
    """``figure`` as an ``<img>`` with alt text, for an HTML widget.

    The PNG is embedded (a data URI), so the image also shows in the saved widget
    state on the static site; no software version is written into it, so the
    same figure always gives the same bytes. The figure is drawn once
    (:func:`~equitylab.widgets._render.figure_png`): a widget redraws on every change.
    """
    from ._render import figure_png  # matplotlib, loaded on first use

    data = base64.b64encode(figure_png(figure, dpi=dpi)).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
        'style="max-width:100%;height:auto">'
    )


@contextmanager
def short_lived() -> Iterator[None]:
    """Run a widget's update with the cyclic garbage collector paused, then collect
    the youngest generation.

    A chart is thousands of objects in reference cycles. Built, drawn and dropped
    within one change, it is freed here, from the youngest generation, in a few
    milliseconds. Left to the collector it would be promoted on the way and pile up
    until a full collection, which scans every object in the kernel: 100-300 ms on
    the project's 2-core machine, every half-dozen changes. (If the collector was
    switched off, it stays off and nothing is collected.)
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect(0)
