"""The app's settings: place.toml, overridden by a .env file and the environment.

Every place-specific value lives in place.toml, so moving the app to another
area means editing that file, never the code. Settings are loaded on demand
by :func:`load_settings`, never at import time, so tests and commands can
point the app at another place.toml.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from . import adapters, brand, language
from .deadline import DEFAULT_REQUEST_SECONDS
from .errors import ConfigError
from .schemas import GAZETTEER_ROLES, gazetteer_schema, load_schema, themes, validating

CONFIG_FILE = "place.toml"
ID_FIELD = "id"  # in [sources.fields], the source column that holds each record's identifier
CONFIG_ENV = "PLACE_TOML"
ENV_PREFIX = "APP_"
ENV_NESTED_DELIMITER = "__"
DATABASE_URL_ENV = "DATABASE_URL"
MOST_THREADS = 64  # [server] threads: requests at once in one process, past which they only queue for Python's lock

# The United Kingdom, with a margin, in WGS84 degrees.
UK_LATITUDE = (49.8, 60.9)
UK_LONGITUDE = (-8.7, 1.8)


def _matching(pattern: str, means: str, example: str):
    """A validator that accepts only strings matching ``pattern`` in full."""

    def check(value: str) -> str:
        if not re.fullmatch(pattern, value):
            raise ValueError(f"expected {means}, for example {example}")
        return value

    return AfterValidator(check)


def _within(bounds: tuple[float, float], axis: str):
    def check(value: float) -> float:
        if not bounds[0] <= value <= bounds[1]:
            raise ValueError(f"expected a {axis} inside the United Kingdom, between {bounds[0]} and {bounds[1]}")
        return value

    return AfterValidator(check)


GSS_PATTERN = r"[ENSWK][0-9]{8}"  # an ONS GSS code: the one pattern every check of one uses
GssCode = Annotated[
    str,
    _matching(
        GSS_PATTERN,
        "an ONS GSS code: E, W, S, N or K then 8 digits",
        "a code starting E06 (unitary authority), E07 (district) or W06 (Welsh principal area)",
    ),
]
Email = Annotated[str, _matching(r"[^@\s]+@[^@\s]+\.[^@\s]+", "an e-mail address", "opendata@example.org")]
WebAddress = Annotated[str, _matching(r"https?://[^\s/]+(/\S*)?", "a web address", "https://www.example.gov.uk")]
Latitude = Annotated[float, _within(UK_LATITUDE, "latitude")]
Longitude = Annotated[float, _within(UK_LONGITUDE, "longitude")]
NonEmpty = Annotated[str, Field(min_length=1)]
# A host name or an IP address, perhaps with Leaflet's {s} (the tile server's subdomains) in its first label.
TILE_HOST = re.compile(r"(?:[a-z0-9-]*\{s\}[a-z0-9-]*\.)?(?:[a-z0-9-]+\.)*[a-z0-9-]+|\[[0-9a-f:.]+\]", re.IGNORECASE)
# A path on a web server: segments of letters, digits and the characters URLs allow unescaped, each ending in /.
HOST_NAME = re.compile(
    r"(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
)
BASE_PATH = re.compile(r"/(?:[A-Za-z0-9._~!$&'()*+,;=:@-]+/)*")


def tile_source(url: str) -> str:
    """Where a tile URL template's images come from, as a Content-Security-Policy source: scheme://host[:port].

    Leaflet fills ``{s}`` with one of the tile server's subdomains, so a
    first label holding it becomes CSP's wildcard label: the source of
    ``https://{s}.tile.example.org/{z}/{x}/{y}.png`` is
    ``https://*.tile.example.org``. Raises ValueError for a template that
    is not an http or https address with a host (a relative path, another
    scheme, a placeholder elsewhere in the host, a user name), so that no
    value can reach the policy that it could widen or break.
    """
    expected = "an http:// or https:// address of tiles with {z}, {x} and {y}, such as "
    example = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValueError(expected + example) from None
    host = parts.netloc.rsplit(":", 1)[0] if port is not None else parts.netloc
    first, _, rest = host.lower().partition(".")
    if (
        parts.scheme.lower() not in {"http", "https"}
        or not TILE_HOST.fullmatch(host)
        or ("{s}" in first and "." not in rest)  # *.org would allow every .org site
    ):
        raise ValueError(
            expected + example + "; its host may hold {s} in its first part (a subdomain) and nothing else in braces"
        )
    if "{s}" in first:
        host = "*." + rest
    return f"{parts.scheme.lower()}://{host.lower()}" + (f":{port}" if port is not None else "")


def _tile_url(value: str) -> str:
    tile_source(value)
    return value


def _base_path(value: str) -> str:
    """A path that starts with / and ends with one (added if missing); // and an empty value mean the top."""
    path = re.sub("/{2,}", "/", "/" + value.strip() + "/")
    if "://" in value or not BASE_PATH.fullmatch(path) or any(part in {".", ".."} for part in path.split("/")):
        raise ValueError("expected the path the site is published under, such as /toilets/ (or / for the top)")
    return path


