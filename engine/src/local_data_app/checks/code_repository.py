"""publiccode.yml's ``url`` the address of the code's repository, as the standard asks.

Catalogues of public software clone the code from ``url``. A generated
project starts with the organisation's website there, because the repository
does not exist yet. An address counts as a repository when it is a git
address (``git://``, ``ssh://``, ``git@host:path``), ends in ``.git``, or is a
path of at least an owner and a name on a code host: a known public one
(github.com, gitlab.com, bitbucket.org, codeberg.org and others below) or a
host of the organisation's own whose name starts ``git.``, ``gitlab.``,
``gitea.`` or ``forgejo.``. An address at a name reserved for examples
(git.example.org) is left to the placeholders check, so it is reported once.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from . import publication
from .base import Check, Finding, Project, Result
from .placeholders import reserved
from .yaml_lines import YamlProblem, load

ID = "code-repository"
TITLE = "publiccode.yml names the code's repository"
FILE = "publiccode.yml"

CODE_HOSTS = {
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "git.sr.ht",
    "dev.azure.com",
    "gitea.com",
    "framagit.org",
    "salsa.debian.org",
    "sourceforge.net",
}
OWN_HOST_PREFIXES = ("git.", "gitlab.", "gitea.", "forgejo.")


def is_repository(url: str) -> bool:
    """Whether an address is a code repository's rather than a website's (see the module's docstring)."""
    if url.startswith("git@"):
        return True
    parts = urlsplit(url)
    if parts.scheme in {"git", "ssh", "git+ssh"}:
        return True
    path = [segment for segment in parts.path.split("/") if segment]
    if path and path[-1].endswith(".git"):
        return True
    host = (parts.hostname or "").lower()
    host = host.removeprefix("www.")
    return len(path) >= 2 and (host in CODE_HOSTS or host.startswith(OWN_HOST_PREFIXES))


def host_of(url: str) -> str:
    if url.startswith("git@"):
        return url[len("git@") :].split(":", 1)[0]
    return urlsplit(url).hostname or ""


def run(project: Project) -> Result:
    path = project.path(FILE)
    try:
        document = load(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, UnicodeDecodeError, YamlProblem):
        return Result(ID, TITLE, f"No url to judge: the publiccode check says what is wrong with {FILE}.")
    data = document.data if isinstance(document.data, dict) else {}
    url = data.get("url")
    if not isinstance(url, str) or not url.strip():
        return Result(ID, TITLE, f"No url in {FILE} to judge: the publiccode check reports it.")
    severity = publication.severity(project)
    line = document.line("url")
    published = severity == "error"
    when = "" if published else " once it is published"
    if reserved(host_of(url)):
        return Result(ID, TITLE, f"{FILE}'s url is at a name reserved for examples: the placeholders check reports it.")
    if is_repository(url):
        return Result(ID, TITLE, f"{FILE} names the code's repository: {url}.")
    message = (
        f"url: {url!r} is not a code repository's address; catalogues of public software clone the code from "
        f"it. Publish the code and set url to its repository{when}, such as "
        "https://github.com/<owner>/<repository> or https://gitlab.com/<group>/<project>."
    )
    findings = [Finding(message, FILE, line, severity)]
    return Result(ID, TITLE, f"{FILE} does not name the code's repository.", findings, [publication.note(project)])


CHECK = Check(ID, TITLE, run)
