"""Generate the demo app with the default answers and load its sample data.

``python3 scripts/demo.py`` writes the app to build/demo/public-toilet-finder
(replacing an earlier demo), installs it with uv and runs its ``ingest``
command, which loads the shipped sample data into SQLite. Extra arguments are
passed to cookiecutter as answers, for example ``place_name=Wrexham``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from clean_copy import clean_copy
from dev_env import ROOT, run_in_dev_env, uv

OUTPUT = ROOT / "build" / "demo"


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


def main(answers: list[str]) -> int:
    project = generate(answers)
    if project is None:
        return 1
    shown = project.relative_to(ROOT)
    print(f"\nGenerated {shown}; installing it and loading its sample data:\n", flush=True)
    status = subprocess.run([*uv(), "run", "--quiet", project.name, "ingest"], cwd=project).returncode
    if status == 0:
        print(f"\nThe demo app is in {shown}, its data in {shown}/data/app.db.")
        print(f"Its settings: cd {shown} && uv run {project.name} config. Its tests: uv run pytest")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
