"""Build the engine's wheel from this checkout, for the projects the demo and the tests generate.

A generated project depends on ``local-data-app ~= <version>``. Until that is
on a package index the project's machine reaches, uv finds it in a folder of
wheels named by ``UV_FIND_LINKS``: :func:`engine_environment` builds the wheel
there and returns the variable, so no path of this machine is written into a
generated file. uv caches a local wheel by its path and modification time, so
a rebuilt wheel of the same version is installed, not an older build.
"""

from __future__ import annotations

import shutil
import subprocess
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
