"""REUSE compliance: every file of the project has a copyright and licence that the reuse tool can read.

This runs the REUSE tool (https://reuse.software, a development dependency of
the project) on the project's own files: those git tracks, or, outside git,
those .gitignore does not leave out. When the tool is not installed the check
is reported as not checked, never as passed.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from .base import Check, Finding, Project, Result, count
from .files import project_files

ID = "reuse"
TITLE = "REUSE compliance"
TIMEOUT = 300  # seconds
INSTALL_HINT = "Install the development tools (`uv sync`, or `pip install reuse`) and run the check again."


def reuse_installed() -> bool:
    """Whether this Python can import the reuse package."""
    return importlib.util.find_spec("reuse") is not None


def run(project: Project) -> Result:
    if not reuse_installed():
        return Result(ID, TITLE, f"Not checked: the reuse tool is not installed. {INSTALL_HINT}", skipped=True)
    files = [project.relative(path) for path in project_files(project.directory)]
    outcome = subprocess.run(  # noqa: S603 (this Python, running the reuse tool)
        [sys.executable, "-m", "reuse", "--root", str(project.directory), "lint-file", *files],
        cwd=project.directory,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=TIMEOUT,
        check=False,
    )
    findings: list[Finding] = []
    for line in outcome.stdout.splitlines():
        path, separator, problem = line.partition(": ")
        path = project.relative(project.directory / path)  # the tool prints paths from the root, or whole
        if separator and path in files:
            findings.append(Finding(f"{problem}.", path))
        elif line.strip():
            findings.append(Finding(line.strip()))
    if outcome.returncode != 0 and not findings:
        message = (outcome.stderr.strip() or outcome.stdout.strip() or "no output").splitlines()[-1]
        findings.append(Finding(f"reuse lint-file failed (exit status {outcome.returncode}): {message}"))
    summary = (
        f"{count(len(findings), 'REUSE problem')} in {count(len(files), 'file')}."
        if findings
        else f"Every one of the project's {len(files)} files has its copyright and licence recorded."
    )
    return Result(ID, TITLE, summary, findings)


CHECK = Check(ID, TITLE, run)
