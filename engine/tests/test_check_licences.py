"""The licences and reuse checks, and the list of the project's own files they work from."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from project_copy import fresh_copy, line_of, replace_in

from local_data_app.checks import Project, Result, licences, reuse_lint
from local_data_app.checks.files import ignored, project_files


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of this project as generated, safe to change."""
    return fresh_copy(tmp_path / "project")


def licence_of(project: Path, path: str) -> str:
    """The licence REUSE.toml gives to files under ``path`` (such as "data/**")."""
    annotations = tomllib.loads((project / "REUSE.toml").read_text(encoding="utf-8"))["annotations"]
    return next(note["SPDX-License-Identifier"] for note in annotations if note["path"] == path)


def run(check: ModuleType, project: Path) -> Result:
    return check.run(Project.find(project / "place.toml"))


def messages(result: Result) -> list[tuple[str | None, int | None, str]]:
    return [(finding.path, finding.line, finding.message) for finding in result.findings]


# licence_ids


@pytest.mark.parametrize(
    ("expression", "ids"),
    [
        ("MIT", ["MIT"]),
        ("MIT AND BSD-2-Clause", ["MIT", "BSD-2-Clause"]),
        ("(Apache-2.0 OR MIT) AND CC-BY-4.0", ["Apache-2.0", "MIT", "CC-BY-4.0"]),
        ("GPL-2.0+ WITH Classpath-exception-2.0", ["GPL-2.0", "Classpath-exception-2.0"]),
        ("", []),
    ],
)
def test_licence_ids_reads_spdx_expressions(expression: str, ids: list[str]) -> None:
    """It finds each licence identifier in an SPDX expression, without the operators."""
    assert licences.licence_ids(expression) == ids


# licences


def test_the_licences_as_shipped_are_consistent(project: Path) -> None:
    """LICENSE, LICENSES/, REUSE.toml and pyproject.toml agree in the project as generated."""
    result = run(licences, project)
    assert result.status == "passed", messages(result)
    assert licence_of(project, "**") in result.summary


def test_a_deleted_licence_text_fails_with_the_file(project: Path) -> None:
    """Deleting the data licence's text fails, naming the file and where the licence is applied."""
    data_licence = licence_of(project, "data/**")
    (project / "LICENSES" / f"{data_licence}.txt").unlink()
    result = run(licences, project)
    assert result.status == "failed"
    ((path, line, message),) = messages(result)
    assert (path, line) == (f"LICENSES/{data_licence}.txt", None)
    assert "REUSE.toml (data/**)" in message
    assert f"reuse download {data_licence}" in message


def test_an_unused_licence_text_fails(project: Path) -> None:
    """A text in LICENSES/ that no file uses fails, naming it."""
    shutil.copy(project / "LICENSE", project / "LICENSES" / "Unlicense.txt")
    result = run(licences, project)
    assert [(path, message.split(":")[0]) for path, _, message in messages(result)] == [
        ("LICENSES/Unlicense.txt", "no file uses Unlicense")
    ]


def test_a_license_file_with_another_text_fails(project: Path) -> None:
    """LICENSE holding some other licence fails at LICENSE:1."""
    data_licence = licence_of(project, "data/**")
    shutil.copy(project / "LICENSES" / f"{data_licence}.txt", project / "LICENSE")
    result = run(licences, project)
    ((path, line, message),) = messages(result)
    assert (path, line) == ("LICENSE", 1)
    assert "does not hold the text of" in message


def test_a_license_file_with_its_copyright_filled_in_passes(project: Path) -> None:
    """A LICENSE whose text differs only a little (a holder's name added) is still that licence."""
    license_file = project / "LICENSE"
    lines = license_file.read_text(encoding="utf-8").splitlines()
    filled_in = [lines[0], "", "Copyright 2025 The council", *lines[1:]]
    license_file.write_text("\n".join(filled_in) + "\n", encoding="utf-8")
    assert run(licences, project).status == "passed"


