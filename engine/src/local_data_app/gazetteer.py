"""Postcodes and place names, looked up in open data the project loads: what ``near=Sale`` or ``near=M33 7ZR`` means.

A source with ``role = "postcodes"`` (the ONS Postcode Directory or OS
Code-Point Open) or ``role = "places"`` (OS Open Names) in place.toml is a
gazetteer: it is ingested like any source (rejects, provenance, staging and
swap, both stores) with its own schema (schemas/gazetteers/), but never served
as a collection. Nothing is asked of another service while a request is
answered.

At load (:func:`narrow`) each postcode is written as it is on a letter
(``M33 7ZR``) with its outward code (``M33``) and sector (``M33 7``), and a
row outside the app's areas is rejected with that reason, so that the
rejects file says what was left out: a postcode by its local authority's GSS
code, a place by its district or county name. A row that names neither is kept.

At a request (:func:`locate`) a full postcode is one exact match on the
postcode field, found through the store's word index; a sector or an outward
code is the middle of its postcodes; a place name is the best of the names
the word search finds: the whole name before a name it begins, a populated
place (a city, then a town, a village, a suburb) before anything else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .adapters import RawRecord
from .config import Area, Settings
from .errors import ClientError, bad_parameter, shown
from .normalise import Rejection
from .schemas import GAZETTEER_ROLES
from .store import AREA_CODE, AREA_NAME, Feature, Provenance, Store, search_words

POSTCODES, PLACES = GAZETTEER_ROLES
# A UK postcode in any case, its parts spaced or not: the outward code (area letters, district) and the inward
# code (sector digit, unit letters). Partial ones stop after the outward code or after the sector's digit.
POSTCODE = re.compile(r"(?P<outward>[A-Z]{1,2}[0-9][A-Z0-9]?)(?: *(?P<sector>[0-9])(?P<unit>[A-Z]{2})?)?")
FULL_POSTCODE = re.compile(r"(?P<outward>[A-Z]{1,2}[0-9][A-Z0-9]?) *(?P<sector>[0-9])(?P<unit>[A-Z]{2})")
LONGEST_NEAR = 100  # characters of a postcode or a place name: the longest real names are about 60
MOST_NAME_WORDS = 8
# How many postcodes make the middle of a sector or an outward code (a sector has a few hundred, an outward code
# a few thousand), and how many names a place search ranks.
MOST_POSTCODES = 5_000
MOST_CANDIDATES = 200
# Open Names' LOCAL_TYPE of populated places, largest first: a search for a name prefers the larger place.
SETTLEMENTS = ("city", "town", "village", "suburban area", "hamlet", "other settlement")


@dataclass(frozen=True)
class Postcode:
    """A postcode as typed, read: whole (``M33 7ZR``), a sector (``M33 7``) or an outward code (``M33``)."""

    outward: str
    sector: str | None = None  # the inward code's digit
    unit: str | None = None  # the inward code's two letters

    @property
    def kind(self) -> str:
        return "postcode" if self.unit else "sector" if self.sector else "outward"

    @property
    def text(self) -> str:
        """As it is written on a letter: M33 7ZR, M33 7 or M33."""
        return self.outward + (f" {self.sector}{self.unit or ''}" if self.sector else "")

    @property
    def field(self) -> str:
        """The postcodes schema's field that holds this text."""
        return {"postcode": "postcode", "sector": "sector", "outward": "outward"}[self.kind]


def read_postcode(text: str) -> Postcode | None:
    """A postcode, sector or outward code typed in any case and spacing; None when the text is not one."""
    squeezed = " ".join(text.upper().split())
    found = POSTCODE.fullmatch(squeezed) or POSTCODE.fullmatch(squeezed.replace(" ", ""))
    if found is None:
        return None
    if found["sector"] and not found["unit"] and " " not in squeezed:
        return None  # M337 could be M33 7 or M3 37: only a space tells a sector from an outward code
    return Postcode(found["outward"], found["sector"], found["unit"])


