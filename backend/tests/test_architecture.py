"""The layer rules of DESIGN.md, checked by import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
import typing
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


def test_every_request_body_refuses_unknown_fields_and_nul_characters() -> None:
    # RequestBody is where extra fields and NUL characters are refused: a body model that is a plain
    # BaseModel let a NUL reach the database and every dashboard (POST /stream/broadcast/alert).
    from fastapi.routing import APIRoute
    from pydantic import BaseModel

    from app.routes import ROUTERS
    from app.schemas.common import RequestBody

    plain = []
    for router in ROUTERS:
        for route in (route for route in router.routes if isinstance(route, APIRoute)):
            for parameter in route.dependant.body_params:
                annotation = parameter.field_info.annotation
                for model in (*typing.get_args(annotation), annotation):
                    if isinstance(model, type) and issubclass(model, BaseModel) and not issubclass(model, RequestBody):
                        plain.append(f"{route.path}: {model.__name__}")
    assert plain == [], f"request bodies that are not RequestBody: {plain}"
