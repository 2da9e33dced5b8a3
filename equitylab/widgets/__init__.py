"""Interactive widgets for the book and the exercise notebooks (ipywidgets; lazy).

A widget here is thin: a layout plus a callback that calls one pure function
from the library. Its logic can be tested without a browser by setting
``.value`` on its controls and reading its outputs.

Static previews
---------------
On the published (static) site there is no Python kernel, so a widget whose
behaviour needs a Python callback cannot respond. Such widgets are marked with
:func:`needs_kernel`. The book's page script finds every marked widget and puts
a visible note above it ("Static preview — open this page in Jupyter to
interact", with the page's launch links). Widgets that work in the browser
alone (values tied together with ``ipywidgets.jslink``) are not marked and get
no note. This is the only mechanism: every widget in this module that needs
Python uses it.
"""

from __future__ import annotations

from ._base import NEEDS_KERNEL_CLASS, needs_kernel
from .gap import GapExplorer, gap_explorer
from .qi import RunChartExplorer, run_chart_explorer
from .quiz import QuestionWidget, QuizWidget
from .standardize import StandardizeExplorer, standardize_explorer
from .stratify import StratifyExplorer, stratify_explorer

__all__ = [
    "NEEDS_KERNEL_CLASS",
    "GapExplorer",
    "QuestionWidget",
    "QuizWidget",
    "RunChartExplorer",
    "StandardizeExplorer",
    "StratifyExplorer",
    "gap_explorer",
    "needs_kernel",
    "run_chart_explorer",
    "standardize_explorer",
    "stratify_explorer",
]