def full_postcode(text: str) -> Postcode | None:
    """A whole postcode in any case and spacing (``m337zr``, ``M33  7ZR``); None for anything else."""
    found = FULL_POSTCODE.fullmatch(" ".join(text.upper().split()))
    return Postcode(found["outward"], found["sector"], found["unit"]) if found else None


# Loading


def narrow(
    role: str, features: list[Feature], records: Sequence[RawRecord], settings: Settings
) -> tuple[list[Feature], list[Rejection]]:
    """A batch of a gazetteer's features written for lookup, and those outside the app's areas turned into rejections.

    Each kept feature's area fields name the area it lies in (a gazetteer may
    cover several); one that names [place] (a region of several areas, say)
    is inside too, in the area ingest gave it. ``records`` are the batch's
    rows as read, for the rejects file.
    """
    areas = settings.all_areas
    place = Area(code=settings.place.code, name=settings.place.name)
    inside = [*areas, *([place] if place not in areas else [])]
    raw = {record.number: record.values for record in records}
    kept: list[Feature] = []
    rejected: list[Rejection] = []
    for feature in features:
        reason, area = (_postcode if role == POSTCODES else _place)(feature.properties, inside)
        if reason is not None:
            rejected.append(Rejection(feature.row, raw.get(feature.row, feature.properties), [reason]))
            continue
        if area is not None and area in areas:  # in the region as a whole: the source's area, as ingest gave it
            feature.properties[AREA_CODE], feature.properties[AREA_NAME] = area.code, area.name
        kept.append(feature)
    return kept, rejected


def _postcode(properties: dict[str, Any], areas: Sequence[Area]) -> tuple[str | None, Area | None]:
    """Why a postcode row is not loaded (or None), and the area it lies in; its parts are filled in."""
    postcode = full_postcode(str(properties.get("postcode") or ""))
    if postcode is None:
        return f"postcode: {shown(properties.get('postcode'))} is not a whole UK postcode, such as M33 7ZR", None
    properties["postcode"], properties["outward"] = postcode.text, postcode.outward
    properties["sector"] = f"{postcode.outward} {postcode.sector}"
    code = properties.get("local_authority")
    if not code:
        return None, None
    area = next((area for area in areas if area.code == code), None)
    if area is None:
        return (
            f"local_authority: {code} is not one of the app's areas ({', '.join(a.code for a in areas)}), "
            "so the postcode is outside them",
            None,
        )
    return None, area


def _place(properties: dict[str, Any], areas: Sequence[Area]) -> tuple[str | None, Area | None]:
    """Why a place row is not loaded (or None), and the area it lies in, by its district's or county's name."""
    for name, words in (("name1", "name_words"), ("name2", "name2_words")):
        properties[words] = _folded(str(properties[name])) or None if properties.get(name) else None
    named = [str(properties[key]) for key in ("district_borough", "county_unitary") if properties.get(key)]
    if not named:
        return None, None
    wanted = {_folded(area.name): area for area in areas}
    area = next((wanted[_folded(name)] for name in named if _folded(name) in wanted), None)
    if area is None:
        return (
            f"district_borough, county_unitary: {' and '.join(map(shown, named))} is not one of the app's areas "
            f"({', '.join(area.name for area in areas)}), so the place is outside them",
            None,
        )
    return None, area


def _folded(name: str) -> str:
    """A name as places are matched with areas: its words alone, case folded (City of York as city of york)."""
    return " ".join(search_words(name))


# Looking up


class NoGazetteer(ClientError):
    """A postcode or a place name that the app has no gazetteer to look up: a 400 naming ``near``.

    The message tells whoever calls the API how a project loads one; ``resident``
    says the same to a person on the home page, without the settings.
    """

    def __init__(self, message: str, resident: str) -> None:
        super().__init__(400, "InvalidParameterValue", f"near: {message}", parameter="near")
        self.resident = resident


