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
