"""Answer checks for the exercise notebooks.

A learner writes an answer in a notebook cell and calls
``el.check("00-getting-started", 2, answer)``. The reply says whether the answer
is right and, when it is not, gives a hint that points at the method, never the
answer itself. Expected answers are computed from the same data the notebook
uses, so they never appear in the learner's notebook.

Each exercise has its own module here, which registers one check per task with
``register`` (from ``equitylab.exercises._core``).
"""

from __future__ import annotations

# Each module registers the checks of one exercise notebook.
from . import (  # noqa: F401
    crude_vs_adjusted,
    fix_the_extract,
    getting_started,
    spot_the_signal,
    stratify_explorer,
)
from ._core import Feedback, check, exercise_tasks

__all__ = ["Feedback", "check", "exercise_tasks"]
