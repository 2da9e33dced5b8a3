"""What every widget shares: the marker for widgets that need a Python kernel."""

from __future__ import annotations

import ipywidgets as widgets

__all__ = ["NEEDS_KERNEL_CLASS", "needs_kernel"]

#: CSS class that marks a widget as needing a live Python kernel to respond.
NEEDS_KERNEL_CLASS = "equitylab-needs-kernel"


def needs_kernel(widget: widgets.DOMWidget) -> widgets.DOMWidget:
    """Mark ``widget`` as needing a Python kernel, and return it.

    On the static site the book shows a "static preview" note above every
    marked widget. In Jupyter (where a kernel is running) nothing changes.
    """
    widget.add_class(NEEDS_KERNEL_CLASS)
    return widget
