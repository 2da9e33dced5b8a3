"""Knowledge checks: the YAML format is enforced, grading is right, and both displays work."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

import equitylab as el
from equitylab.quizzes import QUIZ_DIR, inline_html, list_quizzes, load_quiz, plain_text

ROOT = Path(__file__).resolve().parent.parent

VALID = {
    "chapter": "chapters/measuring/example.md",
    "questions": [
        {
            "id": "single",
            "objectives": [1],
            "prompt": "Which number is *even*?",
            "options": [
                {"text": "Two", "correct": True, "feedback": "Two divides by two."},
                {"text": "Three", "correct": False, "feedback": "Three leaves one over."},
                {"text": "Five", "correct": False, "feedback": "Five leaves one over."},
            ],
        },
        {
            "id": "many",
            "objectives": [2, 3],
            "prompt": "Which are `prime`?",
            "options": [
                {"text": "Two", "correct": True, "feedback": "Only 1 and 2 divide it."},
                {"text": "Three", "correct": True, "feedback": "Only 1 and 3 divide it."},
                {"text": "Four", "correct": False, "feedback": "Two divides it."},
            ],
        },
    ],
    "exercise_objectives": {"exercises/02-stratify-explorer.ipynb": [4]},
}


def _write(tmp_path: Path, data: object, name: str = "example.yml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def example(tmp_path: Path) -> el.quizzes.Quiz:
    return load_quiz(_write(tmp_path, VALID))


# --- the format -------------------------------------------------------------------------


def test_a_valid_file_loads(example) -> None:
    assert example.id == "example"
    assert [q.id for q in example.questions] == ["single", "many"]
    assert not example.questions[0].multiple and example.questions[1].multiple
    assert example.objectives_practised() == {
        1: ["single"],
        2: ["many"],
        3: ["many"],
        4: ["exercises/02-stratify-explorer.ipynb"],
    }


def _broken(mutate) -> dict:
    data = copy.deepcopy(VALID)
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("chapter"), r"missing key\(s\) chapter"),
        (lambda d: d.update(questions=[]), r"questions: must be a non-empty list"),
        (lambda d: d.update(extra=1), r"unknown key\(s\) extra"),
        (lambda d: d["questions"][0].pop("prompt"), r"questions\[1\]: missing key\(s\) prompt"),
        (lambda d: d["questions"][1].update(id="single"), r"questions\[2\]\.id: 'single' is used"),
        (lambda d: d["questions"][0].update(id="Bad Id"), r"lowercase letters"),
        (lambda d: d["questions"][0].update(objectives=[]), r"objectives: must be a non-empty"),
        (lambda d: d["questions"][0].update(objectives=[0]), r"whole numbers from 1"),
        (
            lambda d: d["questions"][0]["options"][1].pop("feedback"),
            r"questions\[1\]\.options\[2\]: missing key\(s\) feedback",
        ),
        (
            lambda d: d["questions"][0]["options"][1].update(feedback="  "),
            r"options\[2\]\.feedback: must be non-empty text",
        ),
        (
            lambda d: d["questions"][0]["options"][0].update(correct="yes"),
            r"options\[1\]\.correct: must be true or false",
        ),
        (
            lambda d: d["questions"][0]["options"][0].update(correct=False),
            r"at least one option must be correct",
        ),
        (lambda d: d["questions"][0].update(options=[]), r"must list 2 to 6 options"),
        (
            lambda d: d["questions"][0]["options"][1].update(text="Two"),
            r"two options have the same text",
        ),
        (
            lambda d: d["questions"][0].update(prompt="Is <b>this</b> bold?"),
            r"plain text: write `code`",
        ),
        (
            lambda d: d.update(exercise_objectives={"notes/x.md": [1]}),
            r"must be a notebook path",
        ),
    ],
)
def test_a_broken_file_says_where_and_what_to_fix(tmp_path: Path, mutate, message: str) -> None:
    with pytest.raises(el.EquityLabError, match=message) as error:
        load_quiz(_write(tmp_path, _broken(mutate)))
    assert str(error.value).startswith("example.yml")


def test_unreadable_or_unknown_quizzes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("questions: [unclosed", encoding="utf-8")
    with pytest.raises(el.EquityLabError, match="not valid YAML"):
        load_quiz(bad)
    with pytest.raises(el.EquityLabError, match="no quiz named 'no-such-chapter'"):
        el.quiz("no-such-chapter")
    with pytest.raises(el.EquityLabError, match="does not exist"):
        load_quiz(tmp_path / "missing.yml")


# --- grading ---------------------------------------------------------------------------


def test_single_answer_grading(example) -> None:
    question = example.questions[0]
    assert question.grade([]) == (None, [])
    assert question.grade([0]) == (True, ["Two divides by two."])
    assert question.grade([2]) == (False, ["Five leaves one over."])
    with pytest.raises(el.EquityLabError, match="takes one answer"):
        question.grade([0, 1])
    with pytest.raises(el.EquityLabError, match="options 0 to 2"):
        question.grade([3])


def test_select_all_that_apply_needs_exactly_the_right_set(example) -> None:
    question = example.questions[1]
    assert question.grade([0, 1])[0] is True
    assert question.grade([0])[0] is False  # one right answer missing
    correct, notes = question.grade([0, 1, 2])  # one wrong answer too many
    assert correct is False and notes[-1] == "Two divides it."


# --- the static form -------------------------------------------------------------------


def test_static_form_has_native_controls_and_hidden_feedback(example) -> None:
    page = example.to_html()
    assert page.count("<fieldset") == 2 and page.count("<legend>") == 2
    assert page.count('type="radio"') == 3 and page.count('type="checkbox"') == 3
    assert page.count('<button type="button" class="equitylab-quiz-check">') == 2
    assert page.count('role="status" aria-live="polite"') == 2
    assert "Select all that apply." in page
    # every input has a label, and ids are unique
    ids = re.findall(r'<input [^>]*id="([^"]+)"', page)
    assert len(ids) == len(set(ids)) == 6
    assert all(f'<label for="{i}">' in page for i in ids)
    # feedback is in the page but hidden until an answer is checked
    hidden = re.findall(r'<div class="equitylab-quiz-explanations" hidden>(.*?)</div>', page, re.S)
    assert len(hidden) == 2 and "Three leaves one over." in hidden[0]
    assert "<em>even</em>" in page and "<code>prime</code>" in page


def test_inline_markup_is_escaped_first() -> None:
    assert inline_html("a < b & `x<y>` **c** *d*") == (
        "a &lt; b &amp; <code>x&lt;y&gt;</code> <strong>c</strong> <em>d</em>"
    )
    assert inline_html("2 * 3 * 4") == "2 * 3 * 4"
    assert plain_text("**a** *b* `c`") == "a b c"


def test_notebooks_get_the_widget_and_the_site_gets_the_form(example, monkeypatch) -> None:
    monkeypatch.setenv(el.quizzes.STATIC_SITE_ENV, "1")  # as in the book's build
    static = example._repr_mimebundle_()
    assert set(static) == {"text/plain", "text/html"}
    monkeypatch.delenv(el.quizzes.STATIC_SITE_ENV)
    bundle = example._repr_mimebundle_()
    assert bundle["text/html"] == example.to_html()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    overrides = config["sphinx"]["config"]["nb_mime_priority_overrides"]
    assert ["html", "text/html", 5] in overrides  # ahead of the widget view (10) on the site


# --- the widget ------------------------------------------------------------------------


def test_widget_grades_a_single_answer(example) -> None:
    widget = example.widget()
    assert el.widgets.NEEDS_KERNEL_CLASS in widget._dom_classes
    first = widget.questions[0]
    first.check.click()
    assert "Choose an answer first" in first.feedback.value
    first.choices.value = 1
    first.check.click()
    assert "Not yet." in first.feedback.value and "Three leaves one over." in first.feedback.value
    first.choices.value = 0
    first.check.click()
    assert "Correct." in first.feedback.value
    assert first.choices.description == "Answer to question 1"


def test_widget_grades_select_all_that_apply(example) -> None:
    second = example.widget().questions[1]
    assert [box.description for box in second.choices] == ["Two", "Three", "Four"]
    second.choices[0].value = True
    second.check.click()
    assert "Not yet." in second.feedback.value
    second.choices[1].value = True
    second.check.click()
    assert "Correct." in second.feedback.value
    assert second.feedback.value.count("<li>") == 2


# --- the book's quizzes ----------------------------------------------------------------


def test_the_book_ships_its_quizzes_in_the_package() -> None:
    assert QUIZ_DIR.is_dir() and list_quizzes()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"content/quizzes/*.yml"' in pyproject


@pytest.mark.parametrize("name", list_quizzes())
def test_every_shipped_quiz_is_valid_and_points_at_real_files(name: str) -> None:
    quiz = el.quiz(name)
    assert 3 <= len(quiz.questions) <= 6, "a knowledge check has 3 to 6 questions"
    assert (ROOT / quiz.chapter).is_file(), quiz.chapter
    assert Path(quiz.chapter).stem == name, "the quiz file is named after its chapter"
    for notebook in quiz.exercise_objectives:
        assert (ROOT / notebook).is_file(), notebook
    for question in quiz.questions:
        assert 3 <= len(question.options) <= 5, question.id
        assert any(not o.correct for o in question.options), f"{question.id}: no wrong answer"


def test_in_a_real_kernel_a_quiz_offers_the_widget_and_the_form() -> None:
    # What JupyterLab receives when a learner runs a chapter's knowledge-check cell.
    import nbformat
    from equitylab_book.kernels import kernel_config
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "import os\nos.environ.pop('EQUITYLAB_STATIC_SITE', None)\n"
            f"import equitylab as el\nel.quiz({list_quizzes()[0]!r})"
        )
    ]
    NotebookClient(notebook, timeout=120, kernel_name="python3", config=kernel_config()).execute()
    data = notebook.cells[0].outputs[-1]["data"]
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/html"].startswith('<form class="equitylab-quiz"')
