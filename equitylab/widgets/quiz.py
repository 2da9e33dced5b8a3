"""The knowledge-check widget: a chapter's quiz, graded in Python (for Jupyter)."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..quizzes import Question, Quiz, inline_html, plain_text
from ._base import needs_kernel

__all__ = ["QuestionWidget", "QuizWidget"]


class QuestionWidget(widgets.VBox):
    """One question: the prompt, its options, a *Check answer* button and the feedback.

    Attributes
    ----------
    choices:
        A :class:`ipywidgets.RadioButtons` (one answer) or a list of
        :class:`ipywidgets.Checkbox` (select all that apply).
    check:
        The button; ``check.click()`` grades the current choice.
    feedback:
        An HTML widget with the verdict and the feedback for each chosen option.
    """

    def __init__(self, question: Question, number: int, total: int) -> None:
        self.question = question
        prompt = widgets.HTML(
            f"<p><strong>Question {number} of {total}.</strong> {inline_html(question.prompt)}</p>"
        )
        labels = [plain_text(o.text) for o in question.options]
        layout = widgets.Layout(width="auto")
        if question.multiple:
            self.choices: widgets.RadioButtons | list[widgets.Checkbox] = [
                widgets.Checkbox(value=False, description=label, indent=False, layout=layout)
                for label in labels
            ]
            options: list[widgets.Widget] = [
                widgets.HTML("<em>Select all that apply.</em>"),
                *self.choices,
            ]
        else:
            self.choices = widgets.RadioButtons(
                options=[(label, i) for i, label in enumerate(labels)],
                value=None,
                description=f"Answer to question {number}",
                style={"description_width": "0px"},
                layout=layout,
            )
            options = [self.choices]
        self.check = widgets.Button(
            description="Check answer", tooltip=f"Check your answer to question {number}"
        )
        self.feedback = widgets.HTML()
        self.check.on_click(self._grade)
        super().__init__([prompt, *options, self.check, self.feedback])

    def chosen(self) -> list[int]:
        """The positions of the chosen options."""
        if isinstance(self.choices, list):
            return [i for i, box in enumerate(self.choices) if box.value]
        return [] if self.choices.value is None else [self.choices.value]

    def _grade(self, _button: widgets.Button | None = None) -> None:
        correct, notes = self.question.grade(self.chosen())
        if correct is None:
            self.feedback.value = "<p>Choose an answer first.</p>"
            return
        verdict = "Correct" if correct else "Not yet"
        items = "".join(f"<li>{inline_html(note)}</li>" for note in notes)
        self.feedback.value = (
            f'<div class="equitylab-feedback equitylab-feedback-'
            f'{"correct" if correct else "incorrect"}" role="status">'
            f"<strong>{html.escape(verdict)}.</strong><ul>{items}</ul></div>"
        )


class QuizWidget(widgets.VBox):
    """A chapter's knowledge check as widgets: one :class:`QuestionWidget` per question."""

    def __init__(self, quiz: Quiz) -> None:
        self.quiz = quiz
        total = len(quiz.questions)
        self.questions = [
            QuestionWidget(q, number, total) for number, q in enumerate(quiz.questions, start=1)
        ]
        super().__init__([widgets.HTML(f"<h4>{html.escape(quiz.title)}</h4>"), *self.questions])
        needs_kernel(self)
