"""Where the template's files are: inside the installed package, or in the source checkout.

The wheel carries the template under ``bundled/`` (see ``[tool.hatch.build]``
in pyproject.toml). Run from a checkout, the package uses the checkout itself,
so both routes generate from the same files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED = PACKAGE_DIR / "bundled"
CHECKOUT = PACKAGE_DIR.parent.parent
# What generation reads; everything else in the checkout (tests, docs, scripts) stays behind.
TEMPLATE_FILES = (
    "cookiecutter.json",
    "copier.yml",
    "questions.yml",
    "local_extensions.py",
    "hooks",
    "template",
    "templates",
)
NEVER_COPIED = shutil.ignore_patterns("__pycache__", "*.py[cod]")


def template_root() -> Path:
    """The folder holding cookiecutter.json, copier.yml and the project tree."""
    for root in (BUNDLED, CHECKOUT):
        if (root / "cookiecutter.json").is_file() and (root / "template").is_dir():
            return root
    raise FileNotFoundError(f"The template's files are missing from {BUNDLED}: reinstall local-data-app-template.")


def copy_template(destination: Path) -> Path:
    """Copy the template's files to ``destination``, a fresh folder cookiecutter or copier may read and change."""
    root = template_root()
    destination.mkdir(parents=True)
    for name in TEMPLATE_FILES:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=NEVER_COPIED)
        else:
            shutil.copy2(source, destination / name)
    return destination