TileUrl = Annotated[str, Field(min_length=1), AfterValidator(_tile_url)]
BasePath = Annotated[str, AfterValidator(_base_path)]


def _known_theme(value: str) -> str:
    known = themes()
    if value not in known:
        raise ValueError(
            f"expected a dataset theme with a schema in the engine or in the project's themes/ folder: "
            f"one of {', '.join(known)}"
        )
    return value


Theme = Annotated[str, AfterValidator(_known_theme)]

SourceName = Annotated[
    str,
    _matching(
        r"[a-z][a-z0-9_-]{0,62}",
        "a collection id for web addresses: lower-case letters, digits, - and _, starting with a letter",
        "toilets",
    ),
]

WGS84 = "EPSG:4326"
BRITISH_NATIONAL_GRID = "EPSG:27700"
# Names people use for the two coordinate systems of UK open data (OSGB36 meaning the British National Grid).
CRS_NAMES = {"WGS84": WGS84, "OSGB36": BRITISH_NATIONAL_GRID, "BNG": BRITISH_NATIONAL_GRID}


def crs_code(text: str) -> str | None:
    """The EPSG code that a coordinate system's name or code means, in any case: WGS84, OSGB36, BNG or EPSG:n.

    None when the text is neither. Both a source's ``crs`` setting and the
    values of a schema's coordinate system column are read with it.
    """
    value = text.strip().upper()
    value = CRS_NAMES.get(value, value)
    return value if re.fullmatch(r"EPSG:[0-9]{4,6}", value) else None


def _crs_name(value: str) -> str:
    code = crs_code(value)
    if code is None:
        raise ValueError("expected WGS84, OSGB36 or an EPSG code such as EPSG:27700")
    return code


def _adapter_name(value: str) -> str:
    known = adapters.adapters()
    if value not in known:
        raise ValueError(f"expected an adapter name: one of {', '.join(sorted(known))}")
    return value


Crs = Annotated[str, AfterValidator(_crs_name)]
AdapterName = Annotated[str, AfterValidator(_adapter_name)]


class Section(BaseModel):
    """A table of place.toml: unknown keys are mistakes, so they are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _languages(value: tuple[str, ...]) -> tuple[str, ...]:
    offered = language.codes()
    unknown = [code for code in value if code not in offered]
    if unknown:
        raise ValueError(
            f"{', '.join(map(repr, unknown))} is not a language the engine has pages in: use codes from "
            f'{", ".join(offered)}, such as languages = ["en", "cy"] (docs/pages.md, Languages)'
        )
    if not value or value[0] != language.ENGLISH:
        example = ", ".join(f'"{code}"' for code in dict.fromkeys((language.ENGLISH, *value)))
        raise ValueError(
            'the first language is English, at the current addresses: start the list with "en", such as '
            f"languages = [{example}]"
        )
    if len(set(value)) != len(value):
        raise ValueError("a language is listed twice: list each once")
    return value


Languages = Annotated[tuple[str, ...], AfterValidator(_languages)]


class Place(Section):
    """The area the app covers: with several [[areas]], the whole region they make up."""

    name: NonEmpty
    code: GssCode
    # The languages of the pages, English first at the current addresses, each other under /<code>/.
    languages: Languages = (language.ENGLISH,)


class Area(Section):
    """One [[areas]] entry: an area whose data the app serves beside the others'."""

    code: GssCode
    name: NonEmpty


class Organisation(Section):
    """Who runs the app and publishes its data."""

    name: NonEmpty
    url: WebAddress
    contact_email: Email
    report_url: WebAddress | None = None  # a form for reporting a problem with a place, beside the e-mail


class MapView(Section):
    """Where the map opens and which tiles it draws."""

    centre: tuple[Latitude, Longitude]
    zoom: int = Field(default=12, ge=1, le=19)
    tile_url: TileUrl = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    tile_attribution: NonEmpty = "&copy; OpenStreetMap contributors"

    @property
    def tile_source(self) -> str:
        """Where the tiles come from, as the pages' Content-Security-Policy allows images from it."""
        return tile_source(self.tile_url)


