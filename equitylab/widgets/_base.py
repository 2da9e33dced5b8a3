"""What every widget shares: the marker for widgets that need a Python kernel."""

from __future__ import annotations

import base64
import html
import io

import ipywidgets as widgets

__all__ = ["NEEDS_KERNEL_CLASS", "figure_html", "needs_kernel"]

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
    same figure always gives the same bytes.
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
        'style="max-width:100%;height:auto">'
    )
