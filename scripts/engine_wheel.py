"""Build the engine's wheel from this checkout, for the projects the demo and the tests generate.

A generated project depends on ``local-data-app ~= <version>``. Until that is
on a package index the project's machine reaches, uv finds it in a folder of
wheels named by ``UV_FIND_LINKS``: :func:`engine_environment` builds the wheel
there and returns the variable, so no path of this machine is written into a
generated file. uv caches a local wheel by its path and modification time, so
a rebuilt wheel of the same version is installed, not an older build.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from dev_env import ROOT, uv

ENGINE = ROOT / "engine"


def build_engine_wheel(folder: Path) -> Path:
    """Build the engine's wheel into ``folder`` (emptied first) and return the wheel's path."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    subprocess.run([*uv(), "build", "--quiet", "--wheel", "--out-dir", str(folder), str(ENGINE)], check=True, cwd=ROOT)
    (wheel,) = folder.glob("local_data_app-*.whl")
    return wheel


def engine_environment(folder: Path) -> dict[str, str]:
    """Environment variables under which uv installs a generated project with the engine built from this checkout."""
    build_engine_wheel(folder)
    return {"UV_FIND_LINKS": str(folder)}


@cache
def engine_wheels() -> dict[str, str]:
    """:func:`engine_environment` for a temporary folder, built once per process and removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="engine-wheel-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return engine_environment(folder / "wheels")