class Export(Section):
    """How the static export is published."""

    base_path: BasePath | None = None
    # The exported site's own address, for sitemap.xml and the about page's links: an export has no request to ask.
    public_url: WebAddress | None = None
    # List pages written per collection: past them, the data files and each record's own page reach every record.
    list_pages: Annotated[int, Field(ge=1, le=1_000_000)] = 500


def _host_name(value: str) -> str:
    if not HOST_NAME.fullmatch(value):
        raise ValueError("expected a host name such as toilets.example.gov.uk, without a scheme, port or path")
    return value.lower()


HostName = Annotated[str, AfterValidator(_host_name)]


class Server(Section):
    """How the live app is reached: the public address its links start with, and the host names it answers to.

    Links in the API are absolute, so they must not come from a request's Host
    header, which any client can set. With ``public_url`` every link starts
    with it; without it the app answers only for the loopback names and ``hosts``.
    """

    public_url: WebAddress | None = None
    hosts: tuple[HostName, ...] = ()
    # How long one request may work before it is stopped with a 503 (see deadline.py).
    request_seconds: Annotated[float, Field(gt=0, le=600)] = DEFAULT_REQUEST_SECONDS
    # How many requests work at once in each app process; unset, the store's own number (web/workers.py).
    threads: Annotated[int, Field(ge=1, le=MOST_THREADS)] | None = None


class Service(Section):
    """The service as the public sees it: whether it is published yet.

    Until it is, ``check`` warns about what still has to change before it can
    be (placeholder addresses, the sample data); once it is, they fail it.
    """

    published: bool = False


class Accessibility(Section):
    """What the accessibility statement says (web/public_pages.py), in the model format the 2018 regulations ask for.

    The defaults describe the site as the engine ships it: tested by machine
    on every build, with the map's known limits, so "partially" compliant
    until a team has tested it by hand and says so here.
    """

    status: Literal["fully", "partially", "not"] = "partially"
    prepared: date | None = None  # when the statement was first prepared
    reviewed: date | None = None  # when it was last reviewed
    tested: date | None = None  # when the team last tested the site itself
    manual_testing: NonEmpty | None = None  # how the team tested by hand: who, with which tools
    known_issues: tuple[NonEmpty, ...] = ()  # problems beyond the map's, each a sentence
    contact_email: Email | None = None  # where to report a problem; the organisation's contact_email without it
    reply_days: int = Field(default=5, ge=1, le=90)  # working days to answer a report

    @model_validator(mode="after")
    def _check_dates(self) -> Accessibility:
        if self.prepared and self.reviewed and self.reviewed < self.prepared:
            raise ValueError(
                f"reviewed ({self.reviewed}) is before prepared ({self.prepared}): a statement is reviewed after it "
                "is first prepared, so set reviewed to the later date"
            )
        return self


IcoRegistration = Annotated[
    str, _matching(r"Z[A-Z0-9]{7}", "an ICO registration number: Z and 7 letters or digits", "Z1234567")
]


class Privacy(Section):
    """What the privacy notice says (web/public_pages.py): who controls the data, and how long logs are kept."""

    controller: NonEmpty | None = None  # the data controller; the organisation without it
    contact_email: Email | None = None  # the data protection officer; the organisation's contact_email without it
    log_days: int = Field(default=30, ge=0, le=3650)  # how long the server's logs of requests are kept
    policy_url: WebAddress | None = None  # the organisation's own, fuller privacy notice
    ico_registration: IcoRegistration | None = None


def _brand_colour(value: str) -> str:
    """A ``#rrggbb`` colour, in lower case, that white text can be read on (brand.py)."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError("expected a colour written # and six hexadecimal digits, such as #1d4f91")
    problem = brand.colour_problem(value.lower())
    if problem:
        raise ValueError(problem)
    return value.lower()


def _logo_path(value: str) -> str:
    problem = brand.logo_path_problem(value)
    if problem:
        raise ValueError(problem)
    return value


BrandColour = Annotated[str, AfterValidator(_brand_colour)]
LogoPath = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_logo_path)]


class Brand(Section):
    """The organisation's look on every page (brand.py): its colour on the header band, its logo in the header.

    Both are optional: without them the pages keep the engine's own look. The
    logo's text alternative is the organisation's name.
    """

    colour: BrandColour | None = None  # white text on it must reach WCAG 2.2 AA, 4.5:1
    logo: LogoPath | None = None  # an SVG or PNG file of the project, relative to place.toml

    @property
    def logo_file(self) -> str | None:
        """The logo's name among the static files the pages link (brand-logo.svg), when there is a logo."""
        return brand.logo_file(self.logo)


