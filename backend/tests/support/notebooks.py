"""Execute the notebooks under notebooks/ with nbclient; with --write, save them with their outputs.

    cd backend && ../.venv/bin/python -m tests.support.notebooks --write [NAME ...]

runs every notebook (or the ones named) from a clean kernel and writes it back in place,
outputs and plots included: the committed copies are what a reader browsing the repository
sees. Without --write it only executes them and prints the time each took.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[3] / "notebooks"
CELL_TIMEOUT = 600  # seconds; the slowest cell (fitting every category) takes well under a minute


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def execute(path: Path) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh kernel, in its own folder; raise on the first failing cell."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",  # jupyter_client starts it with this interpreter (the one that has `app`)
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return notebook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="Notebook file names (default: all of them).")
    parser.add_argument("--write", action="store_true", help="Save each executed notebook in place.")
    args = parser.parse_args()
    paths = [NOTEBOOKS / name for name in args.names] if args.names else notebook_paths()
    for path in paths:
        started = time.perf_counter()
        notebook = execute(path)
        seconds = time.perf_counter() - started
        if args.write:
            nbformat.write(notebook, path)
        print(f"{path.name}: {seconds:.1f} s{' (saved)' if args.write else ''}", flush=True)


if __name__ == "__main__":
    main()
