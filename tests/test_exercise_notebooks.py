"""Exercise notebooks: the learner edition runs top to bottom, and each is well formed.

nbval (a separate stage of `make test`) checks the full notebooks against their stored
outputs. Here we check what a learner actually downloads: the notebook without its
`solution`/`facilitator` cells must still run in a fresh kernel, because later tasks
must never depend on a worked solution.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from equitylab_book.editions import strip_notebook
from equitylab_book.kernels import kernel_config
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "exercises").glob("*.ipynb"))


def test_there_are_exercises() -> None:
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_learner_edition_runs_top_to_bottom(path: Path) -> None:
    learner = strip_notebook(json.loads(path.read_text(encoding="utf-8")))
    notebook = nbformat.reads(json.dumps(learner), as_version=4)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        config=kernel_config(),
    )
    client.execute()
    checks = [
        "".join(o.get("data", {}).get("text/plain", ""))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.outputs
        if "el.check(" in cell.source
    ]
    assert checks and all(text.startswith("No answer yet") for text in checks)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_valid_and_opens_with_its_goal(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    first = notebook.cells[0]
    assert first.cell_type == "markdown"
    for heading in ("**Goal.**", "**Time.**", "**What you need to know.**", "**Getting help.**"):
        assert heading in first.source, heading
    assert any("solution" in c.metadata.get("tags", []) for c in notebook.cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_output_has_alt_text(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if any("image/png" in o.get("data", {}) for o in cell.outputs):
            assert cell.metadata.get("mystnb", {}).get("image", {}).get("alt"), cell.source
