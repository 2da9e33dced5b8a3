"""Chapters follow the content guide's pattern, and every learning objective is practised.

The guide (CONTENT_GUIDE.md) asks each chapter for a promise, 3-5 learning objectives with
observable verbs, the body, "From the field", a knowledge check, a reflection and an exercise
link, in that order; and every objective must be practised by the chapter's knowledge check
or by an exercise notebook. These tests read the chapter sources, so they run in the unit stage.
The intersections page's own code cells are run too (no build needed): the tables it publishes
together must pass el.audit_release, and the pair it warns about must be flagged.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

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


# --- the intersections page: the tables it publishes together -----------------------------

CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)


def code_cells(text: str) -> list[tuple[int, list[str], str]]:
    """Each MyST code cell as (position in the text, tags, source without its options)."""
    cells = []
    for match in CODE_CELL.finditer(text):
        body = match.group(1)
        options: dict = {}
        if body.startswith("---\n"):
            header, body = body[4:].split("\n---\n", 1)
            options = yaml.safe_load(header) or {}
        else:
            lines = body.split("\n")
            while lines and lines[0].startswith(":"):
                key, _, value = lines.pop(0)[1:].partition(":")
                options[key.strip()] = yaml.safe_load(value)
            body = "\n".join(lines)
        cells.append((match.start(), list(options.get("tags") or []), body))
    return cells


def test_the_code_cell_parser_reads_options_and_front_matter() -> None:
    text = (
        "```{code-cell} ipython3\nx = 1\n```\n\n"
        "```{code-cell} ipython3\n:tags: [hide-input]\ny = 2\n```\n\n"
        "```{code-cell} ipython3\n---\ntags: [remove-input]\nmystnb:\n  a: 1\n---\nz = 3\n```\n"
    )
    assert [(tags, body) for _, tags, body in code_cells(text)] == [
        ([], "x = 1\n"),
        (["hide-input"], "y = 2\n"),
        (["remove-input"], "z = 3\n"),
    ]


@pytest.fixture(scope="module")
def intersections_page() -> tuple[dict, list[tuple[int, list[str], str]]]:
    """Run the intersections page's blood pressure analysis (every code cell before the
    Simpson's paradox section, except those that only draw a figure) and return its
    variables, as the book build computes them."""
    text = (ROOT / "chapters/measuring/intersections.md").read_text(encoding="utf-8")
    end = text.index("\n## Simpson's paradox")
    cells = [cell for cell in code_cells(text) if cell[0] < end]
    namespace: dict = {}
    for _, _, body in cells:
        if "plt.show()" not in body:
            exec(compile(body, "intersections.md", "exec"), namespace)
    return namespace, cells


def test_intersections_release_passes_the_audit_and_the_warned_pair_does_not(
    intersections_page,
) -> None:
    page, cells = intersections_page
    by_race, strata = page["by_race"], page["strata"]
    # The tables the page publishes side by side: its release, and the two it shows.
    assert any(table is by_race for table in page["release"])
    assert any(table is strata for table in page["release"])
    assert el.audit_release(page["release"]).empty
    assert el.audit_release([by_race, strata]).empty
    # The pair the page warns about: a race table that keeps the Unknown-sex patients
    # beside the table that leaves them out. It must be flagged, or the warning is hollow.
    everyone, left_out = page["warned_pair"]
    assert left_out is strata
    assert everyone["n"].sum() > strata["n"].sum()  # it does include them
    flagged = el.audit_release(page["warned_pair"])
    assert not flagged.empty
    black_unknown = "race_ethnicity_group = Black or African American, sex = Unknown"
    assert set(flagged.loc[flagged["group"] == black_unknown, "count"]) >= {"n", "events"}
    # The check is shown to leaders as a result, its code folded.
    (audit_cell,) = [tags for _, tags, body in cells if "el.audit_release(" in body]
    assert "hide-input" in audit_cell


def test_intersections_prose_matches_what_the_tables_hide(intersections_page) -> None:
    page, _ = intersections_page
    first_try, strata = page["first_try"], page["strata"]
    # "Two thirds of the table are hidden ... the rates of Black and White men are hidden
    # at both ages": the three-way box (both races, both ages, Male and Unknown)
    assert 3 * first_try["suppressed"].sum() == 2 * len(first_try) == 24
    men_or_unknown = first_try["sex"].isin(["Male", "Unknown"])
    assert (first_try["suppressed"] == men_or_unknown).all()
    # "Every cell is now shown", with the Unknown-sex patients left out on the record
    assert not strata["suppressed"].any()
    assert "Unknown" not in set(strata["sex"])
    assert strata.attrs["left_out"]["sex"] == (page["bp"]["sex"] == "Unknown").sum() > 10
    assert any("left out" in note for note in strata.attrs["notes"])
    # The one-way table is built from the same people as the intersection table
    assert page["by_race"]["n"].sum() == strata["n"].sum()
    # "the two youngest bands are hidden for every race and sex", and merging them shows all
    fine, merged = page["fine"], page["merged"]
    youngest = fine["age_band"].isin(["18-24", "25-34"])
    assert fine.loc[youngest, "suppressed"].all() and not fine.loc[~youngest, "suppressed"].any()
    assert not merged["suppressed"].any()
