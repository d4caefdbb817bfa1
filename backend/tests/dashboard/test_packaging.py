"""The dashboard's files ship in the wheel: pyproject's package-data globs cover every one of them."""

from __future__ import annotations

import glob
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "backend" / "app"


def test_package_data_names_every_static_file_and_the_vendored_licence() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["app"]
    # setuptools expands package-data with glob(recursive=True) relative to the package directory.
    shipped = {Path(name) for pattern in patterns for name in glob.glob(pattern, root_dir=PACKAGE, recursive=True)}
    static = {path.relative_to(PACKAGE) for path in (PACKAGE / "dashboard" / "static").rglob("*") if path.is_file()}
    assert static and static <= shipped, sorted(map(str, static - shipped))
    assert {Path("dashboard/static/index.html"), Path("dashboard/static/vendor/uplot/LICENSE")} <= static