@dataclass(frozen=True)
class Located:
    """Where a postcode or a place name is, and what the answer calls it."""

    lon: float
    lat: float
    name: str  # "M33 7ZR", "the M33 postcode district", "Sale, Trafford"
    kind: str  # postcode, sector, outward or place
    text: str  # as it was typed

    def as_json(self) -> dict[str, Any]:
        """The ``near`` member of an items response: which place was used, and where."""
        return {"text": self.text, "name": self.name, "kind": self.kind, "coordinates": [self.lon, self.lat]}


def gazetteers(loads: Sequence[Provenance], role: str) -> list[str]:
    """The collections of the gazetteers of one role that have a load serving."""
    return [provenance.collection for provenance in loads if provenance.theme == role]


def looks_like_a_point(text: str) -> bool:
    """Whether ``near`` was given as numbers (a point), not a postcode or a place: it starts with a digit or a sign."""
    return re.match(r"\s*[-+.0-9]", text) is not None


def locate(store: Store, loads: Sequence[Provenance], text: str, place: str) -> Located:
    """Where a postcode, sector, outward code or place name is; a 400 naming ``near`` and the fix when unknown.

    ``loads`` are the store's loads (the gazetteers among them answer);
    ``place`` is the area the app covers, as its messages name it.
    """
    typed = " ".join(text.split())
    if len(typed) > LONGEST_NEAR or not typed.isprintable():
        raise bad_parameter(
            "near", f"{shown(text)} is not a postcode or a place name: give one of at most {LONGEST_NEAR} characters"
        )
    postcodes, places = gazetteers(loads, POSTCODES), gazetteers(loads, PLACES)
    if not postcodes and not places:
        raise NoGazetteer(
            f"{shown(text)} is not a point, and this app has no gazetteer to look up postcodes or place names "
            '(a source with role = "postcodes" or "places" in place.toml). Give a point as lon,lat, '
            "such as -2.3,53.45",
            "This site cannot look up postcodes or place names yet. Give a point as latitude, longitude, "
            'such as 53.45, -2.3, or use "Use my location"',
        )
    postcode = read_postcode(typed)
    if postcode is not None:
        if not postcodes:
            raise NoGazetteer(
                f"{shown(text)} looks like a postcode, but this app has no postcode gazetteer (a source with "
                f'role = "postcodes" in place.toml) to look it up. Give the name of a place in {place} instead',
                f"This site cannot look up postcodes yet. Give the name of a town or village in {place} instead",
            )
        return _postcode_point(store, postcodes, postcode, typed, place)
    if not places:
        raise NoGazetteer(
            f"{shown(text)} is not a postcode, and this app has no gazetteer of place names (a source with "
            f'role = "places" in place.toml) to look it up. Give a postcode in {place}, such as its first part',
            f"This site cannot look up place names yet, and {shown(text)} is not a postcode. Give a postcode in "
            f"{place} instead",
        )
    return _place_point(store, places, typed, place)


def _matching(store: Store, collection: str, field: str, value: str, most: int) -> list[Feature]:
    """Up to ``most`` features whose ``field`` is ``value``: found by the word index, else by a filter alone."""
    filters = {field: value}
    found = store.search(collection, search_words(value), limit=most, filters=filters, most=most)
    if found is not None:
        return [feature for feature, _ in found.page]
    return store.features(collection, limit=most, filters=filters)


def _postcode_point(store: Store, collections: list[str], postcode: Postcode, typed: str, place: str) -> Located:
    """A postcode's position, or the middle of its sector's or outward code's postcodes."""
    most = 1 if postcode.kind == "postcode" else MOST_POSTCODES
    for collection in collections:
        found = [
            feature
            for feature in _matching(store, collection, postcode.field, postcode.text, most)
            if feature.lon is not None and feature.lat is not None
        ]
        if found:
            lon = sum(feature.lon for feature in found if feature.lon is not None) / len(found)
            lat = sum(feature.lat for feature in found if feature.lat is not None) / len(found)
            name = {
                "postcode": postcode.text,
                "sector": f"the {postcode.text} postcode sector",
                "outward": f"the {postcode.text} postcode district",
            }[postcode.kind]
            return Located(round(lon, 7), round(lat, 7), name, postcode.kind, typed)
    known_outward = postcode.kind != "outward" and any(
        _matching(store, collection, "outward", postcode.outward, 1) for collection in collections
    )
    if known_outward:
        what = "postcode" if postcode.kind == "postcode" else "postcode sector"
        raise bad_parameter(
            "near",
            f"we could not find the {what} {postcode.text}. Check it, or give its first part only, "
            f"such as {postcode.outward}, or the name of a place",
        )
    raise bad_parameter(
        "near",
        f"{postcode.text} is not a postcode in {place}: this service covers {place} only. "
        f"Check the postcode, or give a postcode or the name of a place in {place}",
    )


