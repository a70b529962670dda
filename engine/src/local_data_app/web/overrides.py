"""A project's own page templates and static files, in front of the engine's.

A team changes how its pages look without editing the engine: a template in
the project's ``templates/`` folder (beside place.toml) replaces the engine's
template of the same name, and a file in its ``static/`` folder replaces or
adds to the engine's static files, in the live app and in the static export
alike. Templates can extend the engine's own: ``{% extends "engine/base.html" %}``
names the engine's file even where the project replaces ``base.html``.
"""

from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

import jinja2
from fastapi.staticfiles import StaticFiles

from .. import language

PROJECT_TEMPLATES = "templates"
PROJECT_STATIC = "static"
ENGINE_PREFIX = "engine"  # the engine's templates are also found as engine/<name>
ENGINE_STATIC = Path(__file__).parent / "static"


@lru_cache(maxsize=8)
def page_environment(project_dir: Path | None) -> jinja2.Environment:
    """The Jinja environment for a project's pages: its own templates first, then the engine's."""
    engine = jinja2.PackageLoader(__package__, "templates")
    loaders: list[jinja2.BaseLoader] = []
    if project_dir is not None and (project_dir / PROJECT_TEMPLATES).is_dir():
        loaders.append(jinja2.FileSystemLoader(project_dir / PROJECT_TEMPLATES))
    loaders += [engine, jinja2.PrefixLoader({ENGINE_PREFIX: engine})]
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # {% trans %} and _() look the words up in the language of the page being made (language.py), so one
    # environment serves every language and every thread.
    environment.policies["ext.i18n.trimmed"] = True  # one message per sentence, however the template wraps it
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        language.gettext, language.ngettext, newstyle=True
    )
    return environment


def project_static(project_dir: Path | None) -> Path | None:
    """The project's static folder, if it has one."""
    folder = project_dir / PROJECT_STATIC if project_dir is not None else None
    return folder if folder is not None and folder.is_dir() else None


def static_files(project_dir: Path | None) -> StaticFiles:
    """The app's static files: the project's, then the engine's for any file the project does not have."""
    return StaticFiles(directory=project_static(project_dir), packages=[(__package__, "static")])


def copy_static(project_dir: Path | None, destination: Path) -> None:
    """Write the static files as the live app serves them: the engine's, with the project's over them."""
    shutil.copytree(ENGINE_STATIC, destination)
    if (folder := project_static(project_dir)) is not None:
        shutil.copytree(folder, destination, dirs_exist_ok=True)
