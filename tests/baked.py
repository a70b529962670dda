"""Running commands inside a baked project, in its own environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import AWKWARD_ANSWERS, FAR_END_ANSWERS
from engine_wheel import engine_wheels
from uv import find_uv_bin

# The projects the baked-project and browser tests build: the defaults, awkward Welsh answers, and answers at the
# far end of what the answer check accepts.
PROJECTS = {
    "defaults-by-cookiecutter": ("cookiecutter", {}),
    "welsh-apache-ccby-generic-by-copier": (
        "copier",
        {
            **AWKWARD_ANSWERS,
            "dataset_theme": "generic_points",
            "code_licence": "Apache-2.0",
            "data_licence": "CC-BY-4.0",
        },
    ),
    "far-end-irish-agpl-odbl-by-cookiecutter": ("cookiecutter", FAR_END_ANSWERS),
}


def uv_in(
    project: Path, *arguments: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run uv inside a baked project, isolated from the template's own environment (plus ``env``)."""
    environment = {key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV", "PLACE_TOML"}}
    environment["UV_PYTHON"] = sys.executable
    environment.update(engine_wheels())
    environment.update(env or {})
    outcome = subprocess.run(
        [find_uv_bin(), *arguments],
        cwd=project,
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    if check:
        assert outcome.returncode == 0, f"uv {' '.join(arguments)} failed:\n{outcome.stdout}\n{outcome.stderr}"
    return outcome


def package_of(project: Path) -> str:
    """The name of the project's one package under src/."""
    return next(path.name for path in (project / "src").iterdir() if path.is_dir())
