"""Knowledge checks: multiple-choice questions whose every answer teaches.

Use ``el.quiz("why-stratify")`` in a chapter, and ``el.load_quiz(...)`` to check a
file while writing one. Each chapter's knowledge check is a YAML file in
``equitylab/content/quizzes/`` (one per chapter, named after the chapter's file).
:func:`load_quiz` reads and validates it; :func:`quiz` returns a :class:`Quiz`
that shows itself in two ways:

* on the book's static site, as an HTML form: choose an answer, press *Check
  answer*, and the feedback written for that answer appears. The page script
  (``equitylab.js``) does this in the browser: no server, no kernel; the form is
  made of native radio buttons, checkboxes and buttons, so it works with the
  keyboard and a screen reader (feedback is announced through a live region);
* in Jupyter, as an ipywidgets form that does the same in Python.

The file format::

    chapter: chapters/measuring/why-stratify.md
    questions:
      - id: averages-hide-gaps        # unique in the file
        objectives: [1]               # learning objectives (numbers) it practises
        prompt: Which statement ...?  # inline `code`, *emphasis*, **strong** allowed
        options:                      # 2-6 options, at least one correct
          - text: ...
            correct: true
            feedback: Why this answer is right (or wrong).
    exercise_objectives:              # optional: objectives practised in a notebook
      exercises/02-stratify-explorer.ipynb: [2, 3]

A question with more than one correct option is a "select all that apply"
question: it is answered correctly only when exactly the correct options are
chosen.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import EquityLabError

__all__ = [
    "QUIZ_DIR",
    "STATIC_SITE_ENV",
    "Option",
    "Question",
    "Quiz",
    "inline_html",
    "list_quizzes",
    "load_quiz",
    "plain_text",
    "quiz",
]

#: Where the book's knowledge checks live (shipped inside the package).
QUIZ_DIR = Path(__file__).resolve().parent / "content" / "quizzes"

#: The environment variable that the book's build sets to "1", which the kernels
#: running its pages inherit. A quiz then shows only its HTML form, so that no
#: widget state is saved into a static page.
STATIC_SITE_ENV = "EQUITYLAB_STATIC_SITE"

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MIN_OPTIONS, _MAX_OPTIONS = 2, 6
_QUESTION_KEYS = {"id", "objectives", "prompt", "options"}
_OPTION_KEYS = {"text", "correct", "feedback"}
_QUIZ_KEYS = {"chapter", "title", "questions", "exercise_objectives"}


@dataclass(frozen=True)
class Option:
    """One answer to a question, and the feedback shown when it is chosen."""

    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Question:
    """One question: a prompt, its options, and the objectives it practises."""

    id: str
    prompt: str
    options: tuple[Option, ...]
    objectives: tuple[int, ...] = ()

    @property
    def multiple(self) -> bool:
        """``True`` for a "select all that apply" question (several correct options)."""
        return sum(o.correct for o in self.options) > 1

    def grade(
        self, chosen: set[int] | list[int] | tuple[int, ...]
    ) -> tuple[bool | None, list[str]]:
        """Grade a choice of options (0-based positions).

        Returns ``(correct, feedback)``: ``correct`` is ``None`` when nothing was
        chosen; ``feedback`` holds the feedback of each chosen option, in order.
        """
        picked = sorted(set(chosen))
        if any(not 0 <= i < len(self.options) for i in picked):
            raise EquityLabError(
                f"question {self.id!r} has options 0 to {len(self.options) - 1}; got {picked}"
            )
        if not picked:
            return None, []
        if not self.multiple and len(picked) > 1:
            raise EquityLabError(f"question {self.id!r} takes one answer; got {len(picked)}")
        right = {i for i, o in enumerate(self.options) if o.correct}
        return set(picked) == right, [self.options[i].feedback for i in picked]


@dataclass(frozen=True)
class Quiz:
    """A chapter's knowledge check. Displays as a form (see the module docstring)."""

    id: str
    chapter: str
    questions: tuple[Question, ...]
    title: str = "Knowledge check"
    exercise_objectives: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def objectives_practised(self) -> dict[int, list[str]]:
        """Each learning objective, with where it is practised (question ids, notebooks)."""
        where: dict[int, list[str]] = {}
        for question in self.questions:
            for objective in question.objectives:
                where.setdefault(objective, []).append(question.id)
        for notebook, objectives in self.exercise_objectives.items():
            for objective in objectives:
                where.setdefault(objective, []).append(notebook)
        return dict(sorted(where.items()))

    # --- display ------------------------------------------------------------------

    def to_html(self) -> str:
        """The static form: native controls, feedback revealed by the page script."""
        return _render_html(self)

    def widget(self):
        """An ipywidgets form that grades answers in Python (for Jupyter)."""
        from .widgets.quiz import QuizWidget

        return QuizWidget(self)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        # Jupyter shows the widget view. The book's build sets STATIC_SITE_ENV, so its
        # pages get the form alone (and no widget state); should a widget view be saved
        # anyway, the HTML builder prefers text/html (nb_mime_priority_overrides).
        bundle = {"text/plain": f"Knowledge check: {len(self.questions)} questions"}
        bundle["text/html"] = self.to_html()
        if os.environ.get(STATIC_SITE_ENV) == "1":
            return bundle
        try:
            view = self.widget()._repr_mimebundle_(include=include, exclude=exclude)
        except ImportError:  # pragma: no cover - ipywidgets is optional for the library
            return bundle
        bundle.update({k: v for k, v in view.items() if k != "text/plain"})
        return bundle

    def __repr__(self) -> str:
        return f"Quiz({self.id!r}, {len(self.questions)} questions)"


