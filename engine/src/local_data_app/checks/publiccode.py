"""publiccode.yml: present, and valid against the publiccode.yml standard's required keys and types.

publiccode.yml (https://yml.publiccode.tools) is how software catalogues for
public bodies find and describe reusable code. This check follows the core
schema of the standard's versions 0.2 to 0.5: the keys it requires, their
types, the values its enumerations allow and the lengths of the descriptions.
Each problem names the key and the line. Whether ``url`` is the code's
repository rather than a website is the code-repository check's question.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from typing import Any

from .base import Check, Finding, Project, Result, Severity, count
from .licences import declared_licence, licence_ids
from .yaml_lines import Key, LinedYaml, YamlProblem, load

ID = "publiccode"
TITLE = "publiccode.yml valid"
FILE = "publiccode.yml"

VERSIONS = {"0", "0.2", "0.2.0", "0.2.1", "0.2.2", "0.3", "0.3.0", "0.4", "0.4.0", "0.5", "0.5.0"}
CATEGORIES_OPTIONAL_FROM = "0.5"  # categories became optional in 0.5
DEVELOPMENT_STATUSES = {"concept", "development", "beta", "stable", "obsolete"}
SOFTWARE_TYPES = {
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
}
MAINTENANCE_TYPES = {"internal", "contract", "community", "none"}
SHORT_DESCRIPTION_MAX = 150
LONG_DESCRIPTION_LENGTH = (150, 10_000)
# The standard's controlled vocabulary for `categories`.
CATEGORIES = frozenset(
    [
        "accounting",
        "agile-project-management",
        "applicant-tracking",
        "application-development",
        "appointment-scheduling",
        "backup",
        "billing-and-invoicing",
        "blog",
        "budgeting",
        "business-intelligence",
        "business-process-management",
        "cad",
        "call-center-management",
        "cloud-management",
        "collaboration",
        "communications",
        "compliance-management",
        "contact-management",
        "content-management",
        "crm",
        "customer-service-and-support",
        "data-analytics",
        "data-collection",
        "data-visualization",
        "design",
        "design-system",
        "digital-asset-management",
        "digital-citizenship",
        "document-management",
        "donor-management",
        "e-commerce",
        "e-signature",
        "educational-content",
        "email-management",
        "email-marketing",
        "employee-management",
        "enterprise-project-management",
        "enterprise-social-networking",
        "erp",
        "event-management",
        "facility-management",
        "feedback-and-reviews-management",
        "financial-reporting",
        "fleet-management",
        "fundraising",
        "gamification",
        "geographic-information-systems",
        "grant-management",
        "graphic-design",
        "help-desk",
        "hr",
        "ide",
        "identity-management",
        "instant-messaging",
        "inventory-management",
        "it-asset-management",
        "it-development",
        "it-management",
        "it-security",
        "it-service-management",
        "knowledge-management",
        "learning-management-system",
        "marketing",
        "mind-mapping",
        "mobile-marketing",
        "mobile-payment",
        "network-management",
        "office",
        "online-booking",
        "online-community",
        "other",
        "payment-gateway",
        "payroll",
        "predictive-analysis",
        "procurement",
        "productivity-suite",
        "project-collaboration",
        "project-management",
        "property-management",
        "real-estate-management",
        "remote-support",
        "resource-management",
        "sales-management",
        "seo",
        "service-desk",
        "social-media-management",
        "survey",
        "talent-management",
        "task-management",
        "taxes-management",
        "test-management",
        "time-management",
        "time-tracking",
        "translation",
        "video-conferencing",
        "video-editing",
        "visitor-management",
        "voip",
        "warehouse-management",
        "web-collaboration",
        "web-conferencing",
        "website-builder",
        "whistleblowing",
        "workflow-management",
    ]
)
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
URL = re.compile(r"(?:https?|git|ssh|svn)://[^\s/]+\S*|git@[^\s:]+:\S+")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


MISSING = object()


class Validator:
    """Collects one finding per problem, each with the key's dotted name and its line."""

    def __init__(self, document: LinedYaml) -> None:
        self.document = document
        self.findings: list[Finding] = []

    def problem(self, key: Key, message: str, severity: Severity = "error") -> None:
        name = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in key).lstrip(".")
        self.findings.append(Finding(f"{name or 'the document'}: {message}", FILE, self.document.line(*key), severity))

    def get(self, mapping: dict[str, Any], key: Key, required: bool) -> Any:
        """The value at the last part of ``key``; MISSING (reported when required) if there is none."""
        value = mapping.get(str(key[-1]), MISSING)
        if value is MISSING or value is None:
            if required:
                self.problem(key, "missing; the standard requires it." if value is MISSING else "empty; give a value.")
            return MISSING
        return value

    def string(self, mapping: dict[str, Any], key: Key, required: bool = True, **rules: Any) -> str | None:
        value = self.get(mapping, key, required)
        return None if value is MISSING else self.text(key, value, **rules)

    def text(
        self,
        key: Key,
        value: Any,
        choices: Collection[str] | None = None,
        pattern: re.Pattern[str] | None = None,
        means: str = "",
        max_length: int | None = None,
        min_length: int | None = None,
    ) -> str | None:
        """``value`` if it is text that follows the rules; otherwise reports why not and returns None."""
        if pattern is DATE and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = value.isoformat()  # an unquoted date, which YAML reads as a date: what a date key holds
        if not isinstance(value, str):
            shown = value.isoformat() if isinstance(value, dt.date) else value
            self.problem(key, f"expected text, found {_kind(value)} {shown!r}. Put the value in quotes.")
            return None
        if not value.strip():
            self.problem(key, "empty; give a value.")
        elif choices is not None and value not in choices:
            self.problem(key, f"{value!r} is not one of the values the standard allows: {', '.join(sorted(choices))}.")
        elif pattern is not None and not pattern.fullmatch(value):
            self.problem(key, f"{value!r} is not {means}.")
        elif max_length is not None and len(value) > max_length:
            self.problem(key, f"{len(value)} characters; the standard allows at most {max_length}.")
        elif min_length is not None and len(value) < min_length:
            self.problem(key, f"{len(value)} characters; the standard asks for at least {min_length}.")
        else:
            return value
        return None

    def strings(
        self, mapping: dict[str, Any], key: Key, required: bool = True, single: bool = False, **rules: Any
    ) -> None:
        """A list of one or more strings (with ``single``, one string may stand for a list of one)."""
        value = self.get(mapping, key, required)
        if value is MISSING:
            return
        if single and isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(key, f"expected a list, found {_kind(value)}. Write one item per line, each after '- '.")
        elif not value:
            self.problem(key, "an empty list; give at least one item.")
        else:
            for index, item in enumerate(value):
                self.text((*key, index), item, **rules)

    def section(self, mapping: dict[str, Any], key: Key, required: bool = True) -> dict[str, Any] | None:
        value = self.get(mapping, key, required)
        if value is MISSING:
            return None
        if not isinstance(value, dict):
            self.problem(key, f"expected a section of keys, found {_kind(value)}.")
            return None
        return value

    def boolean(self, mapping: dict[str, Any], key: Key) -> None:
        value = self.get(mapping, key, True)
        if value is not MISSING and not isinstance(value, bool):
            self.problem(key, f"expected true or false, found {_kind(value)} {value!r}.")


