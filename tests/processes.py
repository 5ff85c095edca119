"""Run manage.py in a separate process, as an operator would, with a clean environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Variables of this test run that must not leak into the process under test.
_DROPPED = {
    "SECRET_KEY",
    "DEBUG",
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_SETTINGS_MODULE",
    # Set by the browser tests for Playwright; check --deploy rightly objects to it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def manage_env(**overrides) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in _DROPPED}
    env.update(overrides)
    return env


def run_manage(*args, env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def manage_python(*args) -> list[str]:
    """The command for a long-running manage.py process (for subprocess.Popen)."""
    return [sys.executable, "manage.py", *args]
