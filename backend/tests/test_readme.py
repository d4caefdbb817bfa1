"""The README stays true: its two opening commands, the configuration table, benchmarks and notebooks listed."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.readme import END, README, START, WRITE_COMMAND, settings_table

ROOT = README.parent
INSTALL_AND_DEMO = "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/inventory demo"
INSTALL_AND_TEST = 'python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest'


def readme() -> str:
    return README.read_text(encoding="utf-8")


def section(title: str) -> str:
    """The text of one `## title` section."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", readme(), flags=re.S | re.M)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def test_readme_opens_with_the_two_commands() -> None:
    blocks = re.findall(r"```bash\n(.*?)\n```", readme(), flags=re.S)
    assert blocks[:2] == [INSTALL_AND_DEMO, INSTALL_AND_TEST]
    assert "```bash" not in readme().split("## Two commands", 1)[0], "nothing may come before the two commands"


def test_configuration_table_matches_the_settings_class() -> None:
    text = readme()
    assert START in text and END in text, (
        f"README.md lost its settings-table markers; restore them, then run: {WRITE_COMMAND}"
    )
    table = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == settings_table(), f"README.md's configuration table is out of date; run: {WRITE_COMMAND}"


def test_configuration_table_has_a_row_per_setting_with_its_meaning() -> None:
    from app.core.config import Settings

    rows = [line for line in settings_table().splitlines()[2:]]
    assert len(rows) == len(Settings.model_fields)
    for row, (name, field) in zip(rows, Settings.model_fields.items(), strict=True):
        assert row.startswith(f"| `{name.upper()}` |")
        assert field.description, f"{name} has no description for the README"


def test_every_benchmark_script_is_listed_with_its_command() -> None:
    benchmarks = section("Benchmarks")
    # A script runs as `python -m bench.NAME`; helper modules (common, paced, ws_client) have no __main__ block.
    modules = (ROOT / "backend" / "bench").glob("*.py")
    scripts = sorted(path.stem for path in modules if 'if __name__ == "__main__":' in path.read_text())
    assert scripts
    header = next(line for line in benchmarks.splitlines() if line.startswith("| Script"))
    assert "Figure" in header
    for name in scripts:
        assert f"python -m bench.{name}" in benchmarks, (
            f"backend/bench/{name}.py is not in the README's Benchmarks table: add a row with its command"
        )
    assert "see closing note" not in readme().lower()


def test_every_notebook_is_linked() -> None:
    notebooks = section("Notebooks")
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert paths
    for path in paths:
        assert f"(notebooks/{path.name})" in notebooks, f"notebooks/{path.name} is not linked from the README"


def test_files_the_readme_points_at_exist() -> None:
    for relative in re.findall(r"`((?:backend|notebooks)/[\w./-]+)`", readme()):
        assert (ROOT / relative).exists(), f"README.md mentions {relative}, which does not exist"
    for name in ("Dockerfile", "docker-compose.kafka.yml", ".env.example"):
        assert name in readme() and (ROOT / name).exists()


def test_tour_and_architecture_sections_exist() -> None:
    tour = section("A 5-minute tour")
    assert "curl" in tour and "ws://" in tour and "/stream/events" in tour
    architecture = section("Architecture")
    assert "app/ml" in architecture and "outbox" in architecture
    production = section("Running in production")
    assert all(word in production for word in ("PostgreSQL", "Kafka", "Redis", "replicas"))


def test_write_command_regenerates_the_table(tmp_path: Path, monkeypatch) -> None:
    # The --write path really rewrites a stale table (on a copy of the README).
    import tests.support.readme as readme_tool

    copy = tmp_path / "README.md"
    stale = readme().split(START, 1)[0] + f"{START}\n| stale |\n{END}" + readme().split(END, 1)[1]
    copy.write_text(stale, encoding="utf-8")
    monkeypatch.setattr(readme_tool, "README", copy)
    monkeypatch.setattr("sys.argv", ["readme", "--write"])
    assert readme_tool.main() == 0
    assert copy.read_text(encoding="utf-8") == readme()
