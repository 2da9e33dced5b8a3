"""The book's Sphinx extension: execution-cache invalidation (pure parts, no build) and
the kernels' encrypted transport."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from equitylab_book import _inputs_digest, _invalidate_stale_execution_cache

ROOT = Path(__file__).resolve().parent.parent


def _tree(root: Path) -> None:
    (root / "equitylab").mkdir()
    (root / "equitylab" / "plots.py").write_text("SIZE = 11\n")
    (root / "datasets").mkdir()
    (root / "datasets" / "a.csv").write_text("x\n1\n")


def test_digest_changes_with_code_or_data_but_not_with_bytecode(tmp_path: Path) -> None:
    _tree(tmp_path)
    folders = ["equitylab", "datasets"]
    first = _inputs_digest(tmp_path, folders)
    (tmp_path / "equitylab" / "__pycache__").mkdir()
    (tmp_path / "equitylab" / "__pycache__" / "plots.cpython-311.pyc").write_bytes(b"\0")
    assert _inputs_digest(tmp_path, folders) == first
    (tmp_path / "equitylab" / "plots.py").write_text("SIZE = 12\n")
    second = _inputs_digest(tmp_path, folders)
    assert second != first
    (tmp_path / "datasets" / "a.csv").write_text("x\n2\n")
    assert _inputs_digest(tmp_path, folders) != second


def test_cache_is_emptied_only_when_inputs_change(tmp_path: Path) -> None:
    _tree(tmp_path)
    config = SimpleNamespace(
        nb_execution_mode="cache",
        nb_execution_cache_path="_build/.jupyter_cache",
        equitylab_execution_inputs=["equitylab", "datasets"],
    )
    app = SimpleNamespace(confdir=str(tmp_path))
    cache = tmp_path / "_build" / ".jupyter_cache"

    _invalidate_stale_execution_cache(app, config)  # first build: stamp written
    (cache / "global.db").write_text("cached outputs")
    _invalidate_stale_execution_cache(app, config)  # nothing changed: cache kept
    assert (cache / "global.db").exists()
    assert not getattr(app, "equitylab_inputs_changed", False)

    (tmp_path / "equitylab" / "plots.py").write_text("SIZE = 12\n")
    _invalidate_stale_execution_cache(app, config)  # library changed: cache emptied
    assert not (cache / "global.db").exists()
    assert app.equitylab_inputs_changed is True


# What a kernel started by the build, `make exercises` or a test prints on its standard
# error: ipykernel warns there when the connection is not encrypted (kernels.py).
_RUN_TWO_KERNELS = """
import nbformat
from equitylab_book.kernels import encrypt_kernels_by_default, kernel_config
from nbclient import NotebookClient

def run(**options):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    NotebookClient(notebook, timeout=60, kernel_name="python3", **options).execute()
    assert notebook.cells[0].outputs[0]["text"] == "42\\n", notebook.cells[0].outputs

run(config=kernel_config())              # as _ext/run_exercises.py and the tests do
assert encrypt_kernels_by_default()      # as the book's extension does for myst-nb
run()
"""


def test_kernels_run_over_curvezmq_without_a_warning() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _RUN_TWO_KERNELS],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "_ext")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stdout + result.stderr, result.stderr