def test_a_missing_license_file_fails(project: Path) -> None:
    (project / "LICENSE").unlink()
    ((path, _, message),) = messages(run(licences, project))
    assert path == "LICENSE"
    assert message.startswith("missing")


def test_reuse_toml_and_pyproject_must_agree(project: Path) -> None:
    """REUSE.toml applying a licence to every file that pyproject.toml does not declare fails at its line."""
    code_licence = licence_of(project, "**")
    other = "MIT" if code_licence != "MIT" else "Apache-2.0"
    shutil.copy(project / "LICENSE", project / "LICENSES" / f"{other}.txt")
    identifier = "SPDX-License-Identifier = "
    replace_in(project / "REUSE.toml", f'{identifier}"{code_licence}"', f'{identifier}"{other}"')
    findings = messages(run(licences, project))
    where = ("REUSE.toml", line_of(project / "REUSE.toml", 'path = "**"'))
    assert where in [(path, line) for path, line, _ in findings]
    assert any(f"does not include {other}" in message for _, _, message in findings)


# reuse


def test_reuse_passes_on_the_project_as_shipped(project: Path) -> None:
    """Every file of the generated project has its copyright and licence recorded."""
    result = run(reuse_lint, project)
    assert result.status == "passed", messages(result)


def test_reuse_fails_on_a_file_whose_licence_text_is_missing(project: Path) -> None:
    """Without the data licence's text, each data file is reported as using a missing licence."""
    data_licence = licence_of(project, "data/**")
    (project / "LICENSES" / f"{data_licence}.txt").unlink()
    result = run(reuse_lint, project)
    assert result.status == "failed"
    paths = {path for path, _, _ in messages(result)}
    assert paths
    assert all(path is not None and path.startswith("data/") for path in paths)
    assert all(data_licence in message for _, _, message in messages(result))


# files


@pytest.mark.parametrize(
    ("relative", "is_dir", "expected"),
    [
        (".venv", True, True),
        ("src/app/__pycache__", True, True),
        ("data/app.db", False, True),
        ("data/rejects", True, True),
        ("data/sample/toilets.csv", False, False),
        ("build", True, True),
        ("build", False, False),  # build/ names folders only
        ("src/app/cli.py", False, False),
        (".env", False, True),
        (".env.example", False, False),
    ],
)
def test_gitignore_patterns(relative: str, is_dir: bool, expected: bool) -> None:
    """The project's own .gitignore patterns leave out environments, caches, databases and local settings."""
    patterns = ["# comment", ".env", "*.db", "data/rejects/", "__pycache__/", ".venv/", "build/"]
    patterns = [pattern for pattern in patterns if not pattern.startswith("#")]
    assert ignored(relative, is_dir, patterns) is expected


def test_files_outside_git_skip_what_gitignore_leaves_out(project: Path) -> None:
    """Walking a copy, the database, caches and a virtual environment are not the project's files."""
    for name in ("data/app.db", ".venv/lib/site.py", "src/__pycache__/x.pyc", "data/rejects/toilets.csv"):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text("x", encoding="utf-8")
    listed = {path.relative_to(project).as_posix() for path in project_files(project)}
    assert "place.toml" in listed
    assert "README.md" in listed
    left_out = (".venv/", "data/rejects/")
    assert not {name for name in listed if name.startswith(left_out) or name.endswith((".db", ".pyc"))}


def test_files_in_git_are_what_git_lists(project: Path) -> None:
    """In a git working tree, git lists the files: tracked and new ones, not ignored or deleted ones."""
    git = [shutil.which("git") or "git", "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)  # noqa: S603 (git, with fixed arguments)
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)  # noqa: S603
    (project / "new.md").write_text("new\n", encoding="utf-8")
    (project / "data" / "app.db").write_text("x", encoding="utf-8")
    (project / "CITATION.cff").unlink()
    listed = {path.relative_to(project).as_posix() for path in project_files(project)}
    assert "new.md" in listed
    assert "data/app.db" not in listed
    assert "CITATION.cff" not in listed
    assert ".git/HEAD" not in listed