def _kind(value: Any) -> str:
    names: dict[type, str] = {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "a section"}
    if isinstance(value, dt.date):
        return "a date"
    return names.get(type(value), "text" if isinstance(value, str) else "an empty value")


def validate(document: LinedYaml) -> list[Finding]:
    """Every way the document breaks the standard's core schema."""
    check = Validator(document)
    root = document.data
    if not isinstance(root, dict):
        check.problem((), "expected a section of keys at the top of the file.")
        return check.findings
    version = check.string(root, ("publiccodeYmlVersion",), choices=VERSIONS)
    check.string(root, ("name",))
    check.string(root, ("url",), pattern=URL, means="the web address of the code's repository")
    check.string(root, ("landingURL",), required=False, pattern=URL, means="a web address")
    check.strings(root, ("platforms",), single=True)
    categories_required = version is None or _version_before(version, CATEGORIES_OPTIONAL_FROM)
    check.strings(root, ("categories",), required=categories_required, choices=CATEGORIES)
    check.string(root, ("developmentStatus",), choices=DEVELOPMENT_STATUSES)
    check.string(root, ("softwareType",), choices=SOFTWARE_TYPES)
    check.string(root, ("releaseDate",), required=False, pattern=DATE, means="a date written YYYY-MM-DD")

    descriptions = check.section(root, ("description",))
    if descriptions is not None:
        if not descriptions:
            check.problem(("description",), "empty; describe the software in at least one language, such as en.")
        for language in descriptions:
            key = ("description", str(language))
            if not LANGUAGE_TAG.fullmatch(str(language)):
                check.problem(key, f"{language!r} is not a language tag such as en or en-GB.")
            section = check.section(descriptions, key)
            if section is None:
                continue
            check.string(section, (*key, "shortDescription"), max_length=SHORT_DESCRIPTION_MAX)
            low, high = LONG_DESCRIPTION_LENGTH
            check.string(section, (*key, "longDescription"), min_length=low, max_length=high)
            check.strings(section, (*key, "features"))

    legal = check.section(root, ("legal",))
    if legal is not None:
        licence = check.string(legal, ("legal", "license"))
        if licence is not None and not licence_ids(licence):
            check.problem(("legal", "license"), f"{licence!r} is not an SPDX licence expression such as MIT.")

    maintenance = check.section(root, ("maintenance",))
    if maintenance is not None:
        kind = check.string(maintenance, ("maintenance", "type"), choices=MAINTENANCE_TYPES)
        _people(check, maintenance, ("maintenance", "contacts"), kind in {"internal", "community"}, _contact)
        _people(check, maintenance, ("maintenance", "contractors"), kind == "contract", _contractor)

    localisation = check.section(root, ("localisation",))
    if localisation is not None:
        check.boolean(localisation, ("localisation", "localisationReady"))
        check.strings(
            localisation,
            ("localisation", "availableLanguages"),
            pattern=LANGUAGE_TAG,
            means="a language tag such as en or cy",
        )
    return check.findings


