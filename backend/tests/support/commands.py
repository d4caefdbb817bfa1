"""The command line as a user runs it: a subprocess with DATABASE_URL in its environment."""

from __future__ import annotations

import os
import subprocess
import sys


def inventory(*args: str, database_url: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, **settings}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )
