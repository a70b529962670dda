"""The brand's colour and logo: white header text readable on the colour, and the logo a fit file of the project.

Loading the settings already refuses a colour that white text does not reach
WCAG 2.2 AA contrast on (4.5:1) and a logo that is missing, too big, not an
SVG or PNG, or outside the project (brand.py); so would every other check, as
one that could not run. This check reads place.toml's [brand] table itself,
so it names the line of the colour or logo with the ratio and the fix even
while the settings cannot load; once they load, it reports the ratio.
"""

from __future__ import annotations

import tomllib
from typing import Any

from .. import brand
from ..contrast import WHITE, channels, contrast_ratio, shown
from .base import Check, Finding, Project, Result
from .toml_lines import line_of

ID = "brand"
TITLE = "The brand's colour is readable and its logo is in the project"


def problems(project: Project) -> list[Finding]:
    """What is wrong with place.toml's [brand] colour and logo, each at its line."""
    try:
        text = project.config_path.read_text(encoding="utf-8")
        table: Any = tomllib.loads(text).get("brand")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []  # loading the settings says what is wrong with the file itself
    if not isinstance(table, dict):
        return []
    config = project.relative(project.config_path)
    findings = []
    colour = table.get("colour")
    if isinstance(colour, str):
        try:
            channels(colour)
            problem = brand.colour_problem(colour.lower())
        except ValueError as error:
            problem = str(error)
        if problem:
            findings.append(
                Finding(f"[brand] colour = {colour!r}: {problem}.", config, line_of(text, ("brand", "colour")))
            )
    logo = table.get("logo")
    if isinstance(logo, str):
        try:
            brand.read_logo(logo, project.directory)
        except (ValueError, OSError) as error:
            findings.append(Finding(f"[brand] logo = {logo!r}: {error}.", config, line_of(text, ("brand", "logo"))))
    return findings


def run(project: Project) -> Result:
    findings = problems(project)
    if findings:
        return Result(ID, TITLE, "The brand's colour or logo cannot be used as set.", findings)
    settings = project.loaded.settings  # a ConfigError here is another setting's problem: the check could not run
    colour, logo = settings.brand.colour, settings.brand.logo
    details = []
    if colour:
        details.append(
            f"colour {colour}: white text on it has a contrast ratio of {shown(contrast_ratio(colour, WHITE))}"
        )
    if logo:
        size = len(brand.read_logo(logo, project.directory))
        details.append(f"logo {logo}: {size:,} bytes, shown with the text alternative {settings.organisation.name!r}")
    summary = (
        "The header's colour is readable and the logo is in the project."
        if details
        else "No [brand] colour or logo: the pages keep the engine's own look."
    )
    return Result(ID, TITLE, summary, [], details)


CHECK = Check(ID, TITLE, run)
