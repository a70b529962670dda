"""The template from PyPI: a wheel that carries the template generates the same project as a checkout.

For council networks that reach a PyPI mirror but not GitHub. The test builds
the wheel from a clean copy of this repository, installs it into a fresh
virtual environment, and generates projects with every proxy pointing at a
closed port, so nothing but the installed package can be read.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AWKWARD_ANSWERS, tree
from uv import find_uv_bin

CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens, so any network use fails at once
NO_NETWORK = {name: CLOSED for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")}


@pytest.fixture(scope="module")
def installed(template, tmp_path_factory) -> Path:
    """The ``local-data-app-template`` command of the wheel, installed into a fresh virtual environment."""
    where = tmp_path_factory.mktemp("wheel")
    uv = find_uv_bin()
    subprocess.run([uv, "build", "--wheel", "--quiet", "-o", str(where / "dist")], cwd=template, check=True)
    (wheel,) = (where / "dist").glob("local_data_app_template-*.whl")
    environment = where / "venv"
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(environment)], check=True)
    subprocess.run([uv, "pip", "install", "--quiet", "--python", str(environment), str(wheel)], check=True)
    return environment / "bin" / "local-data-app-template"


def run(command: Path, *arguments: str, cwd: Path, temporary: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed command with the network shut off and no way back to this checkout."""
    environment = {key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    environment.update(NO_NETWORK, COOKIECUTTER_CONFIG=str(cwd / "no-user-config.yaml"))
    if temporary is not None:
        environment["TMPDIR"] = str(temporary)
    (cwd / "no-user-config.yaml").write_text("{}\n", encoding="utf-8")
    return subprocess.run([str(command), *arguments], cwd=cwd, capture_output=True, text=True, env=environment)


def test_the_wheel_generates_what_the_checkout_generates(
    installed, cookies, template, tmp_path, tmp_path_factory
) -> None:
    """`local-data-app-template new --no-input name=value ...` gives the project cookiecutter gives from git.

    It leaves nothing in the temporary folder: not cookiecutter's copy of the
    template, nor its hooks rendered with the answers.
    """
    answers = {**AWKWARD_ANSWERS, "dataset_theme": "generic_points"}
    temporary = tmp_path_factory.mktemp("temporary")
    given = (f"{name}={value}" for name, value in answers.items())
    made = run(installed, "new", "--no-input", *given, cwd=tmp_path, temporary=temporary)
    assert made.returncode == 0, made.stderr
    assert list(temporary.iterdir()) == []
    project = tmp_path / "toiledau-cyhoeddus-mon"
    assert made.stdout.strip() == f"Generated {project}"
    from_checkout = cookies.bake(extra_context=answers, template=str(template)).project_path
    assert tree(project) == tree(from_checkout)


def test_the_wheel_replays_recorded_answers(installed, cookies, template, tmp_path) -> None:
    """`new --replay-file` regenerates a project from its .cookiecutter-replay.json, as the fork route needs."""
    first = cookies.bake(extra_context={"place_name": "Wrexham", "place_code": "W06000006"}, template=str(template))
    replay = first.project_path / ".cookiecutter-replay.json"
    made = run(installed, "new", "--replay-file", str(replay), "--output-dir", "again", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert tree(tmp_path / "again" / first.project_path.name) == tree(first.project_path)


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["place_code=E0800"], 'place_code: "E0800" is not an ONS GSS code'),
        (["plce_name=Wrexham"], "'plce_name' is not one of the questions: project_name,"),
        (["Wrexham"], "'Wrexham' is not an answer: write name=value"),
    ],
    ids=["bad-answer", "unknown-question", "not-a-pair"],
)
def test_a_bad_answer_stops_it_with_the_fix_and_no_folder(installed, tmp_path, arguments, words) -> None:
    """A bad answer exits 1 with a message naming the question, no traceback and no project folder."""
    refused = run(installed, "new", "--no-input", *arguments, cwd=tmp_path)
    assert refused.returncode == 1
    assert words in refused.stderr
    assert "Traceback" not in refused.stderr
    assert [path.name for path in tmp_path.iterdir()] == ["no-user-config.yaml"]


def test_path_names_the_installed_template(installed, tmp_path) -> None:
    """`local-data-app-template path` prints the bundled template, which cookiecutter and copier can read."""
    shown = run(installed, "path", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    root = Path(shown.stdout.strip())
    assert root.name == "bundled"
    assert "site-packages" in root.parts
    assert (root / "cookiecutter.json").is_file()
    assert (root / "copier.yml").is_file()
