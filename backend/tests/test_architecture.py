"""The layer rules of DESIGN.md, checked by import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold() -> None:
    # The console script sits beside the interpreter running the tests (the venv's bin/).
    command = Path(sys.executable).parent / "lint-imports"
    assert command.exists(), "import-linter is part of the test extra: pip install -e '.[test]'"
    result = subprocess.run([str(command)], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_server_and_the_command_line_start_without_scipy() -> None:
    # scipy.stats alone took 1.7 s of every start; fits import scipy in their worker processes.
    code = "import sys, app.main, app.cli; sys.exit(' '.join(m for m in sys.modules if m.split('.')[0] == 'scipy') or None)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT / "backend", capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"imported at start: {result.stderr}"