# --- loading and validation -----------------------------------------------------------


def list_quizzes() -> list[str]:
    """The ids of the quizzes shipped with the book (file names without ``.yml``)."""
    return sorted(p.stem for p in QUIZ_DIR.glob("*.yml"))


def quiz(name: str) -> Quiz:
    """The knowledge check called ``name`` (e.g. ``"why-stratify"``), ready to display."""
    return load_quiz(name)


def load_quiz(source: str | Path) -> Quiz:
    """Read and validate a quiz: a shipped quiz's id, or the path of a YAML file.

    Raises
    ------
    EquityLabError
        If the file is missing or breaks the format; the message names the file,
        the place in it (e.g. ``questions[2].options[1]``) and what to fix.
    """
    import yaml  # imported here: only the quizzes need PyYAML

    path = Path(source)
    if path.suffix not in {".yml", ".yaml"}:
        path = QUIZ_DIR / f"{source}.yml"
        if not path.is_file():
            known = ", ".join(list_quizzes()) or "none"
            raise EquityLabError(f"no quiz named {str(source)!r}; known quizzes: {known}")
    if not path.is_file():
        raise EquityLabError(f"quiz file {str(path)!r} does not exist")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise EquityLabError(f"{path.name}: not valid YAML ({error})") from None
    return _parse(data, path.stem, path.name)


def _fail(where: str, message: str) -> EquityLabError:
    return EquityLabError(f"{where}: {message}")


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, "must be non-empty text")
    if re.search(r"<[A-Za-z/!]", value):
        raise _fail(where, "must be plain text: write `code`, *emphasis* or **strong**, not HTML")
    return " ".join(value.split())


def _keys(item: object, allowed: set[str], required: set[str], where: str) -> dict:
    if not isinstance(item, dict):
        raise _fail(where, f"must be a mapping with keys {', '.join(sorted(required))}")
    unknown = set(item) - allowed
    if unknown:
        raise _fail(
            where,
            f"unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
            f"allowed: {', '.join(sorted(allowed))}",
        )
    missing = required - set(item)
    if missing:
        raise _fail(where, f"missing key(s) {', '.join(sorted(missing))}")
    return item


def _objectives(value: object, where: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not value:
        raise _fail(where, "must be a non-empty list of objective numbers, e.g. [1, 3]")
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in value):
        raise _fail(where, "objective numbers are whole numbers from 1")
    return tuple(value)