def _version_before(version: str, other: str) -> bool:
    def parts(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split("."))

    return parts(version)[:2] < parts(other)[:2]


Person = Callable[["Validator", dict[str, Any], Key], None]


def _people(check: Validator, maintenance: dict[str, Any], key: Key, required: bool, person: Person) -> None:
    value = check.get(maintenance, key, required)
    if value is MISSING:
        return
    if not isinstance(value, list) or not value:
        check.problem(key, "expected a list of one or more entries, each with a name.")
        return
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            check.problem((*key, index), f"expected a section with a name, found {_kind(entry)}.")
            continue
        person(check, entry, (*key, index))


def _contact(check: Validator, entry: dict[str, Any], key: Key) -> None:
    check.string(entry, (*key, "name"))
    check.string(entry, (*key, "email"), required=False, pattern=EMAIL, means="an e-mail address")
    check.string(entry, (*key, "phone"), required=False)
    check.string(entry, (*key, "affiliation"), required=False)


def _contractor(check: Validator, entry: dict[str, Any], key: Key) -> None:
    check.string(entry, (*key, "name"))
    check.string(entry, (*key, "until"), pattern=DATE, means="a date written YYYY-MM-DD")
    check.string(entry, (*key, "email"), required=False, pattern=EMAIL, means="an e-mail address")


def run(project: Project) -> Result:
    path = project.path(FILE)
    if not path.is_file():
        missing = Finding(
            "missing: it describes the app for catalogues of public software (https://yml.publiccode.tools).", FILE
        )
        return Result(ID, TITLE, f"No {FILE}.", [missing])
    try:
        document = load(path.read_text(encoding="utf-8"))
    except YamlProblem as problem:
        return Result(ID, TITLE, f"{FILE} does not parse.", [Finding(str(problem), FILE, problem.line)])
    except UnicodeDecodeError:
        return Result(
            ID, TITLE, f"{FILE} is not UTF-8.", [Finding("not UTF-8 text, which the standard requires.", FILE)]
        )
    findings = validate(document)
    findings.extend(_consistency(project, document))
    errors = sum(finding.severity == "error" for finding in findings)
    summary = f"{count(errors, 'problem')} in {FILE}." if errors else f"{FILE} has every key the standard requires."
    return Result(ID, TITLE, summary, findings)


def _consistency(project: Project, document: LinedYaml) -> list[Finding]:
    """Agreement with the rest of the project: the code licence (whether url is a repository: code_repository.py)."""
    data = document.data if isinstance(document.data, dict) else {}
    findings: list[Finding] = []
    legal = data.get("legal") if isinstance(data.get("legal"), dict) else {}
    licence = legal.get("license") if isinstance(legal, dict) else None
    declared = declared_licence(project)
    if isinstance(licence, str) and declared:
        foreign = [item for item in licence_ids(licence) if item not in licence_ids(declared)]
        if foreign:
            findings.append(
                Finding(
                    f"legal.license: {licence!r} names {', '.join(foreign)}, which the licence in pyproject.toml, "
                    f"{declared!r}, does not include. Make them agree.",
                    FILE,
                    document.line("legal", "license"),
                )
            )
    return findings


CHECK = Check(ID, TITLE, run)