def _place_point(store: Store, collections: list[str], typed: str, place: str) -> Located:
    """The best place of that name: a whole name before a name it begins, a populated place before others.

    The whole name is one exact match on the name's words (stored at load),
    so it is found however many names begin with it; names that begin with
    the words are the first :data:`MOST_CANDIDATES` the word search finds.
    """
    words = search_words(typed)[:MOST_NAME_WORDS]
    if not words:
        raise bad_parameter("near", f"{shown(typed)} has no letters or digits: give a postcode or a place name")
    candidates = _candidates(store, collections, words, exact=True) or _candidates(store, collections, words)
    if not candidates:
        raise bad_parameter(
            "near",
            f"we could not find a place called {shown(typed)} in {place}. Check its spelling, or give a postcode",
        )
    best = min(candidates, key=lambda candidate: candidate[0])[1]
    return Located(best.lon or 0.0, best.lat or 0.0, place_name(best.properties), "place", typed)  # both kept set


def _candidates(
    store: Store, collections: list[str], words: list[str], exact: bool = False
) -> list[tuple[tuple[int, int, int, int], Feature]]:
    """Places whose name is the words (``exact``) or begins with them, each with its rank (lowest best)."""
    found: list[tuple[tuple[int, int, int, int], Feature]] = []
    asked = [{"name_words": " ".join(words)}, {"name2_words": " ".join(words)}] if exact else [None]
    for order, collection in enumerate(collections):
        for filters in asked:
            page = store.search(collection, words, limit=MOST_CANDIDATES, filters=filters, most=MOST_CANDIDATES)
            features = [feature for feature, _ in page.page] if page is not None else []
            for position, feature in enumerate(features):
                rank = _rank(feature.properties, words)
                if rank is not None and feature.lon is not None and feature.lat is not None:
                    found.append(((*rank, order, position), feature))
    return found


def _rank(properties: Mapping[str, Any], words: Sequence[str]) -> tuple[int, int] | None:
    """How well a name matches the words: (0 whole name, 1 name begins with them; then its size), else None."""
    names = [search_words(str(properties[key])) for key in ("name1", "name2") if properties.get(key)]
    if any(name == list(words) for name in names):
        match = 0
    elif any(name[: len(words) - 1] == list(words[:-1]) and _begins(name, words) for name in names):
        match = 1
    else:
        return None  # the words are in its district or county, not its name
    kind = str(properties.get("local_type") or "").casefold()
    populated = str(properties.get("type") or "").casefold() == "populatedplace" or kind in SETTLEMENTS
    size = SETTLEMENTS.index(kind) if kind in SETTLEMENTS else len(SETTLEMENTS)
    return match, size if populated else len(SETTLEMENTS) + 1


def _begins(name: Sequence[str], words: Sequence[str]) -> bool:
    """Whether a name's words begin with the words typed, the last of them perhaps cut short (Altrin for Altrincham)."""
    if len(name) < len(words):
        return False
    return name[len(words) - 1].startswith(words[-1])


def place_name(properties: Mapping[str, Any]) -> str:
    """A place as the answer names it: its name and its district (or county), such as Sale, Trafford."""
    name = str(properties.get("name1") or "")
    within = properties.get("district_borough") or properties.get("county_unitary")
    return f"{name}, {within}" if within and _folded(str(within)) != _folded(name) else name
