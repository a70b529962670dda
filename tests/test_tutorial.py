"""The tutorial's commands run, in order, and do what the tutorial says they do.

docs/tutorial.md marks its commands as ```sh blocks. They run here one after
another in bash, each in the folder the one before ended in, against a git
copy of the template's working tree given as $TEMPLATE (copier uses the
latest tag of a template unless told otherwise, and this copy has none, so
it uses the working tree's files). A ```text block straight after a command is
what it prints. A `<!-- tutorial: skip -->` comment before a block keeps it
from running (installing tools, naming the template); `<!-- tutorial:
background -->` marks a command that runs until stopped, `serve`, which runs
here on a free port while its pages are fetched.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from engine_wheel import engine_wheels
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial.md"
MARKER = "tutorial:"
PORT_IN_DOCS = "8000"
LEFT_OUT = "..."


@dataclass
class Step:
    """One ```sh block of the tutorial: its commands, how to run them, and the output it shows."""

    line: int
    code: str
    mode: str = "run"  # run | skip | background
    output: list[str] = field(default_factory=list)


def steps(text: str) -> list[Step]:
    """The tutorial's shell blocks in order, with their markers and shown output."""
    blocks = [token for token in MarkdownIt("commonmark").parse(text) if token.level == 0 and token.nesting >= 0]
    found: list[Step] = []
    for before, token in zip([None, *blocks], blocks, strict=False):
        after_sh = before is not None and before.type == "fence" and before.info.strip() == "sh"
        if token.type == "fence" and token.info.strip() == "sh":
            marked = before is not None and before.type == "html_block" and MARKER in before.content
            mode = before.content.split(MARKER, 1)[1].split("-->", 1)[0].strip() if marked else "run"
            found.append(Step(token.map[0] + 1 if token.map else 0, token.content, mode))
        elif token.type == "fence" and token.info.strip() == "text" and after_sh:
            found[-1].output = token.content.splitlines()
    return found


def _words(text: str) -> str:
    return " ".join(text.split())


def missing_output(shown: list[str], printed: str) -> list[str]:
    """The lines the tutorial shows that the command did not print (spaces aside)."""
    printed_words = _words(printed)
    return [line for line in shown if line.strip() not in {"", LEFT_OUT} and _words(line) not in printed_words]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@dataclass
class Reader:
    """Someone following the tutorial in one terminal: where they are and what their shell holds."""

    home: Path
    environment: dict[str, str]
    cwd: Path
    pages: dict[str, tuple[int, str]] = field(default_factory=dict)

    def run(self, step: Step) -> str:
        """Run a block as bash would, failing with the tutorial's line and what was printed."""
        where = self.home / ".cwd"
        script = f"set -euo pipefail\ncd {shlex.quote(str(self.cwd))}\n{step.code}\npwd > {shlex.quote(str(where))}\n"
        outcome = subprocess.run(
            ["bash", "-c", script], env=self.environment, capture_output=True, text=True, timeout=600
        )
        printed = outcome.stdout + outcome.stderr
        assert outcome.returncode == 0, (
            f"docs/tutorial.md line {step.line}: exit status {outcome.returncode}\n{step.code}\n{printed}"
        )
        self.cwd = Path(where.read_text(encoding="utf-8").strip())
        missing = missing_output(step.output, printed)
        assert not missing, f"docs/tutorial.md line {step.line} shows output it did not print: {missing}\n{printed}"
        return printed

    def run_in_background(self, step: Step, paths: tuple[str, ...]) -> None:
        """Start a command that serves, wait until it answers, fetch ``paths``, and stop it."""
        port = _free_port()
        command = step.code.strip().replace(f"--port {PORT_IN_DOCS}", f"--port {port}")
        assert f"--port {port}" in command, f"docs/tutorial.md line {step.line}: serve on --port {PORT_IN_DOCS}"
        log = (self.home / "serve.log").open("w+", encoding="utf-8")
        server = subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            cwd=self.cwd,
            env=self.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                assert server.poll() is None, f"docs/tutorial.md line {step.line}: serve stopped:\n{_read(log)}"
                try:
                    if _fetch(f"{base}/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, f"serve did not answer in time:\n{_read(log)}"
                time.sleep(0.2)
            self.pages = {path: _fetch(base + path) for path in paths}
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            log.close()


def _read(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()


def _git(project: Path, *arguments: str) -> str:
    return subprocess.run(["git", *arguments], cwd=project, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def reader(template, tmp_path) -> Reader:
    """A terminal with uv, copier and git, an identity for commits, and $TEMPLATE naming a git copy of the template."""
    repository = tmp_path / "local-data-app-template"
    shutil.copytree(template, repository)
    identity = ["-c", "user.name=Template", "-c", "user.email=template@example.org"]
    for command in (["init", "--quiet"], ["add", "--all"], ["commit", "--quiet", "-m", "The template"]):
        subprocess.run(["git", *identity, *command], cwd=repository, check=True)
    home = tmp_path / "reader"
    home.mkdir()
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Tutorial Reader\n\temail = reader@example.org\n[init]\n\tdefaultBranch = main\n",
        encoding="utf-8",
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PLACE_TOML", "DATABASE_URL", "TEMPLATE"} and not key.startswith("APP_")
    }
    environment.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), environment.get("PATH", "")]),
        TEMPLATE=str(repository),
        UV_PYTHON=sys.executable,
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        NO_COLOR="1",
    )
    environment.update(engine_wheels())  # the engine built from this checkout, until it is on PyPI
    work = tmp_path / "work"
    work.mkdir()
    return Reader(home, environment, work)


def test_the_tutorial_marks_its_steps() -> None:
    """The tutorial has commands to run, one command to serve in the background, and output to compare."""
    found = steps(TUTORIAL.read_text(encoding="utf-8"))
    modes = [step.mode for step in found]
    assert set(modes) <= {"run", "skip", "background"}, modes
    assert modes.count("background") == 1
    assert sum(1 for step in found if step.output) >= 4
    assert any("copier copy" in step.code and "$TEMPLATE" in step.code for step in found if step.mode == "run")
    assert any("copier update" in step.code for step in found if step.mode == "run")


def test_missing_output_is_found() -> None:
    """Output the tutorial shows but the command did not print is reported; spacing and left-out lines are not."""
    shown = ["toilets: read 10,   loaded 10", "...", "", "community: read 5"]
    assert missing_output(shown, "toilets:  read 10, loaded 10\nother\n") == ["community: read 5"]


def test_the_tutorial_runs(reader: Reader) -> None:
    """Every command of the tutorial runs, prints what it shows, and leaves two areas' apps as it says."""
    for step in steps(TUTORIAL.read_text(encoding="utf-8")):
        if step.mode == "run":
            reader.run(step)
        elif step.mode == "background":
            reader.run_in_background(step, ("/", "/about", "/api/collections"))

    status, home_page = reader.pages["/"]
    assert status == 200
    assert "The Old Bank Café" in home_page
    assert "Trafford" in home_page
    status, about = reader.pages["/about"]
    assert status == 200
    assert "data/raw/community-toilets.csv" in about
    status, collections = reader.pages["/api/collections"]
    assert {collection["id"] for collection in json.loads(collections)["collections"]} == {"toilets", "community"}

    work = reader.home.parent / "work"
    trafford, salford = work / "trafford-toilets", work / "salford-toilets"
    assert (trafford / "build" / "site" / "index.html").is_file()
    assert 'name = "Trafford"' in (trafford / "place.toml").read_text(encoding="utf-8")
    place = (salford / "place.toml").read_text(encoding="utf-8")
    assert 'name = "Salford"' in place
    assert 'code = "E08000006"' in place
    assert 'location = "data/raw/community-toilets.csv"' in place
    readme = (salford / "README.md").read_text(encoding="utf-8")
    assert "Salford City Council" in readme
    assert "Trafford" not in readme
    for project in (trafford, salford):
        assert _git(project, "status", "--porcelain") == ""
    assert _git(salford, "diff", "--stat", "HEAD~1", "--", "src", "tests") == ""
    assert "Salford" in _git(salford, "diff", "HEAD~1", "--", "place.toml")
    # The regional app read both areas' apps, kept Salford's data while its app was down, and credits both.
    region = work / "greater-manchester-toilets"
    settings = tomllib.loads((region / "place.toml").read_text(encoding="utf-8"))
    assert [area["code"] for area in settings["areas"]] == ["E08000009", "E08000006"]
    assert {source["adapter"] for source in settings["sources"] if source.get("area")} == {"ogcapi"}
    about = (region / "build" / "site" / "about.html").read_text(encoding="utf-8")
    assert "Trafford" in about
    assert "Salford" in about
    for name in ("trafford", "salford"):
        items = json.loads((region / "build" / "site" / f"{name}.geojson").read_text(encoding="utf-8"))
        assert len(items["features"]) == 10, name
        assert {feature["properties"]["area_name"] for feature in items["features"]} == {name.capitalize()}
