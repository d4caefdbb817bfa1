"""The notebooks under notebooks/ run end to end on the generated data set, so they never rot.

Each is executed from scratch with nbclient, in a copy of the folder in a temporary
directory (nothing is written next to the committed notebooks), and fails on any cell error.
The committed copies must carry their outputs, plots included, for readers browsing the
repository. To re-execute and save them after a change:

    .venv/bin/python -m tests.support.notebooks --write     (from backend/)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from tests.support.notebooks import NOTEBOOKS, execute, notebook_paths

pytestmark = pytest.mark.slow


def png_outputs(notebook: nbformat.NotebookNode) -> int:
    return sum(
        "image/png" in output.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


def test_there_is_a_notebook_for_each_analysis() -> None:
    names = [path.stem for path in notebook_paths()]
    assert len(names) == 5, names
    for topic in ("data_cleaning", "exploratory", "linear_regression", "sarima", "abc_xyz"):
        assert any(topic in name for name in names), f"no notebook about {topic}"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda path: path.stem)
def test_committed_notebook_shows_its_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert any("from app." in cell.source or "import app" in cell.source for cell in code), (
        f"{path.name} must use the product's code (import app), not re-implement it"
    )
    counts = [cell.execution_count for cell in code]
    assert counts == list(range(1, len(code) + 1)), f"{path.name} was not saved from one run, top to bottom"
    assert png_outputs(notebook) > 0, f"{path.name} has no plot saved"
    errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert not errors, f"{path.name} was saved with an error"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda path: path.stem)
def test_notebook_runs_end_to_end(path: Path, tmp_path: Path) -> None:
    # A copy of the folder: the notebooks import their shared helper (workspace.py) from it.
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, folder, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    executed = execute(folder / path.name)  # raises CellExecutionError, with the cell, on any error
    assert png_outputs(executed) > 0, f"{path.name} drew no plot"
