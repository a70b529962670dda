"""Generate the demo app with the default answers, load its sample data and serve it.

``python3 scripts/demo.py`` writes the app to build/demo/public-toilet-finder
(replacing an earlier demo), builds the engine's wheel from this checkout and installs the app with uv
against it (see engine_wheel.py), runs its ``ingest`` command,
which loads the shipped sample data into SQLite, and then serves its pages and
API on http://127.0.0.1:8000 until Ctrl-C. ``--no-serve`` stops after the
ingest. Other arguments are passed to cookiecutter as answers, for example
``place_name=Wrexham``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from clean_copy import clean_copy
from dev_env import ROOT, run_in_dev_env, uv
from engine_wheel import engine_environment

OUTPUT = ROOT / "build" / "demo"
WHEELS = ROOT / "build" / "engine-wheel"  # the engine built from this checkout, which the demo app installs
NO_SERVE = "--no-serve"
ADDRESS = ("127.0.0.1", "8000")


def generate(answers: list[str]) -> Path | None:
    """Bake a project into build/demo, replacing an earlier one of the same name."""
    with tempfile.TemporaryDirectory() as scratch:
        template = clean_copy(Path(scratch) / "template")
        baked = Path(scratch) / "baked"
        status = run_in_dev_env("cookiecutter", str(template), "--no-input", "--output-dir", str(baked), *answers)
        if status != 0:
            return None
        (project,) = baked.iterdir()
        target = OUTPUT / project.name
        shutil.rmtree(target, ignore_errors=True)
        OUTPUT.mkdir(parents=True, exist_ok=True)
        shutil.move(project, target)
    return target


def main(arguments: list[str]) -> int:
    serve = NO_SERVE not in arguments
    project = generate([argument for argument in arguments if argument != NO_SERVE])
    if project is None:
        return 1
    shown = project.relative_to(ROOT)
    print(f"\nGenerated {shown}; building the engine, installing the app and loading its sample data:\n", flush=True)
    environment = {**os.environ, **engine_environment(WHEELS)}
    # The wheel's folder is always the same, so uv would install a cached build of the same version: reinstall it.
    run = [*uv(), "run", "--quiet", "--reinstall-package", "local-data-app", project.name, "ingest"]
    status = subprocess.run(run, cwd=project, env=environment).returncode
    if status != 0:
        return status
    print(f"\nThe demo app is in {shown}, its data in {shown}/data/app.db.")
    print(f"Its settings: cd {shown} && uv run {project.name} config. Its tests: uv run pytest")
    if not serve:
        return 0
    host, port = ADDRESS
    print(f"\nServing it on http://{host}:{port}/ (its API under /api); Ctrl-C stops it.\n", flush=True)
    try:
        return subprocess.run(
            [*uv(), "run", "--quiet", project.name, "serve", "--host", host, "--port", port],
            cwd=project,
            env=environment,
        ).returncode
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