class Dataset(Section):
    """What kind of data the app serves, and under which licence."""

    theme: Theme
    licence: NonEmpty


class Source(BaseModel):
    """One [[sources]] entry: where a collection's data comes from and how its columns map.

    Keys beyond these are options of the source's adapter (a CKAN resource id,
    say); the adapter checks them, so a misspelt option is refused here too.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    name: SourceName
    adapter: AdapterName
    location: NonEmpty
    crs: Crs | None = None
    fields: dict[NonEmpty, NonEmpty] = Field(default_factory=dict)
    licence: NonEmpty | None = None
    attribution: NonEmpty | None = None
    area: GssCode | None = None  # the GSS code of the area the data covers: one of [[areas]]
    # Or the source's column holding each record's area, a GSS code of [[areas]]: one source for many areas.
    area_column: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    # A gazetteer, not a collection: postcodes or place names that near= looks up (see gazetteer.py).
    role: Literal["postcodes", "places"] | None = None

    @property
    def options(self) -> dict[str, Any]:
        """The adapter-specific keys of this entry."""
        return dict(self.model_extra or {})

    @model_validator(mode="after")
    def _check_options(self) -> Source:
        adapters.options_for(self.adapter, self.options)
        return self


class AppDotEnvSource(DotEnvSettingsSource):
    """A .env source that leaves alone variables meant for other programs.

    A .env file is often shared (with docker compose, say), so only variables
    with the app's prefix, and DATABASE_URL, are read; a misspelt APP_ variable
    is still refused as an unknown setting.
    """

    def __call__(self) -> dict[str, Any]:
        return {key: value for key, value in super().__call__().items() if _is_ours(key)}


def _is_ours(key: str) -> bool:
    return _names_a_setting(key) or key.upper().startswith(ENV_PREFIX)


def _names_a_setting(key: str) -> bool:
    """Whether a key, as a settings source reports it, belongs to a known setting."""
    return key.split(".")[0] in Settings.model_fields or key.upper() == DATABASE_URL_ENV


class Settings(BaseSettings):
    """Everything the app is told about its place, its data and its store."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_NESTED_DELIMITER,
        extra="forbid",
        frozen=True,
    )

    place: Place
    organisation: Organisation
    map: MapView
    dataset: Dataset
    areas: tuple[Area, ...] = ()
    sources: tuple[Source, ...] = ()
    export: Export = Export()
    server: Server = Server()
    service: Service = Service()
    accessibility: Accessibility = Accessibility()
    privacy: Privacy = Privacy()
    brand: Brand = Brand()
    database_url: NonEmpty = Field(
        default="sqlite:///data/app.db",
        validation_alias=AliasChoices(DATABASE_URL_ENV, "database_url"),
    )

    @property
    def all_areas(self) -> tuple[Area, ...]:
        """The areas the app serves: the [[areas]] entries, or without them the one [place]."""
        return self.areas or (Area(code=self.place.code, name=self.place.name),)

    @property
    def whole_place(self) -> Area:
        """The [place] as an area: what a source covering several areas, each row its own (area_column), covers."""
        return Area(code=self.place.code, name=self.place.name)

    def area_of(self, source: Source) -> Area:
        """The area a source's data covers: the one it names, the whole place for an area_column, or the only one."""
        if source.area_column is not None:
            return self.whole_place
        return next((area for area in self.all_areas if area.code == source.area), self.all_areas[0])

    @model_validator(mode="after")
    def _check_areas(self) -> Settings:
        """Area codes are unique, and each source names one of them (which it may leave out if there is one)."""
        codes = [area.code for area in self.all_areas]
        for code in codes:
            if codes.count(code) > 1:
                raise ValueError(f"two [[areas]] have the code {code!r}: each area needs its own code")
        allowed = ", ".join(codes)
        for source in self.sources:
            if source.area_column is not None and source.area is not None:
                raise ValueError(
                    f"source {source.name!r} has both area = {source.area!r} and area_column = "
                    f"{source.area_column!r}: keep area for a source that covers one area, or area_column for one "
                    "whose rows each name their own, not both"
                )
            if source.area_column is not None and source.role is not None:
                raise ValueError(
                    f"source {source.name!r} is a gazetteer (role = {source.role!r}), which finds each row's area "
                    "itself: remove its area_column"
                )
            if (
                source.area is None and source.area_column is None and len(codes) > 1 and source.role is None
            ):  # a gazetteer may cover every area
                raise ValueError(
                    f"source {source.name!r} has no area, and with several [[areas]] each source needs one: "
                    f'add area = "<code>" to it, one of {allowed}, or area_column = "<column>" naming the column '
                    "that holds each row's area code"
                )
            if source.area is not None and source.area not in codes:
                where = "the codes of [[areas]]" if self.areas else "the code of [place] (there are no [[areas]])"
                raise ValueError(
                    f"source {source.name!r} has area = {source.area!r}, which is not one of {where}: {allowed}"
                )
        return self

    @model_validator(mode="after")
    def _check_sources(self) -> Settings:
        """Source names are unique, and field mappings name fields of the theme's schema."""
        seen: set[str] = set()
        theme_fields = {field["name"] for field in load_schema(self.dataset.theme)["fields"]} | {ID_FIELD}
        for source in self.sources:
            if source.name in seen:
                raise ValueError(f"two sources are named {source.name!r}: each needs its own name")
            seen.add(source.name)
            fields, schema = theme_fields, f"the {self.dataset.theme} schema"
            if source.role is not None:
                fields = {field["name"] for field in gazetteer_schema(source.role)["fields"]} | {ID_FIELD}
                schema = f"the {source.role} gazetteer's schema ({', '.join(sorted(fields - {ID_FIELD}))})"
            unknown = sorted(set(source.fields) - fields)
            if unknown:
                raise ValueError(
                    f"source {source.name!r} maps {', '.join(unknown)}, which {schema} "
                    f"does not have. The left side of [sources.fields] is a schema field (or id); "
                    f"see docs/data-sources.md"
                )
        return self

    @property
    def collection_sources(self) -> tuple[Source, ...]:
        """The sources that become collections of the dataset: all but the gazetteers."""
        return tuple(source for source in self.sources if source.role is None)

    def source(self, name: str) -> Source:
        """The source with this name; ConfigError listing the names if there is none."""
        for source in self.sources:
            if source.name == name:
                return source
        names = ", ".join(source.name for source in self.sources) or "none are configured"
        raise ConfigError(f"No source is named {name!r} in place.toml. The sources are: {names}.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # place.toml arrives as init values; the environment and .env override it.
        env_file = dotenv_settings.env_file if isinstance(dotenv_settings, DotEnvSettingsSource) else None
        app_dotenv = AppDotEnvSource(settings_cls, env_file=env_file)
        return env_settings, app_dotenv, init_settings


@dataclass(frozen=True)
class LoadedSettings:
    """Settings together with the file they were read from and each value's source."""

    settings: Settings
    config_path: Path
    origins: dict[str, str]

    @property
    def project_dir(self) -> Path:
        """The folder holding place.toml: relative paths in settings start here."""
        return self.config_path.parent

    def schema(self) -> dict[str, Any]:
        """The Table Schema of the dataset's theme: the engine's, or the project's own in themes/."""
        return load_schema(self.settings.dataset.theme, self.project_dir)

    def schema_of(self, source: Source) -> dict[str, Any]:
        """The Table Schema a source's rows are read with: its gazetteer's, or the dataset's theme."""
        return gazetteer_schema(source.role) if source.role in GAZETTEER_ROLES else self.schema()


def find_config(path: str | Path | None = None) -> Path:
    """The place.toml to use: the one given, else $PLACE_TOML, else ./place.toml."""
    chosen = path or os.environ.get(CONFIG_ENV) or CONFIG_FILE
    return Path(chosen).expanduser().resolve()


def load_settings(path: str | Path | None = None) -> LoadedSettings:
    """Read place.toml, apply .env and environment overrides, and validate the result."""
    config_path = find_config(path)
    if not config_path.is_file():
        raise ConfigError(
            f"No configuration file at {config_path}. Run the command from the project folder, "
            f"pass --config PATH, or set {CONFIG_ENV} to the path of your place.toml."
        )
    try:
        return _load(config_path)
    except RecursionError as error:
        # Arrays, inline tables or dotted keys nested thousands deep exhaust the stack of the recursive TOML
        # parser, or of the code that walks what it read.
        raise ConfigError(
            f"{config_path} nests arrays or tables too deeply to be read, where its settings need a few levels at "
            "most. Look for a long run of [ or { brackets, or of dotted keys (a.b.c...), and remove it."
        ) from error


def _load(config_path: Path) -> LoadedSettings:
    """Parse place.toml, apply .env and the environment over it, and validate the result."""
    try:
        from_file = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{config_path} is not valid TOML: {error}. Fix the line it names.") from error

    env_file = config_path.parent / ".env"
    origins = _origins(from_file, env_file)
    try:
        with validating(config_path.parent):
            settings = Settings(_env_file=env_file, **from_file)
    except ValidationError as error:
        raise ConfigError(_explain(error, config_path, origins)) from error
    _check_logo(settings, config_path, origins)
    return LoadedSettings(settings, config_path, origins)


def _check_logo(settings: Settings, config_path: Path, origins: dict[str, str]) -> None:
    """Refuse a logo that is missing, too big, not an image, or outside the project: only the file says."""
    logo = settings.brand.logo
    if logo is None:
        return
    try:
        brand.read_logo(logo, config_path.parent)
    except (ValueError, OSError) as error:
        raise ConfigError(
            f"The settings in {config_path} are not valid:\n"
            f"- brand.logo (in {_origin_of('brand.logo', origins)}): {logo!r} is not valid: {error}."
        ) from error


def _origins(from_file: dict[str, Any], env_file: Path) -> dict[str, str]:
    """Where each setting given outside the code came from, by dotted key."""
    origins = {key: CONFIG_FILE for key in _flatten(from_file)}
    for key in _flatten(AppDotEnvSource(Settings, env_file=env_file)()):
        origins[_key(key)] = f".env ({_variable(key)})"
    for key in _flatten(EnvSettingsSource(Settings)()):
        origins[_key(key)] = f"environment ({_variable(key)})"
    return origins


def _key(key: str) -> str:
    """The dotted settings key for a key as a source reports it."""
    return "database_url" if key.upper() == DATABASE_URL_ENV else key


def _variable(key: str) -> str:
    """The variable name behind a key a source reports: a setting's, or an unknown one as written."""
    if _names_a_setting(key):
        return env_var(_key(key))
    return key.upper()


def env_var(key: str) -> str:
    """The environment variable that overrides a dotted settings key."""
    if key == "database_url":
        return DATABASE_URL_ENV
    parts = key.split(".")
    for index, part in enumerate(parts):
        if part.isdigit():  # an entry of an array such as sources is set as a whole, in JSON
            parts = parts[:index]
            break
    return ENV_PREFIX + ENV_NESTED_DELIMITER.join(parts).upper()


def _flatten(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in values.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{dotted}."))
        elif isinstance(value, list | tuple) and value and all(isinstance(item, dict) for item in value):
            flat.update(_flatten({str(index): item for index, item in enumerate(value)}, f"{dotted}."))
        else:
            flat[dotted] = value
    return flat


def _explain(error: ValidationError, config_path: Path, origins: dict[str, str]) -> str:
    """One line per problem, naming the key, where it was set, the value and the fix."""
    lines = [f"The settings in {config_path} are not valid:"]
    for problem in error.errors(include_url=False):
        key = _key(".".join(str(part) for part in problem["loc"]))
        where = _origin_of(key, origins)
        if problem["type"] == "missing":
            lines.append(f"- {key}: missing. Add it to {CONFIG_FILE} (see docs/configuration.md).")
        elif problem["type"] == "extra_forbidden":
            lines.append(f"- {key} (in {where}): not a known setting. Check its spelling in docs/configuration.md.")
        else:
            message = problem["msg"].removeprefix("Value error, ")
            value = problem["input"]
            shown = "" if isinstance(value, dict | list | tuple) else f"{value!r} is not valid: "
            lines.append(f"- {key or 'settings'} (in {where}): {shown}{message}.")
    return "\n".join(lines)


def _origin_of(key: str, origins: dict[str, str]) -> str:
    """Where a key, or the nearest table or list holding it, was set."""
    parts = key.split(".")
    for end in range(len(parts), 0, -1):
        origin = origins.get(".".join(parts[:end]))
        if origin:
            return origin
    return CONFIG_FILE


def effective_settings(loaded: LoadedSettings) -> list[tuple[str, Any, str]]:
    """Every setting as (dotted key, value, where it came from), in a stable order."""
    values = _flatten(loaded.settings.model_dump(mode="json"))
    return [(key, value, loaded.origins.get(key, "default")) for key, value in values.items()]
