"""Chapters follow the content guide's pattern, and every learning objective is practised.

The guide (CONTENT_GUIDE.md) asks each chapter for a promise, 3-5 learning objectives with
observable verbs, the body, "From the field", a knowledge check, a reflection and an exercise
link, in that order; and every objective must be practised by the chapter's knowledge check
or by an exercise notebook. These tests read the chapter sources, so they run in the unit stage.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import equitylab as el

ROOT = Path(__file__).resolve().parent.parent
PART_DIRS = ["chapters/measuring"]
CHAPTERS = sorted(p for d in PART_DIRS for p in (ROOT / d).glob("*.md"))
ENDING = ["## From the field", "## Knowledge check", "## Reflection", "## Practice"]
# Verbs a learner cannot check themselves against (the guide asks for observable ones).
VAGUE_VERBS = {"understand", "know", "learn", "appreciate", "be", "become", "realize", "see"}


def objectives(text: str) -> list[str]:
    """The numbered learning objectives under '## Learning objectives'."""
    match = re.search(r"^## Learning objectives\n(.*?)(?=^## )", text, re.S | re.M)
    if not match:
        return []
    items = re.findall(r"^(\d+)\. (.+?)(?=^\d+\. |\Z)", match.group(1), re.S | re.M)
    assert [int(n) for n, _ in items] == list(range(1, len(items) + 1)), "numbered 1, 2, 3..."
    return [" ".join(body.split()) for _, body in items]


def test_the_parser_reads_a_numbered_list() -> None:
    text = "## Learning objectives\n\nIntro:\n\n1. Explain a\n   thing.\n2. Compute b.\n\n## Next\n"
    assert objectives(text) == ["Explain a thing.", "Compute b."]


def test_there_are_chapters() -> None:
    assert len(CHAPTERS) == 7


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_has_a_promise_and_observable_objectives(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    title = re.search(r"^# .+\n\n\*\*(.+?)\*\*", text, re.M | re.S)
    assert title, "the title is followed by a one-sentence promise in bold"
    items = objectives(text)
    assert 3 <= len(items) <= 5, "3 to 5 learning objectives"
    for item in items:
        verb = item.split()[0].lower()
        assert verb not in VAGUE_VERBS, f"objective starts with a vague verb: {item}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_ends_with_the_guide_sections_in_order(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    positions = [text.find(f"\n{heading}\n") for heading in ENDING]
    assert all(p > 0 for p in positions), dict(zip(ENDING, positions, strict=True))
    assert positions == sorted(positions), "From the field, Knowledge check, Reflection, Practice"
    check = text[positions[1] : positions[2]]
    assert f'el.quiz("{path.stem}")' in check, "the knowledge check shows this chapter's quiz"
    practice = text[positions[3] :]
    links = re.findall(r"exercises/(\d\d-[\w-]+)>", practice)
    assert links, "the Practice section links an exercise notebook"
    for name in links:
        assert (ROOT / "exercises" / f"{name}.ipynb").is_file(), name


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_objective_is_practised_by_the_quiz_or_an_exercise(path: Path) -> None:
    count = len(objectives(path.read_text(encoding="utf-8")))
    quiz = el.quiz(path.stem)
    assert quiz.chapter == str(path.relative_to(ROOT))
    practised = quiz.objectives_practised()
    assert set(practised) == set(range(1, count + 1)), (
        f"objectives 1-{count}; practised: {practised}"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_riverbend_is_said_to_be_fictional(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if "Riverbend" in text:
        assert re.search(r"fictional|synthetic", text, re.I)
