"""Re-run exercise notebooks in place so their stored outputs are current.

nbval checks each notebook's stored outputs against a fresh run, so after
editing an exercise, run ``make exercises`` (which calls this script) and commit
the updated notebook. Each notebook runs top to bottom in a fresh kernel from
its own folder, with widget state saved (so the book and nbval see the same
widgets) and without volatile metadata such as execution timestamps. The kernel talks
to this script over CurveZMQ (see equitylab_book/kernels.py).

Usage: python _ext/run_exercises.py [NOTEBOOK ...]   (default: exercises/*.ipynb)
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from equitylab_book.kernels import kernel_config
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def _strip_volatile(notebook: nbformat.NotebookNode) -> None:
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            output.get("metadata", {}).pop("execution", None)


def run(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
        record_timing=False,
        config=kernel_config(),  # CurveZMQ between client and kernel (no TCP warning)
    )
    client.execute()
    _strip_volatile(notebook)
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    print(f"ran {path.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    paths = [Path(arg).resolve() for arg in argv] or sorted((ROOT / "exercises").glob("*.ipynb"))
    for path in paths:
        run(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
