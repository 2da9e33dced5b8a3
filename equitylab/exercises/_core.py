"""The answer-check machinery shared by every exercise (see :mod:`equitylab.exercises`).

A learner writes an answer in a notebook cell and calls
``el.check("00-getting-started", 2, answer)``. The reply says whether the answer
is right and, when it is not, gives a hint that points at the method, never the
answer itself. Expected answers are computed here from the same data the
notebook uses, so they never appear in the learner's notebook.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Real

from ..errors import EquityLabError

__all__ = [
    "Feedback",
    "as_number",
    "check",
    "close",
    "exercise_tasks",
    "normalise_group",
    "register",
]


@dataclass(frozen=True)
class Feedback:
    """The reply to one checked answer.

    Attributes
    ----------
    correct:
        ``True`` (right), ``False`` (not yet) or ``None`` (no answer given yet).
    message:
        What to do next: a confirmation, a hint, or how to start.
    """

    correct: bool | None
    message: str

    @property
    def status(self) -> str:
        """The state of the answer in one word (correct, incorrect or unanswered)."""
        return {True: "correct", False: "incorrect", None: "unanswered"}[self.correct]

    @property
    def _headline(self) -> str:
        return {True: "Correct", False: "Not yet", None: "No answer yet"}[self.correct]

    def __str__(self) -> str:
        return f"{self._headline}: {self.message}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return (
            f'<div class="equitylab-feedback equitylab-feedback-{self.status}" role="status">'
            f"<strong>{self._headline}:</strong> {html.escape(self.message)}</div>"
        )


_Checker = Callable[[object], Feedback]
_CHECKS: dict[tuple[str, int], _Checker] = {}


def register(exercise: str, task: int) -> Callable[[_Checker], _Checker]:
    """Register the decorated function as the check for ``task`` of ``exercise``."""

    def decorator(func: _Checker) -> _Checker:
        _CHECKS[(exercise, task)] = func
        return func

    return decorator


def exercise_tasks(exercise: str) -> list[int]:
    """The task numbers that :func:`check` knows for ``exercise``."""
    tasks = sorted(task for (name, task) in _CHECKS if name == exercise)
    if not tasks:
        known = ", ".join(sorted({name for name, _ in _CHECKS}))
        raise EquityLabError(f"no exercise named {exercise!r}; known exercises: {known}")
    return tasks


def check(exercise: str, task: int, answer: object) -> Feedback:
    """Check a learner's answer to one task of an exercise notebook.

    Parameters
    ----------
    exercise:
        The notebook's short name, e.g. ``"00-getting-started"``.
    task:
        The task number as printed in the notebook.
    answer:
        The learner's answer. ``None`` means "not answered yet".

    Returns
    -------
    Feedback
        Right, not yet (with a hint), or a reminder to answer. Displays as a
        short message in a notebook.

    Raises
    ------
    EquityLabError
        If the exercise or task is unknown (the message lists the known ones).
    """
    tasks = exercise_tasks(exercise)
    if task not in tasks:
        raise EquityLabError(
            f"exercise {exercise!r} has no task {task!r}; its tasks are: "
            + ", ".join(str(t) for t in tasks)
        )
    if answer is None:
        return Feedback(
            None, "replace None with your answer in the cell above, run it, then run this check."
        )
    return _CHECKS[(exercise, task)](answer)


# --- helpers for the exercise modules ---------------------------------------------


def as_number(answer: object) -> float | None:
    if isinstance(answer, bool) or not isinstance(answer, Real):
        return None
    value = float(answer)
    return value if math.isfinite(value) else None


def close(value: float, target: float, tolerance: float) -> bool:
    return abs(value - target) <= tolerance


def normalise_group(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())
