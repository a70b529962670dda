"""Find uv, installing it with pip the first time, for the test and demo scripts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent


def uv() -> list[str]:
    """The command that runs uv on this machine."""
    if found := shutil.which("uv"):
        return [found]
    probe = subprocess.run([sys.executable, "-m", "uv", "--version"], capture_output=True)
    if probe.returncode != 0:
        print("Installing uv with pip (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "uv"], check=True)
    return [sys.executable, "-m", "uv"]


def run_in_dev_env(*command: str) -> int:
    """Run a command inside the template's development environment (.venv)."""
    return subprocess.run([*uv(), "run", "--locked", "--directory", str(ROOT), *command]).returncode


def start_in_dev_env(*command: str, output: IO[bytes]) -> subprocess.Popen[bytes]:
    """Start a command inside the development environment, its output going to ``output``; it runs on."""
    return subprocess.Popen(
        [*uv(), "run", "--locked", "--directory", str(ROOT), *command], stdout=output, stderr=subprocess.STDOUT
    )
