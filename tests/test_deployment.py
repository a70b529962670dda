"""The generated project's deployment recipes: their files parse, name commands that exist, and run here.

No container engine runs on this machine, so the tests check what can be
checked without one. The Dockerfile is read instruction by instruction, and
its build steps (the ``uv sync`` runs) and its entrypoint run on the host in a
folder standing for the image's file system; compose.yaml, nginx's config, the
workflows, the systemd units, the Azure files and the deployment guide parse,
and every command they give the app is one its argument parser accepts. The
scale recipe's shape runs for real: as many app processes as compose.yaml has
replicas, on their own ports over one PostgreSQL, under a steady load while an
ingest replaces the data, answering with the old data or the new and nothing
else.
"""

from __future__ import annotations

import configparser
import csv
import http.client
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from statistics import quantiles
from typing import Any

import pytest
import yaml
from baked import package_of, uv_in
from conftest import commit_all
from uv import find_uv_bin

WORKFLOWS = Path(".github") / "workflows"
SYSTEMD = Path("deploy") / "systemd"
# The root of the image's file system, inside the test's folder.
IMAGE_ROOT = "image"
SERVER_START_TIMEOUT = 30  # seconds
# The scale test's load: this many client threads per app process, until LOAD_AFTER seconds after the ingest ends.
THREADS_PER_PROCESS = 3
LOAD_BEFORE = 1.5  # seconds of load before the ingest starts
LOAD_AFTER = 1.5
NEW_ROWS = 20_000
# The one-process load test: this many clients for this many seconds.
ONE_PROCESS_CLIENTS = 8
ONE_PROCESS_SECONDS = 5.0


# The project and its commands


@pytest.fixture(scope="module")
def project(template, tmp_path_factory) -> Path:
    """A project baked with the default answers, in git, installed, with its sample data loaded into SQLite."""
    from cookiecutter.main import cookiecutter

    where = tmp_path_factory.mktemp("deployment")
    path = Path(cookiecutter(str(template), no_input=True, output_dir=str(where)))
    commit_all(path)
    uv_in(path, "sync", "--quiet")
    uv_in(path, "run", "--no-sync", "python", "-m", package_of(path), "ingest")
    return path


@pytest.fixture(scope="module")
def commands(project) -> set[str]:
    """The commands `python -m <package> --help` lists."""
    shown = uv_in(project, "run", "--no-sync", "python", "-m", package_of(project), "--help").stdout
    listing = shown.split("COMMAND\n", 1)[1].split("\n\n", 1)[0]
    return {line.split()[0] for line in listing.splitlines() if re.match(r"    \S", line)}


# Checks every argument list in one process: each is parsed by the engine's parser, as `python -m <package>` would.
PARSE_ALL = """
import contextlib, io, json, sys
from {package}.cli import DISTRIBUTION
from local_data_app.cli import build_parser

refused = {{}}
for arguments in json.loads(sys.stdin.read()):
    error = io.StringIO()
    try:
        with contextlib.redirect_stderr(error), contextlib.redirect_stdout(io.StringIO()):
            build_parser(DISTRIBUTION).parse_args(arguments)
    except SystemExit as stop:
        if stop.code:
            refused[" ".join(arguments)] = error.getvalue().strip()
print(json.dumps(refused))
"""


def refused_by_the_app(project: Path, argument_lists: list[list[str]]) -> dict[str, str]:
    """The argument lists the app's parser refuses, with its message; empty when it accepts them all."""
    outcome = subprocess.run(
        [str(venv_python(project)), "-c", PARSE_ALL.format(package=package_of(project))],
        input=json.dumps(argument_lists),
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(outcome.stdout)


def venv_python(project: Path) -> Path:
    return project / ".venv" / "bin" / "python"


def app_arguments(argv: list[str], package: str) -> list[str]:
    """What follows ``python -m <package>`` (or a path to a python) in a command line; fails if it is not one."""
    assert len(argv) >= 3, argv
    assert Path(argv[0]).name in {"python", "python3"}, argv
    assert argv[1:3] == ["-m", package], argv
    return argv[3:]


# Processes and HTTP


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """An app process started for a test, with its log."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def start(argv: list[str], cwd: Path, env: dict[str, str], port: int, log: Path) -> Server:
    """Start a server process; its output goes to ``log`` so that a full pipe never stalls it."""
    with log.open("wb") as sink:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT)
    return Server(process, port, log)


def wait_until_healthy(server: Server) -> dict[str, Any]:
    """The first 200 answer of /healthz, waiting while the process starts; fails with its log if it never comes."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"the app stopped with status {server.process.returncode}:\n{server.output()}")
        try:
            with urllib.request.urlopen(server.url("/healthz"), timeout=5) as answer:
                return json.loads(answer.read())
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    pytest.fail(f"the app did not answer /healthz within {SERVER_START_TIMEOUT} s:\n{server.output()}")


def get_json(server: Server, path: str) -> Any:
    with urllib.request.urlopen(server.url(path), timeout=10) as answer:
        assert answer.status == 200
        return json.loads(answer.read())


def app_environment(**extra: str) -> dict[str, str]:
    """The host's environment without what would point the app elsewhere, plus ``extra``."""
    ignored = {"VIRTUAL_ENV", "PLACE_TOML", "DATABASE_URL", "PORT"}
    environment = {key: value for key, value in os.environ.items() if key not in ignored}
    environment.update(extra)
    return environment


# The Dockerfile


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [step for step in self.instructions if step.keyword == keyword]

    def one(self, keyword: str) -> Instruction:
        (step,) = self.all(keyword)
        return step


def read_dockerfile(text: str) -> tuple[dict[str, str], list[Stage]]:
    """The ARGs before the first FROM, and the stages: instructions with continuation lines joined and comments gone."""
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue  # comments may sit between continuation lines too
        if stripped.endswith("\\"):
            pending += stripped[:-1].strip() + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    assert not pending, "the Dockerfile ends in a continuation line"
    arguments: dict[str, str] = {}
    stages: list[Stage] = []
    for line in lines:
        keyword, _, rest = line.partition(" ")
        step = Instruction(keyword.upper(), rest.strip())
        if step.keyword == "FROM":
            words = step.arguments.split()
            image = re.sub(r"\$\{(\w+)\}", lambda found: arguments[found.group(1)], words[0])
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image, name))
        elif not stages:
            assert step.keyword == "ARG", f"{step.keyword} before the first FROM"
            name, _, default = step.arguments.partition("=")
            arguments[name] = default
        else:
            stages[-1].instructions.append(step)
    return arguments, stages


