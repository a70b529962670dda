"""Welsh pages for an area in Wales, and a translation for every message of the project's own templates.

Under the Welsh Language Standards a Welsh council offers every page in
Welsh, each English page linking to its Welsh version: a project whose
[place] or any of whose [[areas]] has a Welsh GSS code (W...) fails until
``[place] languages`` holds "cy". The failure does not wait for publication:
a Welsh area without Welsh pages is never right.

A project's own templates (templates/ beside place.toml) may add messages
in ``{% trans %}`` or ``_()``; each one without a translation in the
project's ``locale/<code>/LC_MESSAGES/messages.po`` or the engine's
catalogue shows in English on that language's pages, so it is a warning
naming the template and its line. Babel extracts them as ``pybabel extract``
would (docs/pages.md, Languages). And publiccode.yml's
``localisation.availableLanguages`` should list every language the pages are in.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from .. import language
from ..web.overrides import PROJECT_TEMPLATES
from . import yaml_lines
from .base import Check, Finding, Project, Result
from .toml_lines import line_of

ID = "languages"
TITLE = "Welsh pages for a Welsh area; every message translated"
PUBLICCODE = "publiccode.yml"
TEMPLATE_METHODS = [("**.html", "jinja2")]
TEMPLATE_OPTIONS = {"**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}


def welsh_codes(project: Project) -> list[str]:
    """The GSS codes of the project's areas in Wales."""
    settings = project.loaded.settings
    codes = [settings.place.code, *(area.code for area in settings.areas)]
    return [code for code in dict.fromkeys(codes) if code.upper().startswith("W")]


def own_messages(folder: Path) -> list[tuple[str, int, str]]:
    """Each message of the templates in ``folder``: (file, line, message)."""
    found = []
    for file, line, message, _comments, _context in extract_from_dir(str(folder), TEMPLATE_METHODS, TEMPLATE_OPTIONS):
        found.append((file, line, message if isinstance(message, str) else message[0]))
    return found


def catalogue_listing(project: Project, languages: tuple[str, ...]) -> list[Finding]:
    """A warning when publiccode.yml's availableLanguages leaves out a language the pages are served in."""
    path = project.path(PUBLICCODE)
    try:
        document = yaml_lines.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml_lines.YamlProblem):
        return []  # the publiccode check reports a missing or broken file
    localisation = document.data.get("localisation") if isinstance(document.data, dict) else None
    listed = localisation.get("availableLanguages") if isinstance(localisation, dict) else None
    listed = [str(code).split("-")[0].lower() for code in listed] if isinstance(listed, list) else []
    missing = [code for code in languages if code not in listed]
    if not missing:
        return []
    return [
        Finding(
            f"the pages are in {', '.join(missing)} too, but localisation.availableLanguages does not list "
            f"{'it' if len(missing) == 1 else 'them'}, so software catalogues will not say so: add "
            f"{', '.join(missing)} to it",
            PUBLICCODE,
            document.line("localisation", "availableLanguages"),
            "warning",
        )
    ]


def run(project: Project) -> Result:
    settings = project.loaded.settings
    config = project.relative(project.config_path)
    try:
        text = project.config_path.read_text(encoding="utf-8")
    except OSError:
        text = ""
    languages = settings.place.languages
    findings: list[Finding] = []
    welsh = welsh_codes(project)
    if welsh and language.WELSH not in languages:
        findings.append(
            Finding(
                f"{', '.join(welsh)} {'is a code' if len(welsh) == 1 else 'are codes'} of an area in Wales, but "
                f"[place] languages is {list(languages)}: a Welsh council offers every page in Welsh. Add "
                'languages = ["en", "cy"] to [place] (docs/pages.md, Languages).',
                config,
                line_of(text, ("place", "languages")) or line_of(text, ("place", "code")),
            )
        )
    findings += catalogue_listing(project, languages)
    templates = project.directory / PROJECT_TEMPLATES
    messages = own_messages(templates) if templates.is_dir() else []
    for code in languages[1:]:
        catalogue = language.translations(code, project.directory)
        for file, line, message in messages:
            if catalogue.gettext(message) == message:
                findings.append(
                    Finding(
                        f"the message {message!r} has no {language.LANGUAGES[code].name} translation, so the "
                        f"{code} pages show it in English: add it to "
                        f"{language.PROJECT_LOCALE}/{code}/LC_MESSAGES/{language.DOMAIN}.po",
                        project.relative(templates / file),
                        line,
                        "warning",
                    )
                )
    details = [f"languages {', '.join(languages)}; Welsh area codes: {', '.join(welsh) or 'none'}"]
    if messages:
        details.append(f"{len(messages)} messages in the project's own templates")
    if any(finding.severity == "error" for finding in findings):
        summary = "An area in Wales has no Welsh pages."
    elif findings:
        summary = "Some messages of the project's own templates have no translation."
    else:
        summary = "Every language the areas need is offered, and every message is translated."
    return Result(ID, TITLE, summary, findings, details)


CHECK = Check(ID, TITLE, run)
