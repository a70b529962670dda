"""The languages the pages speak: English, and every language the engine ships a catalogue for (Welsh).

Every string a resident reads is written in English in the templates (inside
``{% trans %}`` or ``_()``) and in the Python that makes page text (through
:func:`gettext`, imported as ``_``); its translation is looked up in a
gettext catalogue, ``locale/<code>/LC_MESSAGES/messages.po``. The catalogues
are kept as text so a translator reviews them like any other change, and
Babel (a well-kept library that reads and writes gettext catalogues, as the
standard library does not) compiles them to the binary form gettext reads,
in memory, once per process: no compiled file is kept in git.

A project adds or corrects translations in its own ``locale/`` folder beside
place.toml, in the same layout; its messages win over the engine's.

The language of the page being made travels in a context variable, as the
request's deadline does (deadline.py): the web app sets it for a request
from the address (web/languages.py), the export for each copy of the site it
writes, so the code that writes page text needs no language argument.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ENGLISH = "en"
WELSH = "cy"
LOCALE_DIR = Path(__file__).parent / "locale"
PROJECT_LOCALE = "locale"  # a project's own catalogues, beside place.toml
DOMAIN = "messages"


@dataclass(frozen=True)
class Language:
    """One language of the pages: its code, the tag ``<html lang>`` carries, its own name, and its address prefix."""

    code: str
    tag: str
    name: str  # in the language itself, as the language switch shows it
    prefix: str  # before every page's address: "" for English, "/cy" for Welsh

    def path(self, neutral: str) -> str:
        """A page's address in this language, from its English address: "/" is "/cy/", "/about" "/cy/about"."""
        return self.prefix + neutral


LANGUAGES: dict[str, Language] = {
    ENGLISH: Language(ENGLISH, "en-GB", "English", ""),
    WELSH: Language(WELSH, "cy", "Cymraeg", "/cy"),
}


def codes() -> tuple[str, ...]:
    """The languages a project may list: English, and each one the engine has a catalogue for."""
    shipped = {path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return (ENGLISH, *sorted(code for code in shipped if code in LANGUAGES))


def catalogue_path(code: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


@lru_cache(maxsize=16)
def translations(code: str, project_dir: Path | None = None) -> gettext_module.NullTranslations:
    """The compiled catalogue of a language: the engine's, with the project's own messages over it.

    English needs none: the messages are English already. A message without a
    translation (or marked fuzzy) is shown in English.
    """
    if code == ENGLISH or code not in LANGUAGES:
        return gettext_module.NullTranslations()
    catalogue = read_catalogue(catalogue_path(code)) if catalogue_path(code).is_file() else Catalog(locale=code)
    if project_dir is not None and (own := catalogue_path(code, project_dir / PROJECT_LOCALE)).is_file():
        for message in read_catalogue(own):
            if message.id and message.string and not message.fuzzy:
                if message.id in catalogue:  # setting an existing message keeps its string: replace it instead
                    del catalogue[message.id]
                catalogue[message.id] = message
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return gettext_module.GNUTranslations(compiled)


@dataclass(frozen=True)
class Active:
    language: Language
    translations: gettext_module.NullTranslations


ENGLISH_PAGES = Active(LANGUAGES[ENGLISH], translations(ENGLISH))
_ACTIVE: ContextVar[Active | None] = ContextVar("language", default=None)  # None: English, outside any page


def active() -> Active:
    return _ACTIVE.get() or ENGLISH_PAGES


def current() -> Language:
    """The language of the page being made."""
    return active().language


@contextmanager
def using(code: str, project_dir: Path | None = None) -> Iterator[Language]:
    """Make pages in this language inside the block: a request's, or one copy of the exported site."""
    token = _ACTIVE.set(Active(LANGUAGES[code], translations(code, project_dir)))
    try:
        yield LANGUAGES[code]
    finally:
        _ACTIVE.reset(token)


def gettext(message: str) -> str:
    """A message in the language of the page being made (English when it has no translation)."""
    if not message:  # gettext's own answer for "" is the catalogue's header
        return message
    return active().translations.gettext(message)


def N_(message: str) -> str:
    """Mark a message for the catalogue where it is defined; it is translated where it is shown, by :func:`gettext`."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """A message that depends on a number, in the language of the page being made."""
    return active().translations.ngettext(singular, plural, count)


def preferred(accept_language: str, offered: tuple[str, ...]) -> str | None:
    """The first of ``offered`` a browser's Accept-Language header ranks highest, or None if it names none of them.

    ``cy-GB;q=0.9, en;q=0.8`` prefers Welsh; a language given ``q=0`` is refused.
    Ties keep the header's order.
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:20]):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                continue
        code = tag.strip().split("-")[0].lower()
        if code in offered and quality > 0:
            ranked.append((-quality, position, code))
    return min(ranked)[2] if ranked else None