def _parse(data: object, quiz_id: str, name: str) -> Quiz:
    if not _ID.match(quiz_id):
        raise _fail(name, "a quiz's file name must be lowercase words joined by hyphens")
    data = _keys(data, _QUIZ_KEYS, {"chapter", "questions"}, name)
    chapter = _text(data["chapter"], f"{name}: chapter")
    title = _text(data.get("title", "Knowledge check"), f"{name}: title")
    raw_questions = data["questions"]
    if not isinstance(raw_questions, list) or not raw_questions:
        raise _fail(f"{name}: questions", "must be a non-empty list")
    questions = []
    seen: set[str] = set()
    for q_index, raw in enumerate(raw_questions, start=1):
        where = f"{name}: questions[{q_index}]"
        raw = _keys(raw, _QUESTION_KEYS, _QUESTION_KEYS, where)
        qid = raw["id"]
        if not isinstance(qid, str) or not _ID.match(qid):
            raise _fail(f"{where}.id", "use lowercase letters, digits and hyphens")
        if qid in seen:
            raise _fail(f"{where}.id", f"{qid!r} is used twice; ids must be unique")
        seen.add(qid)
        raw_options = raw["options"]
        if not isinstance(raw_options, list) or not (
            _MIN_OPTIONS <= len(raw_options) <= _MAX_OPTIONS
        ):
            raise _fail(f"{where}.options", f"must list {_MIN_OPTIONS} to {_MAX_OPTIONS} options")
        options = []
        for o_index, option in enumerate(raw_options, start=1):
            o_where = f"{where}.options[{o_index}]"
            option = _keys(option, _OPTION_KEYS, _OPTION_KEYS, o_where)
            if not isinstance(option["correct"], bool):
                raise _fail(f"{o_where}.correct", "must be true or false")
            options.append(
                Option(
                    _text(option["text"], f"{o_where}.text"),
                    option["correct"],
                    _text(option["feedback"], f"{o_where}.feedback"),
                )
            )
        if not any(o.correct for o in options):
            raise _fail(f"{where}.options", "at least one option must be correct")
        texts = [o.text for o in options]
        if len(set(texts)) != len(texts):
            raise _fail(f"{where}.options", "two options have the same text")
        questions.append(
            Question(
                qid,
                _text(raw["prompt"], f"{where}.prompt"),
                tuple(options),
                _objectives(raw["objectives"], f"{where}.objectives"),
            )
        )
    exercise_objectives: dict[str, tuple[int, ...]] = {}
    raw_exercises = data.get("exercise_objectives", {}) or {}
    if not isinstance(raw_exercises, dict):
        raise _fail(f"{name}: exercise_objectives", "must map a notebook path to objective numbers")
    for notebook, objectives in raw_exercises.items():
        if not isinstance(notebook, str) or not re.match(r"^exercises/[\w-]+\.ipynb$", notebook):
            raise _fail(
                f"{name}: exercise_objectives",
                f"{notebook!r} must be a notebook path like exercises/02-name.ipynb",
            )
        exercise_objectives[notebook] = _objectives(
            objectives, f"{name}: exercise_objectives[{notebook}]"
        )
    return Quiz(quiz_id, chapter, tuple(questions), title, exercise_objectives)


# --- the static HTML form ---------------------------------------------------------------

_CODE = re.compile(r"`([^`]+)`")
_STRONG = re.compile(r"\*\*(.+?)\*\*")
_EM = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def inline_html(text: str) -> str:
    """Escape ``text`` and turn `code`, **strong** and *emphasis* into HTML."""
    parts = _CODE.split(text)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"<code>{html.escape(part)}</code>")
        else:
            escaped = html.escape(part)
            escaped = _STRONG.sub(r"<strong>\1</strong>", escaped)
            out.append(_EM.sub(r"<em>\1</em>", escaped))
    return "".join(out)


def plain_text(text: str) -> str:
    """``text`` without its inline markup (for widget labels, which are plain)."""
    return _EM.sub(r"\1", _STRONG.sub(r"\1", _CODE.sub(r"\1", text)))


def _render_html(q: Quiz) -> str:
    base = f"equitylab-quiz-{q.id}"
    total = len(q.questions)
    out = [
        f'<form class="equitylab-quiz" id="{base}" data-quiz="{q.id}" '
        f'aria-label="{html.escape(q.title)}" novalidate>',
        '<p class="equitylab-quiz-intro">Choose an answer, then press <em>Check answer</em>: '
        "each answer has its own explanation. Nothing is recorded.</p>",
    ]
    for number, question in enumerate(q.questions, start=1):
        qid = f"{base}-{question.id}"
        kind = "checkbox" if question.multiple else "radio"
        out.append(
            f'<fieldset class="equitylab-quiz-question" id="{qid}" '
            f'data-kind="{"multiple" if question.multiple else "single"}">'
        )
        out.append(
            f'<legend><span class="equitylab-quiz-number">Question {number} of {total}.</span> '
            f"{inline_html(question.prompt)}</legend>"
        )
        if question.multiple:
            out.append('<p class="equitylab-quiz-how">Select all that apply.</p>')
        out.append('<div class="equitylab-quiz-options">')
        for index, option in enumerate(question.options):
            oid = f"{qid}-{index + 1}"
            out.append(
                f'<div class="equitylab-quiz-option"><input type="{kind}" name="{qid}" '
                f'id="{oid}" value="{index}" data-correct="{str(option.correct).lower()}">'
                f'<label for="{oid}">{inline_html(option.text)}</label></div>'
            )
        out.append("</div>")
        out.append(
            '<button type="button" class="equitylab-quiz-check">Check answer'
            f'<span class="sr-only"> to question {number}</span></button>'
        )
        out.append('<div class="equitylab-quiz-feedback" role="status" aria-live="polite"></div>')
        out.append('<div class="equitylab-quiz-explanations" hidden>')
        for index, option in enumerate(question.options):
            out.append(f'<p data-option="{index}">{inline_html(option.feedback)}</p>')
        out.append("</div></fieldset>")
    out.append("</form>")
    return "\n".join(out)
