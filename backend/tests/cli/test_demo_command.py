"""`inventory demo`, then the README's 5-minute tour run as written: the dashboard must still show the business.

A new user's first hour: the demo's data set in a temporary directory, served on a free port, and the
tour's bash block executed by bash with three changes only: the key `inventory demo` printed, the port,
and a time limit on the one command that streams forever (`curl -N`). The tour places a product and an
order dated today; the history must lead up to today, or those few live rows become "the last 30 days".
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.environment import free_port
from tests.test_readme import section

CATEGORIES = 10  # of the generated data set


def tour_script(key: str, port: int) -> str:
    block = re.search(r"```bash\n(.*?)\n```", section("A 5-minute tour"), flags=re.S)
    assert block, "the tour has no bash block"
    script = block.group(1)
    for written, used in (
        (r"^KEY=\.\.\..*$", f"KEY={key}"),
        (r"^API=http://127\.0\.0\.1:8000$", f"API=http://127.0.0.1:{port}"),
        (r"^curl -N ", "curl -N --max-time 3 "),
    ):
        script, replaced = re.subn(written, used, script, count=1, flags=re.M)
        assert replaced == 1, f"the tour no longer has a line matching {written!r}"
    return script


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """`inventory demo` on a free port in an empty directory; yields its URL, the admin key and the directory."""
    folder = tmp_path_factory.mktemp("demo")
    port = free_port()
    environment = {name: value for name, value in os.environ.items() if not name.startswith(("DATABASE_", "AUTH_"))}
    log = (folder / "demo.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "demo", "--port", str(port)], cwd=folder, env={**environment,
        "LOG_LEVEL": "WARNING", "COLUMNS": "200", "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while not _answers(url):
            assert process.poll() is None and time.monotonic() < deadline, (folder / "demo.log").read_text()[-3000:]
            time.sleep(0.5)
        keys = re.findall(r"sim_[A-Za-z0-9_-]{40,}", (folder / "demo.log").read_text())
        assert keys, "inventory demo printed no admin key"
        yield url, keys[-1], folder
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.skipif(shutil.which("curl") is None, reason="the tour is curl commands")
def test_the_tour_leaves_the_dashboard_meaningful(demo: tuple[str, str, Path]) -> None:
    url, key, folder = demo
    port = int(url.rsplit(":", 1)[1])
    ran = subprocess.run(
        ["bash", "-c", tour_script(key, port)], cwd=folder, capture_output=True, text=True, timeout=300
    )

    # Every command but the last answered (curl -N ends by its time limit: exit status 28).
    assert ran.returncode == 28, ran.stderr[-2000:]
    assert '"status":"ok"' in ran.stdout.replace(" ", "") and "TOUR-1" in ran.stdout
    assert (folder / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = httpx.get(f"{url}/analytics/dashboard/summary", timeout=60).json()
    categories = httpx.get(f"{url}/analytics/category-performance", timeout=60).json()["categories"]

    # The tour's order is one among the last 30 days' thousands, not the whole of them.
    assert summary["current"]["orders"] > 1000, summary["current"]
    assert summary["previous"]["orders"] > 1000 and summary["change"]["revenue"] is not None
    assert summary["data"]["gaps"] == []
    assert len(categories) == CATEGORIES, [c["category"] for c in categories]