def exec_form(arguments: str) -> list[str]:
    """A JSON array argument (exec form); fails on shell form, which would hide the command from signals."""
    assert arguments.startswith("["), f"not in exec form: {arguments}"
    argv = json.loads(arguments)
    assert all(isinstance(part, str) for part in argv)
    return argv


def env_values(step: Instruction) -> dict[str, str]:
    """The variables of an ENV instruction written as KEY=value pairs."""
    return dict(pair.split("=", 1) for pair in shlex.split(step.arguments))


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def healthcheck_command(step: Instruction) -> list[str]:
    """The command of a HEALTHCHECK instruction: its options, then CMD and the command in exec form."""
    options, marker, command = step.arguments.partition("CMD ")
    assert marker, step.arguments
    assert all(word.startswith("--") for word in options.split()), options
    return exec_form(command.strip())


@pytest.fixture(scope="module")
def dockerfile(project) -> tuple[dict[str, str], list[Stage]]:
    return read_dockerfile((project / "Dockerfile").read_text(encoding="utf-8"))


def test_the_dockerfile_builds_in_two_stages_and_runs_as_a_user_with_a_health_check(project, dockerfile) -> None:
    """Two stages on one base image; the last runs as a user it makes, exposes the port it serves, checks /healthz."""
    arguments, stages = dockerfile
    assert len(stages) >= 2
    build, final = stages[0], stages[-1]
    assert build.name, "the build stage needs a name for COPY --from"
    assert build.image == final.image, "the virtual environment needs the same Python in both stages"
    assert re.fullmatch(r"python:[0-9.]+-slim", final.image), final.image
    assert arguments["PYTHON_VERSION"] in (project / "pyproject.toml").read_text(encoding="utf-8")
    assert any(step.arguments.startswith(f"--from={build.name} ") for step in final.all("COPY"))

    # uv installs the app without its development tools, from uv.lock whenever the project has one.
    syncs = [step.arguments for step in build.all("RUN") if "uv sync" in step.arguments]
    assert len(syncs) == 2
    for command in syncs:
        assert "if [ -f uv.lock ]; then locked=--locked" in command
        assert "uv sync $locked --no-dev" in command
    assert "--no-install-project" in syncs[0]
    assert "--no-editable" in syncs[1]
    # uv comes from PyPI, at a version no older than the one these tests lock and sync projects with.
    (pinned,) = [
        step.arguments.partition("=")[2] for step in build.all("ARG") if step.arguments.startswith("UV_VERSION=")
    ]
    assert any("pip install" in step.arguments and '"uv==${UV_VERSION}"' in step.arguments for step in build.all("RUN"))
    ours = subprocess.run([find_uv_bin(), "--version"], capture_output=True, text=True, check=True).stdout.split()[1]
    assert tuple(map(int, pinned.split("."))) >= tuple(map(int, ours.split("."))), (pinned, ours)

    # A user without privileges, made in this stage, before the command that runs the app.
    keywords = [step.keyword for step in final.instructions]
    user = final.one("USER").arguments
    assert user not in {"root", "0"}
    assert not user.startswith(("root:", "0:"))
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")
    assert keywords.index("USER") < keywords.index("CMD")
    (setup,) = [step.arguments for step in final.all("RUN")]
    assert "useradd --system" in setup
    assert re.search(rf" {re.escape(user)}( |$)", setup)

    # The port it serves on is the one it exposes and the one its health check asks.
    command = exec_form(final.one("ENTRYPOINT").arguments) + exec_form(final.one("CMD").arguments)
    port = option(command, "--port")
    assert final.one("EXPOSE").arguments == port
    check = healthcheck_command(final.one("HEALTHCHECK"))
    assert f"http://127.0.0.1:{port}/healthz" in " ".join(check)

    # SQLite lives on the volume, which the user may write.
    database = final.all("ENV")
    settings = {key: value for step in database for key, value in env_values(step).items()}
    database_file = Path(settings["DATABASE_URL"].removeprefix("sqlite:///"))
    (volume,) = exec_form(final.one("VOLUME").arguments)
    assert database_file.parent == Path(volume)
    assert f"chown {user}:{user} {volume}" in setup


# Docker's .dockerignore rules: Go's filepath.Match per pattern, ** for any depth, ! to take a path back.
def dockerignore_patterns(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    patterns = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = line.removeprefix("!").strip().strip("/")
        regex = ""
        index = 0
        while index < len(line):
            if line.startswith("**/", index):
                regex += "(?:.*/)?"
                index += 3
            elif line.startswith("**", index):
                regex += ".*"
                index += 2
            elif line[index] == "*":
                regex += "[^/]*"
                index += 1
            elif line[index] == "?":
                regex += "[^/]"
                index += 1
            elif line[index] == "[":
                end = line.index("]", index)
                regex += line[index : end + 1]
                index = end + 1
            else:
                regex += re.escape(line[index])
                index += 1
        patterns.append((negated, re.compile(regex)))
    return patterns


def build_context(project: Path) -> list[str]:
    """The files `docker build` sends: those .dockerignore does not exclude (a folder's rule covers its files)."""
    patterns = dockerignore_patterns((project / ".dockerignore").read_text(encoding="utf-8"))
    kept = []
    for path in sorted(project.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(project).as_posix()
        parts = relative.split("/")
        prefixes = ["/".join(parts[: end + 1]) for end in range(len(parts))]
        excluded = False
        for negated, pattern in patterns:
            if any(pattern.fullmatch(prefix) for prefix in prefixes):
                excluded = not negated
        if not excluded:
            kept.append(relative)
    return kept


def test_the_build_context_leaves_out_secrets_environments_and_local_data(project) -> None:
    """.dockerignore keeps .env, .venv, .git and local databases out, and keeps what the image is built from."""
    secret = project / ".env"
    secret.write_text("DATABASE_URL=postgresql://app:secret@db.example.org/app\n", encoding="utf-8")
    (project / "data" / "rejects").mkdir(exist_ok=True)
    (project / "data" / "rejects" / "toilets.csv").write_text("row,reasons\n", encoding="utf-8")
    try:
        context = build_context(project)
    finally:
        secret.unlink()
        shutil.rmtree(project / "data" / "rejects")
    assert (project / "data" / "app.db").is_file()
    assert (project / ".venv").is_dir()
    assert (project / ".git").is_dir()
    unwanted = [
        path
        for path in context
        if path == ".env"
        or path.startswith((".venv/", ".git/", "data/rejects/", "tests/"))
        or path.endswith((".db", ".pyc"))
    ]
    assert unwanted == []
    package = package_of(project)
    needed = {"pyproject.toml", "uv.lock", "README.md", "LICENSE", "place.toml", f"src/{package}/cli.py"}
    needed |= {path for path in context if path.startswith("LICENSES/")} | {"data/sample/toilets.csv"}
    assert needed <= set(context)
    assert f"src/{package}/json_array.py" in context  # the project's own adapter, which the image installs


class ImageOnHost:
    """The image's steps carried out on the host, with the image's file system under one folder.

    Absolute paths in the image (WORKDIR, VOLUME and the paths in ENV values
    that start with them) are taken to that folder. RUN steps that install the
    app (``uv sync``) run as written, in ``sh``; the other RUN steps manage the
    system (a user, folder ownership) and only their ``mkdir`` is carried out.
    """

    def __init__(self, project: Path, root: Path, stages: list[Stage]) -> None:
        self.project, self.root, self.stages = project, root, stages
        self.folders = sorted(
            {step.arguments for stage in stages for step in stage.all("WORKDIR")}
            | {folder for step in stages[-1].all("VOLUME") for folder in exec_form(step.arguments)},
            key=len,
            reverse=True,
        )
        self.context = build_context(project)
        self.env: dict[str, str] = {}

    def path(self, inside: str) -> Path:
        return self.root / inside.lstrip("/")

    def mapped(self, value: str) -> str:
        """A value with each image folder it names taken to the host."""
        for folder in self.folders:
            value = re.sub(rf"(?<![\w.]){re.escape(folder)}(?=/|:|$)", lambda _, f=folder: str(self.path(f)), value)
        return value

    def build(self) -> None:
        for stage in self.stages:
            self.env = app_environment(UV_PYTHON=sys.executable)
            self.env["PATH"] = f"{Path(find_uv_bin()).parent}{os.pathsep}{self.env['PATH']}"
            workdir = self.root
            for step in stage.instructions:
                if step.keyword == "WORKDIR":
                    workdir = self.path(step.arguments)
                    workdir.mkdir(parents=True, exist_ok=True)
                elif step.keyword == "ENV":
                    for key, value in env_values(step).items():
                        self.env[key] = re.sub(r"\$(\w+)", lambda m: self.env.get(m.group(1), ""), self.mapped(value))
                elif step.keyword == "COPY":
                    self.copy(step.arguments.split(), workdir)
                elif step.keyword == "RUN" and "uv sync" in step.arguments:
                    outcome = subprocess.run(
                        ["sh", "-c", step.arguments], cwd=workdir, env=self.env, capture_output=True, text=True
                    )
                    assert outcome.returncode == 0, f"RUN {step.arguments}\n{outcome.stdout}{outcome.stderr}"
                elif step.keyword == "RUN":
                    made = re.findall(r"mkdir -p ((?:/\S+ ?)+)", step.arguments)
                    assert made or 'pip install --no-cache-dir --disable-pip-version-check "uv==' in step.arguments
                    for folder in " ".join(made).split():
                        self.path(folder).mkdir(parents=True, exist_ok=True)
        self.workdir = workdir

    def copy(self, words: list[str], workdir: Path) -> None:
        """COPY from the build context (., a folder/, files, wildcards), or the virtual environment --from the build."""
        flags = [word for word in words if word.startswith("--")]
        *sources, destination = [word for word in words if not word.startswith("--")]
        target = self.path(destination) if destination.startswith("/") else workdir / destination
        if any(flag.startswith("--from=") for flag in flags):
            (source,) = sources
            assert self.path(source) == target, "a COPY --from to another path"  # one root holds both stages
            assert (target / "bin" / "python").exists(), f"{source} was not built"
            return
        for source in sources:
            if source in {".", "./"}:
                pairs = [(path, path) for path in self.context]
            elif source.endswith("/"):
                pairs = [(path, path.removeprefix(source)) for path in self.context if path.startswith(source)]
            else:
                pattern = re.compile(re.escape(source).replace(r"\*", "[^/]*"))
                pairs = [(path, Path(path).name) for path in self.context if pattern.fullmatch(path)]
            assert pairs or "*" in source, f"COPY {source}: nothing in the build context"
            for path, relative in pairs:
                copied = target / relative
                copied.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(self.project / path, copied)


def files_under(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


def test_the_image_builds_and_its_command_serves_healthz_on_the_host(project, dockerfile, tmp_path) -> None:
    """The image's uv steps build it from its context; its ingest and its command run as written and answer /healthz."""
    _, stages = dockerfile
    image = ImageOnHost(project, tmp_path / IMAGE_ROOT, stages)
    image.build()
    final = stages[-1]
    app_folder = image.workdir
    assert (app_folder / "place.toml").is_file()
    before = files_under(app_folder)
    entrypoint = exec_form(final.one("ENTRYPOINT").arguments)
    command = exec_form(final.one("CMD").arguments)
    assert app_arguments(entrypoint + command, package_of(project))[0] == "serve"

    # The one-off job the guide and compose.yaml run: the image with the command `ingest`, into the volume.
    loaded = subprocess.run(
        [*entrypoint, "ingest"], cwd=app_folder, env=image.env, capture_output=True, text=True, timeout=120
    )
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    # The dataset's source, then the gazetteers that the postcode and place search reads.
    found = re.fullmatch(
        r"toilets: read ([\d,]+), loaded \1, rejected 0\n"
        r"postcodes: read ([\d,]+), loaded \2, rejected 0\nplace-names: read ([\d,]+), loaded \3, rejected 0\n",
        loaded.stdout,
    )
    assert found, loaded.stdout
    count = int(found.group(1).replace(",", ""))
    database = Path(image.env["DATABASE_URL"].removeprefix("sqlite:///"))
    (volume,) = exec_form(final.one("VOLUME").arguments)
    assert database.is_file()
    assert database.parent == image.path(volume)

    # The image's own command, with only its port changed to a free one.
    port = free_port()
    argv = entrypoint + command
    argv[argv.index("--port") + 1] = str(port)
    server = start(argv, app_folder, image.env, port, tmp_path / "serve.log")
    check = healthcheck_command(final.one("HEALTHCHECK"))
    check = [part.replace(f":{option(entrypoint + command, '--port')}/", f":{port}/") for part in check]
    try:
        health = wait_until_healthy(server)
        assert health["status"] == "ok"
        assert health["collections"]["toilets"] == count
        assert subprocess.run(check, cwd=app_folder, env=image.env, capture_output=True, timeout=30).returncode == 0
    finally:
        server.stop()
    assert subprocess.run(check, cwd=app_folder, env=image.env, capture_output=True, timeout=30).returncode != 0
    # The app wrote nowhere in its folder but the rejects folder (the user may write nothing else there).
    assert {path for path in files_under(app_folder) - before if not path.startswith("data/rejects/")} == set()


# compose.yaml and nginx


@pytest.fixture(scope="module")
def compose(project) -> dict[str, Any]:
    return yaml.safe_load((project / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_runs_replicas_over_postgresql_behind_nginx_with_an_ingest_job(project, compose, dockerfile) -> None:
    """The app runs as replicas of the image over the db service, nginx alone is published, ingest is a one-off."""
    _, stages = dockerfile
    final = stages[-1]
    services = compose["services"]
    assert set(services) == {"db", "app", "ingest", "lb"}
    app, ingest, db, lb = services["app"], services["ingest"], services["db"], services["lb"]

    assert isinstance(app["deploy"]["replicas"], int)
    assert app["deploy"]["replicas"] >= 2
    assert app["build"] == ingest["build"] == "."
    assert app["image"] == ingest["image"]
    assert "ports" not in app
    assert "ports" not in ingest
    assert "ports" not in db
    assert ingest["profiles"] == ["ingest"]
    assert ingest["restart"] == "no"
    for service in (app, ingest):
        assert service["depends_on"] == {"db": {"condition": "service_healthy"}}
        url = service["environment"]["DATABASE_URL"]
        found = re.fullmatch(r"postgresql://(\w+):\$\{POSTGRES_PASSWORD:\?[^}]+\}@db:5432/(\w+)", url)
        assert found, url
        assert found.groups() == (db["environment"]["POSTGRES_USER"], db["environment"]["POSTGRES_DB"])
    assert db["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert "pg_isready" in db["healthcheck"]["test"]

    # The commands the services give the image's entrypoint exist.
    entrypoint = exec_form(final.one("ENTRYPOINT").arguments)
    cmd = exec_form(final.one("CMD").arguments)
    lists = [app_arguments(entrypoint + service.get("command", cmd), package_of(project)) for service in (app, ingest)]
    assert [arguments[0] for arguments in lists] == ["serve", "ingest"]
    assert refused_by_the_app(project, lists) == {}

    # nginx: its config is the one mounted, it listens where compose publishes, and it sends requests to the app.
    (published,) = lb["ports"]
    outside, inside = re.fullmatch(r"\$\{HTTP_PORT:-(\d+)\}:(\d+)", published).groups()
    (mount,) = lb["volumes"]
    source, target, mode = mount.split(":")
    assert (project / source).is_file()
    assert target.startswith("/etc/nginx/conf.d/")
    assert mode == "ro"
    assert lb["depends_on"] == {"app": {"condition": "service_healthy"}}
    nginx = (project / source).read_text(encoding="utf-8")
    code = "\n".join(line.split("#", 1)[0] for line in nginx.splitlines())
    assert code.count("{") == code.count("}")
    assert re.search(rf"^\s*listen {inside};", code, re.MULTILINE)
    upstream = re.search(r"upstream (\w+) \{(.*?)\}", code, re.DOTALL)
    assert upstream
    assert re.search(r"proxy_pass http://" + upstream.group(1) + ";", code)
    port = option(entrypoint + cmd, "--port")
    assert re.search(rf"server app:{port} resolve\b", upstream.group(2))
    assert "zone " in upstream.group(2)
    assert re.search(r"^resolver 127\.0\.0\.11 ", code, re.MULTILINE)
    assert int(outside) > 0


# Workflows, systemd, Azure and the guide: every command they give the app exists


def invocations(text: str, project: Path) -> list[list[str]]:
    """The app's argument lists in shell text: after `uv run [--no-dev|--no-sync] <slug>` or `python -m <package>`."""
    slug, package = project.name, package_of(project)
    found = []
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        for pattern in (rf"\buv run(?: --no-dev| --no-sync)* {re.escape(slug)}\b(.*)", rf"-m {package}\b(.*)"):
            if match := re.search(pattern, line):
                found.append(shlex.split(match.group(1).split("&&")[0]))
    return found


def test_the_workflows_parse_and_call_commands_that_exist(project, commands) -> None:
    """Every workflow is YAML; each run step that calls the app uses a command `--help` lists, as its parser accepts."""
    called: list[list[str]] = []
    for path in sorted((project / WORKFLOWS).glob("*.yml")):
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert workflow["jobs"], path.name
        for job in workflow["jobs"].values():
            for step in job.get("steps", []):
                called += invocations(step.get("run", ""), project)
    assert {arguments[0] for arguments in called} == {"ingest", "export", "check"}
    assert {arguments[0] for arguments in called} <= commands
    # The parser refuses what the app would refuse, so an empty answer below means every command is right.
    refused = refused_by_the_app(project, [*called, ["serve", "--prot", "8000"], ["deploy"]])
    assert set(refused) == {"serve --prot 8000", "deploy"}, refused


def test_the_ingest_workflow_runs_on_a_schedule_only_once_configured(project) -> None:
    """ingest.yml runs `ingest` daily and by hand, with the DATABASE_URL secret, after a job that checks it is set."""
    workflow = yaml.safe_load((project / WORKFLOWS / "ingest.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    (schedule,) = triggers["schedule"]
    assert len(schedule["cron"].split()) == 5
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "read"}
    configured, ingest = workflow["jobs"]["configured"], workflow["jobs"]["ingest"]
    assert ingest["needs"] == "configured"
    assert "needs.configured.outputs.ready == 'true'" in ingest["if"]
    assert ingest["env"]["DATABASE_URL"] == "${{ secrets.DATABASE_URL }}"
    check = configured["steps"][0]["run"]
    assert 'if [ -n "$DATABASE_URL" ]' in check
    assert "exit 1" in check
    assert "::notice::" in check
    runs = [step.get("run", "") for step in ingest["steps"]]
    assert any(invocations(run, project) == [["ingest"]] for run in runs)


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",), empty_lines_in_values=False)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return parser


def test_the_systemd_units_parse_and_the_timer_starts_the_ingest(project, commands) -> None:
    """The app and ingest units run the app's commands as their own user; the timer starts ingest; ingest runs here."""
    slug, package = project.name, package_of(project)
    folder = project / SYSTEMD
    assert {path.name for path in folder.iterdir()} == {
        f"{slug}.service",
        f"{slug}-ingest.service",
        f"{slug}-ingest.timer",
    }
    app, ingest, timer = (
        unit(folder / name) for name in (f"{slug}.service", f"{slug}-ingest.service", f"{slug}-ingest.timer")
    )
    argument_lists = []
    for service in (app, ingest):
        settings = service["Service"]
        assert settings["User"] == settings["Group"] == slug
        home = settings["WorkingDirectory"]
        assert home == f"/srv/{slug}"
        argv = shlex.split(settings["ExecStart"])
        assert argv[0] == f"{home}/.venv/bin/python"
        argument_lists.append(app_arguments(argv, package))
        # Everything is read-only to the app but data/, where SQLite and the rejects files live.
        assert settings["ProtectSystem"] == "strict"
        assert settings["ReadWritePaths"] == f"{home}/data"
        assert settings["NoNewPrivileges"] == "yes"
        assert service["Unit"]["After"] == "network-online.target"
    assert [arguments[0] for arguments in argument_lists] == ["serve", "ingest"]
    assert {arguments[0] for arguments in argument_lists} <= commands
    assert refused_by_the_app(project, argument_lists) == {}
    assert option(argument_lists[0], "--host") == "127.0.0.1"
    assert app["Service"]["Restart"] == "on-failure"
    assert app["Install"]["WantedBy"] == "multi-user.target"
    assert ingest["Service"]["Type"] == "oneshot"
    assert not ingest.has_section("Install")
    assert timer["Timer"]["Unit"] == f"{slug}-ingest.service"
    assert timer["Timer"]["OnCalendar"]
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"

    # The ingest unit's command, run with the project standing for /srv/<slug>, over the sample loaded already:
    # as on most days the timer starts it, the data has not changed, so it is not loaded again.
    argv = shlex.split(ingest["Service"]["ExecStart"].replace(f"/srv/{slug}", str(project)))
    outcome = subprocess.run(argv, cwd=project, env=app_environment(), capture_output=True, text=True, timeout=120)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    unchanged = (
        r"(?:(toilets|postcodes|place-names): unchanged since its last load \(read ([\d,]+), loaded \2, rejected 0\), "
        r"so not loaded again; --force loads it anyway\n  That load, fetched at \S+, is still serving\.\n){3}"
    )
    assert re.fullmatch(unchanged, outcome.stdout), outcome.stdout
    assert outcome.stdout.startswith("toilets: unchanged")


def test_the_azure_startup_command_serves_on_the_port_app_service_gives(project, tmp_path) -> None:
    """siteconfig.json starts azure/startup.sh and checks /healthz; the script serves on $PORT; requirements export."""
    config = json.loads((project / "azure" / "siteconfig.json").read_text(encoding="utf-8"))
    # az sets each key as an attribute of the SDK's SiteConfig, whose names are snake_case; others would be ignored.
    assert all(re.fullmatch(r"[a-z0-9]+(?:_[a-z0-9]+)*", key) for key in config), config
    assert config["health_check_path"] == "/healthz"
    shell, script = shlex.split(config["app_command_line"])
    assert shell == "sh"
    assert (project / script).is_file()
    assert subprocess.run(["sh", "-n", script], cwd=project, check=False).returncode == 0
    text = (project / script).read_text(encoding="utf-8")
    (line,) = [line for line in text.splitlines() if line.startswith("exec ")]
    argv = shlex.split(line.removeprefix("exec ").replace('"${PORT:-8000}"', "8000"))
    assert refused_by_the_app(project, [app_arguments(argv, package_of(project))]) == {}

    # As App Service runs it: from the app's folder with its virtual environment first on PATH, and PORT set.
    port = free_port()
    environment = app_environment(PORT=str(port))
    environment["PATH"] = f"{project / '.venv' / 'bin'}{os.pathsep}{environment['PATH']}"
    server = start(["sh", script], project, environment, port, tmp_path / "azure.log")
    try:
        health = wait_until_healthy(server)
        assert health["status"] == "ok"
        assert health["collections"]["toilets"] > 0
    finally:
        server.stop()

    # The guide's export gives pip the locked versions and the app itself.
    exported = uv_in(project, "export", "--frozen", "--no-dev", "--no-editable", "--no-hashes").stdout
    lines = [line for line in exported.splitlines() if line and not line.startswith((" ", "#"))]
    assert "." in lines
    assert any(line.startswith("uvicorn==") for line in lines)
    assert not any("pytest" in line for line in lines)


def docker_invocations(text: str, project: Path, entrypoint: list[str], cmd: list[str]) -> list[list[str]]:
    """The app's argument lists in `docker run ... <slug> [command]` lines: the image's entrypoint with them."""
    slug = project.name
    found = []
    for line in text.replace("\\\n", " ").splitlines():
        if "docker run" not in line:
            continue
        words = shlex.split(line.split(" #", 1)[0])
        if slug in words:
            after = words[len(words) - words[::-1].index(slug) :]
            found.append(app_arguments(entrypoint + (after or cmd), package_of(project)))
    return found


def test_the_guide_gives_commands_that_exist(project, commands, compose, dockerfile) -> None:
    """Each command in docs/deployment.md's shell blocks, and each compose service it runs, exists."""
    guide = (project / "docs" / "deployment.md").read_text(encoding="utf-8")
    blocks = "\n".join(re.findall(r"```sh\n(.*?)```", guide, re.DOTALL))
    _, stages = dockerfile
    entrypoint = exec_form(stages[-1].one("ENTRYPOINT").arguments)
    cmd = exec_form(stages[-1].one("CMD").arguments)
    called = invocations(blocks, project) + docker_invocations(blocks, project, entrypoint, cmd)
    named = {arguments[0] for arguments in called}
    assert {"config", "ingest", "export"} <= named <= commands
    assert refused_by_the_app(project, called) == {}
    for service in re.findall(r"docker compose run --rm (\S+)", blocks):
        assert service in compose["services"]
    for path in re.findall(r"`((?:deploy|azure|\.github)/[^`\s]+|compose\.yaml|Dockerfile|\.dockerignore)`", guide):
        assert (project / path.replace("*", "")).exists() or list(project.glob(path)), path


# The scale recipe's shape, for real


def write_rows(sample: Path, destination: Path, rows: int, centre: tuple[float, float]) -> None:
    """``rows`` records like the sample's first, scattered within about 5 km of the map centre."""
    with sample.open(newline="", encoding="utf-8") as source:
        reader = csv.DictReader(source)
        first = next(reader)
        header = reader.fieldnames
    assert header
    scatter = random.Random(20_000)
    with destination.open("w", newline="", encoding="utf-8") as target:
        writer = csv.DictWriter(target, header)
        writer.writeheader()
        for number in range(1, rows + 1):
            writer.writerow(
                {
                    **first,
                    "LocationText": f"Generated toilet {number}",
                    "CoordinateReferenceSystem": "WGS84",
                    "GeoY": f"{centre[0] + scatter.uniform(-0.045, 0.045):.6f}",
                    "GeoX": f"{centre[1] + scatter.uniform(-0.07, 0.07):.6f}",
                }
            )


def bigger_project(project: Path, folder: Path) -> tuple[str, Path]:
    """The project's place.toml in ``folder``, its source pointed at NEW_ROWS records of the sample's shape.

    Returns the source's collection name and the new place.toml.
    """
    place = (project / "place.toml").read_text(encoding="utf-8")
    collection = re.search(r'^name = "(\w+)"', place.split("[[sources]]", 1)[1], re.MULTILINE).group(1)
    latitude, longitude = (
        float(value) for value in re.search(r"^centre = \[(.*?)\]", place, re.MULTILINE).group(1).split(",")
    )
    (folder / "data").mkdir(parents=True)
    # The gazetteers are read from where place.toml says, as in the project.
    shutil.copytree(project / "data" / "sample" / "gazetteers", folder / "data" / "sample" / "gazetteers")
    write_rows(
        project / "data" / "sample" / "toilets.csv", folder / "data" / "toilets.csv", NEW_ROWS, (latitude, longitude)
    )
    config = folder / "place.toml"
    config.write_text(
        # The dataset's source (the first), not the gazetteers after it.
        re.sub(r'^location = ".*?"', 'location = "data/toilets.csv"', place, count=1, flags=re.MULTILINE),
        encoding="utf-8",
    )
    return collection, config


def run_ingest(
    python: str, package: str, config: Path, environment: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """The app's ingest run for the place.toml ``config``, in its folder, once it has finished."""
    return subprocess.run(
        [python, "-m", package, "--config", str(config), "ingest"],
        cwd=config.parent,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def postgres_schema(project, postgres_url) -> Iterator[str]:
    """A DATABASE_URL whose tables go in a new schema of the test server, dropped afterwards."""
    schema = f"deployment_{uuid.uuid4().hex[:12]}"
    admin = (
        "import psycopg, sys\nwith psycopg.connect(sys.argv[1], autocommit=True) as db:\n    db.execute(sys.argv[2])\n"
    )
    python = str(venv_python(project))
    subprocess.run([python, "-c", admin, postgres_url, f'CREATE SCHEMA "{schema}"'], check=True, timeout=60)
    try:
        yield f"{postgres_url}{'&' if '?' in postgres_url else '?'}options=-csearch_path%3D{schema}"
    finally:
        subprocess.run([python, "-c", admin, postgres_url, f'DROP SCHEMA "{schema}" CASCADE'], check=True, timeout=60)


@dataclass(frozen=True)
class Answer:
    server: int
    path: str
    started: float
    ended: float
    status: int | None  # None: the connection failed
    count: int | None  # the collection's size the answer reports, where it reports one
    problem: str | None  # what was wrong with a 200 answer


def ask(connection: http.client.HTTPConnection, path: str, collection: str) -> tuple[int, int | None, str | None]:
    """One request: its status, the size of the collection it reports, and anything wrong with it."""
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        return response.status, None, None
    if path == "/":
        return 200, None, None if b"</html>" in body else "not a whole page"
    try:
        document = json.loads(body)
        if path == "/healthz":
            return 200, document["collections"][collection], None
        matched, returned, features = document["numberMatched"], document["numberReturned"], document["features"]
    except (ValueError, KeyError, TypeError) as error:
        return 200, None, f"an answer without its counts: {error!r}"
    offset = int(re.search(r"offset=(\d+)", path).group(1)) if "offset=" in path else 0
    expected = max(0, min(5, matched - offset))
    if returned != expected or len(features) != returned:
        return (
            200,
            matched,
            (
                f"numberMatched {matched} but {len(features)} features at offset {offset} (numberReturned {returned}, "
                f"not {expected}): the count and the page come from different loads"
            ),
        )
    return 200, matched, None


def load(
    servers: list[Server], collection: str, stop: threading.Event, clients: int = THREADS_PER_PROCESS
) -> list[Answer]:
    """``clients`` clients per server, each asking in turn for a page, a collection's items and /healthz."""
    paths = [
        f"/api/collections/{collection}/items?limit=5",
        "/healthz",
        f"/api/collections/{collection}/items?limit=5&offset=7",
        "/",
    ]
    answers: list[Answer] = []
    lock = threading.Lock()

    def client(index: int, server: Server) -> None:
        mine: list[Answer] = []
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        turn = index
        while not stop.is_set():
            path = paths[turn % len(paths)]
            turn += 1
            started = time.monotonic()
            try:
                status, count, problem = ask(connection, path, collection)
            except (OSError, http.client.HTTPException) as error:
                mine.append(Answer(servers.index(server), path, started, time.monotonic(), None, None, repr(error)))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                continue
            mine.append(Answer(servers.index(server), path, started, time.monotonic(), status, count, problem))
        connection.close()
        with lock:
            answers.extend(mine)

    threads = [threading.Thread(target=client, args=(index, server)) for server in servers for index in range(clients)]
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def summary(answers: list[Answer], seconds: float) -> str:
    """Requests, rate and latency of a load run, as the docs report them."""
    cuts = quantiles(sorted(answer.ended - answer.started for answer in answers), n=100)
    return (
        f"{len(answers):,} requests in {seconds:.1f} s, {len(answers) / seconds:,.0f} a second, "
        f"p50 {cuts[49] * 1000:.0f} ms, p99 {cuts[98] * 1000:.0f} ms"
    )


def test_one_app_process_under_a_bounded_load_gives_every_client_the_right_answer(project, tmp_path) -> None:
    """One process on SQLite with 20,000 rows, ONE_PROCESS_CLIENTS clients for ONE_PROCESS_SECONDS seconds.

    Every answer is a 200 with the whole count and a page of the size asked
    for; none is a 5xx, another 4xx or a failed connection.
    """
    package = package_of(project)
    bigger = tmp_path / "bigger"
    collection, config = bigger_project(project, bigger)
    python = str(venv_python(project))
    environment = app_environment()  # SQLite in bigger/data/, beside its place.toml
    loaded = run_ingest(python, package, config, environment)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    port = free_port()
    argv = [python, "-m", package, "--config", str(config), "serve", "--port", str(port)]
    server = start(argv, bigger, environment, port, tmp_path / "one.log")
    try:
        assert wait_until_healthy(server)["collections"][collection] == NEW_ROWS
        stop = threading.Event()
        timer = threading.Timer(ONE_PROCESS_SECONDS, stop.set)
        began = time.monotonic()
        timer.start()
        answers = load([server], collection, stop, clients=ONE_PROCESS_CLIENTS)
        ended = time.monotonic()
    finally:
        server.stop()
    figures = f"one app process on SQLite, {ONE_PROCESS_CLIENTS} clients: {summary(answers, ended - began)}"
    print(figures)
    assert [answer for answer in answers if answer.status != 200][:5] == [], figures
    assert [answer for answer in answers if answer.problem][:5] == [], figures
    assert {answer.count for answer in answers if answer.count is not None} == {NEW_ROWS}
    assert len(answers) > 100, figures  # a load, not a handful of requests
    assert "Traceback" not in server.output(), server.output()


def test_replicas_over_one_postgresql_answer_consistently_while_an_ingest_replaces_the_data(
    project, compose, postgres_schema, tmp_path
) -> None:
    """compose.yaml's replica count of app processes on their own ports, one PostgreSQL, a load and an ingest.

    Every answer during the ingest reports the old data or the new, never
    anything else, and its count and its page of features agree; none is a
    5xx or a failed connection; no answer begun after another had reported the
    new data reports the old; afterwards every process reports the new.
    """
    replicas = compose["services"]["app"]["deploy"]["replicas"]
    package = package_of(project)
    # The same place.toml, its source pointed at a bigger file of the same shape.
    bigger = tmp_path / "bigger"
    collection, config = bigger_project(project, bigger)
    environment = app_environment(DATABASE_URL=postgres_schema)
    python = str(venv_python(project))

    loaded = subprocess.run(
        [python, "-m", package, "ingest"], cwd=project, env=environment, capture_output=True, text=True, timeout=120
    )
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    old = int(re.search(r"loaded ([\d,]+)", loaded.stdout).group(1).replace(",", ""))

    servers: list[Server] = []
    try:
        for number in range(replicas):
            port = free_port()
            argv = [python, "-m", package, "serve", "--port", str(port)]
            servers.append(start(argv, project, environment, port, tmp_path / f"replica-{number}.log"))
        for server in servers:
            assert wait_until_healthy(server)["collections"][collection] == old

        stop = threading.Event()
        answers: list[Answer] = []
        loader = threading.Thread(target=lambda: answers.extend(load(servers, collection, stop)))
        began = time.monotonic()
        loader.start()
        time.sleep(LOAD_BEFORE)
        ingest_started = time.monotonic()
        ingest = run_ingest(python, package, config, environment)
        ingest_ended = time.monotonic()
        time.sleep(LOAD_AFTER)
        stop.set()
        loader.join(timeout=120)
        ended = time.monotonic()
        assert ingest.returncode == 0, ingest.stdout + ingest.stderr
        assert f"loaded {NEW_ROWS:,}, rejected 0" in ingest.stdout

        failed = [answer for answer in answers if answer.status is None]
        errors = [answer for answer in answers if answer.status is not None and answer.status >= 500]
        other = [a for a in answers if a.status is not None and a.status != 200 and a.status < 500]
        wrong = [answer for answer in answers if answer.problem and answer.status == 200]
        counts = {answer.count for answer in answers if answer.count is not None}
        first_new = min((answer.ended for answer in answers if answer.count == NEW_ROWS), default=None)
        stale = [a for a in answers if a.count == old and first_new is not None and a.started > first_new]
        figures = (
            f"{len(servers)} app processes over one PostgreSQL, {THREADS_PER_PROCESS * len(servers)} clients: "
            f"{summary(answers, ended - began)}; ingest of {NEW_ROWS:,} rows took "
            f"{ingest_ended - ingest_started:.1f} s; answers with the old data "
            f"{sum(a.count == old for a in answers):,}, with the new {sum(a.count == NEW_ROWS for a in answers):,}; "
            f"5xx {len(errors)}, failed connections {len(failed)}, wrong answers {len(wrong) + len(stale)}"
        )
        print(figures)
        assert failed == [], failed[:5]
        assert errors == [], errors[:5]
        assert other == [], other[:5]
        assert wrong == [], wrong[:5]
        assert counts == {old, NEW_ROWS}, f"counts seen: {sorted(counts)}; {figures}"
        assert stale == [], stale[:5]
        assert {answer.server for answer in answers} == set(range(len(servers)))

        for server in servers:
            assert get_json(server, "/healthz")["collections"][collection] == NEW_ROWS
            items = get_json(server, f"/api/collections/{collection}/items?limit=1")
            assert items["numberMatched"] == NEW_ROWS
    finally:
        for server in servers:
            server.stop()
    for server in servers:
        assert "Traceback" not in server.output(), server.output()
