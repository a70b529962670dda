"""The council's brand and the home page's heading: [brand] in place.toml, checked, served, exported.

A colour that white header text cannot be read on (WCAG 2.2 AA, 4.5:1) and a
logo outside the project are refused when the settings load and named by
``check`` with their line; a good colour reaches every page through a
stylesheet the security policy allows, in the live app (uvicorn on
127.0.0.1, each kind of store) and in the static export. The home page's
heading says what the service is for, from the theme's ``x-page`` singular,
in English and Welsh. test_accessibility_brand.py (in the template's tests)
runs axe-core over a branded app in Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Page, Served, get, running, serving, toilet_rows, write_project

from local_data_app import language
from local_data_app.checks import Project, run_checks
from local_data_app.config import load_settings
from local_data_app.contrast import contrast_ratio, darker_passing, shown
from local_data_app.errors import ConfigError
from local_data_app.export import export_site
from local_data_app.ingest import ingest
from local_data_app.schemas import load_schema, themes
from local_data_app.schemas.layout import layout, layout_problems
from local_data_app.web import create_app

COLOUR = "#8a1538"  # a council's deep red: white text on it is about 9:1
LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#fff"/></svg>'
PNG = bytes.fromhex(  # one transparent pixel
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def with_brand(config: Path, lines: str) -> Path:
    """Add a [brand] table of these lines to a written place.toml; returns it."""
    config.write_text(config.read_text(encoding="utf-8") + f"\n[brand]\n{lines}\n", encoding="utf-8")
    return config


def write_logo(folder: Path, name: str = "static/logo.svg", data: bytes = LOGO.encode()) -> str:
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return name


@pytest.fixture(scope="module")
def branded(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Served]:
    """The 23 toilets served with a brand colour and an SVG logo, on each kind of store."""
    folder = tmp_path_factory.mktemp("branded")
    write_logo(folder)
    with serving(
        folder, toilet_rows(), web_database_url, f'\n[brand]\ncolour = "{COLOUR}"\nlogo = "static/logo.svg"\n'
    ) as served:
        yield served


# Contrast


def test_contrast_is_wcag_relative_luminance() -> None:
    """The ratio is WCAG 2.2's: 21:1 for black on white, 1:1 for a colour on itself, rounded down when shown."""
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#1d70b8", "#1D70B8") == pytest.approx(1)
    assert shown(contrast_ratio("#767676", "#ffffff")) == "4.54:1"  # the lightest grey that passes on white
    assert shown(contrast_ratio("#777777", "#ffffff")) == "4.47:1"
    assert shown(4.4999) == "4.49:1"  # never shown as the passing 4.50
    fixed = darker_passing("#ff8800")
    assert contrast_ratio(fixed, "#ffffff") >= 4.5 > contrast_ratio("#ff8800", "#ffffff")


# Settings


def test_a_low_contrast_colour_is_refused_with_the_ratio_and_a_fix(place_toml: Path) -> None:
    """White text on #777777 is 4.47:1: refused naming the key, the ratio, the level and a darker colour that passes."""
    with pytest.raises(ConfigError) as refused:
        load_settings(with_brand(place_toml, 'colour = "#777777"'))
    message = str(refused.value)
    assert (
        "brand.colour (in place.toml): '#777777' is not valid: white text on #777777 has a contrast ratio of 4.47:1"
        in message
    )
    assert "below the 4.5:1 that WCAG 2.2 AA asks for text" in message
    suggested = re.search(r"such as (#[0-9a-f]{6})", message)
    assert suggested
    assert contrast_ratio(suggested.group(1), "#ffffff") >= 4.5


def test_the_colour_is_overridden_from_the_environment_and_checked_there_too(
    place_toml: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_BRAND__COLOUR", "#FFDD00")
    with pytest.raises(ConfigError, match=r"brand\.colour \(in environment \(APP_BRAND__COLOUR\)\).*1\.\d\d:1"):
        load_settings(place_toml)
    monkeypatch.setenv("APP_BRAND__COLOUR", "#0B0C0C")
    assert load_settings(place_toml).settings.brand.colour == "#0b0c0c"


@pytest.mark.parametrize("colour", ["red", "#abc", "#12345g", "1d70b8", "#1d70b8; background: url(x)"])
def test_a_colour_not_written_as_hex_is_refused(place_toml: Path, colour: str) -> None:
    with pytest.raises(ConfigError, match=r"brand\.colour .*# and six hexadecimal digits, such as #1d4f91"):
        load_settings(with_brand(place_toml, f'colour = "{colour}"'))


def test_no_brand_keeps_the_engines_look(place_toml: Path) -> None:
    brand = load_settings(place_toml).settings.brand
    assert (brand.colour, brand.logo, brand.logo_file) == (None, None, None)


@pytest.mark.parametrize(
    ("logo", "expected"),
    [
        ("../logo.svg", "expected a path inside the project"),
        ("/etc/logo.svg", "expected a path inside the project"),
        ("static/../../logo.svg", "expected a path inside the project"),
        ("C:/logo.svg", "expected a path inside the project"),
        ("static/logo.gif", "expected an SVG or PNG file"),
        ("static/missing.svg", "there is no file at static/missing.svg"),
    ],
)
def test_a_logo_outside_the_project_or_of_another_kind_is_refused(place_toml: Path, logo: str, expected: str) -> None:
    write_logo(place_toml.parent.parent, "logo.svg")  # beside the project: a real file, but not the project's
    with pytest.raises(ConfigError, match=rf"brand\.logo .*{re.escape(expected)}"):
        load_settings(with_brand(place_toml, f'logo = "{logo}"'))


def test_a_link_out_of_the_project_is_refused(place_toml: Path) -> None:
    outside = place_toml.parent.parent / "secret.svg"
    outside.write_text(LOGO, encoding="utf-8")
    (place_toml.parent / "static").mkdir()
    (place_toml.parent / "static" / "logo.svg").symlink_to(outside)
    with pytest.raises(ConfigError, match=r"brand\.logo .*outside the project"):
        load_settings(with_brand(place_toml, 'logo = "static/logo.svg"'))


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("static/logo.png", b"GIF89a" + bytes(20), "not a PNG image"),
        ("static/logo.svg", b"\xff\xfe<svg", "not an SVG image"),
        ("static/logo.svg", b"<svg>" + b" " * 100_000 + b"</svg>", "more than the 100,000"),
    ],
)
def test_a_logo_that_is_not_a_small_image_is_refused(place_toml: Path, name: str, data: bytes, expected: str) -> None:
    write_logo(place_toml.parent, name, data)
    with pytest.raises(ConfigError, match=rf"brand\.logo .*{re.escape(expected)}"):
        load_settings(with_brand(place_toml, f'logo = "{name}"'))


# The check


def test_check_names_the_colours_line_with_the_ratio(place_toml: Path) -> None:
    """`check` reads [brand] itself, so it names place.toml's line even though the settings cannot load."""
    with_brand(place_toml, 'logo = "static/logo.svg"\ncolour = "#949494"')
    write_logo(place_toml.parent)
    line = place_toml.read_text(encoding="utf-8").splitlines().index('colour = "#949494"') + 1
    (result,) = run_checks(Project.find(place_toml), only=["brand"]).results
    assert result.status == "failed"
    (finding,) = result.findings
    assert (finding.path, finding.line) == ("place.toml", line)
    assert "white text on #949494 has a contrast ratio of 3.03:1, below the 4.5:1" in finding.message


def test_check_names_a_logo_outside_the_project(place_toml: Path) -> None:
    with_brand(place_toml, 'logo = "../logo.svg"')
    (result,) = run_checks(Project.find(place_toml), only=["brand"]).results
    (finding,) = result.findings
    assert result.status == "failed"
    assert finding.line == len(place_toml.read_text(encoding="utf-8").splitlines())
    assert "[brand] logo = '../logo.svg': expected a path inside the project" in finding.message


def test_check_passes_a_good_brand_and_reports_its_ratio(place_toml: Path) -> None:
    write_logo(place_toml.parent, "static/logo.png", PNG)
    with_brand(place_toml, f'colour = "{COLOUR}"\nlogo = "static/logo.png"')
    (result,) = run_checks(Project.find(place_toml), only=["brand"]).results
    assert result.status == "passed", result.findings
    ratio = shown(contrast_ratio(COLOUR, "#ffffff"))
    assert result.details[0] == f"colour {COLOUR}: white text on it has a contrast ratio of {ratio}"
    assert result.details[1].startswith(f"logo static/logo.png: {len(PNG)} bytes")


# Served pages


def test_branded_pages_link_the_brand_stylesheet_and_show_the_logo(branded: Served) -> None:
    """Every page links brand.css (versioned) after app.css, and shows the logo with the organisation's name."""
    for path in ("/", "/about", "/accessibility", "/nowhere"):
        answer = get(branded.base + path)
        found = Page(answer.text)
        sheets = [link["href"] for link in found.find("link", rel="stylesheet")]
        assert re.fullmatch(r"/static/brand\.css\?v=[0-9a-f]{12}", sheets[-1]), sheets
        assert sheets[-2].startswith("/static/app.css?v=")
        (logo,) = found.find("img", alt="Testshire Council")
        assert re.fullmatch(r"/static/brand-logo\.svg\?v=[0-9a-f]{12}", logo["src"])
        assert " style=" not in answer.text  # nothing the policy's default-src 'self' would refuse
        assert "style-src" not in answer.headers["Content-Security-Policy"]  # no exception was needed


def test_the_brand_stylesheet_sets_the_colour_and_is_cached_by_version(branded: Served) -> None:
    found = Page(get(branded.base + "/").text)
    address = found.find("link", rel="stylesheet")[-1]["href"]
    answer = get(branded.base + address)
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/css; charset=utf-8"
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert f"--brand-colour: {COLOUR};" in answer.text
    unversioned = get(branded.base + "/static/brand.css")
    assert (unversioned.status, unversioned.headers["Cache-Control"]) == (200, "no-cache")
    assert get(branded.base + "/static/brand.css", method="POST").status == 405
    again = get(branded.base + "/static/brand.css", **{"If-None-Match": answer.headers["ETag"]})
    assert (again.status, again.body) == (304, b"")
    head = get(branded.base + address, method="HEAD")
    assert (head.status, head.body, head.headers["Content-Length"]) == (200, b"", str(len(answer.body)))
    logo = get(branded.base + "/static/brand-logo.svg")
    assert (logo.status, logo.headers["Content-Type"], logo.body) == (200, "image/svg+xml", LOGO.encode())
    assert "Content-Security-Policy" in logo.headers  # an SVG opened on its own runs no script either


def test_app_css_draws_the_header_from_the_brand_colour() -> None:
    """The header band and its edge read --brand-colour, with the engine's own colours when it is not set."""
    css = (Path(language.__file__).parent / "web" / "static" / "app.css").read_text(encoding="utf-8")
    header = re.search(r"\.site-header \{([^}]*)\}", css)
    assert header
    assert "background: var(--brand-colour, #0b0c0c);" in header.group(1)
    assert "border-bottom: 0.5rem solid var(--brand-colour, #1d70b8);" in header.group(1)


def test_without_a_brand_nothing_is_added(served: Served) -> None:
    found = Page(get(served.base + "/").text)
    assert not [link for link in found.find("link", rel="stylesheet") if "brand" in link["href"]]
    assert not found.find("p", class_="site-logo")
    assert get(served.base + "/static/brand.css").status == 404


# The export


def test_the_export_carries_the_brand(tmp_path: Path) -> None:
    """The exported pages link static/brand.css relative to themselves, and the files are there."""
    config = write_project(tmp_path / "project", toilet_rows()[:3])
    write_logo(config.parent, "static/logo.png", PNG)
    loaded = load_settings(with_brand(config, f'colour = "{COLOUR}"\nlogo = "static/logo.png"'))
    ingest(loaded)
    site = tmp_path / "site"
    export_site(loaded, site)
    assert f"--brand-colour: {COLOUR};" in (site / "static" / "brand.css").read_text(encoding="utf-8")
    assert (site / "static" / "brand-logo.png").read_bytes() == PNG
    home = Page((site / "index.html").read_text(encoding="utf-8"))
    assert home.find("link", rel="stylesheet", href="static/brand.css")
    assert home.find("img", src="static/brand-logo.png", alt="Testshire Council")
    feature = next((site / "features").rglob("*.html"))
    depth = len(feature.relative_to(site).parts) - 1
    assert Page(feature.read_text(encoding="utf-8")).find(
        "link", rel="stylesheet", href="../" * depth + "static/brand.css"
    )


# The heading


def test_the_home_page_says_what_it_is_for(served: Served) -> None:
    """The public toilets theme's heading and title: "Find a public toilet in Testshire"."""
    found = Page(get(served.base + "/").text)
    assert '<h1 class="govuk-heading-l">Find a public toilet in Testshire</h1>' in get(served.base + "/").text
    assert found.title == "Find a public toilet in Testshire"
    assert Page(get(served.base + "/?q=zzz").text).title == "Search results: Public toilets in Testshire"


def test_the_heading_comes_from_the_theme_alone(tmp_path: Path) -> None:
    """generic_points says "a place" in its x-page: its heading needs no code, in English and in Welsh."""
    rows = [{"Ref": "P1", "name": "Central Library", "category": "Library", "x": "-2.3", "y": "53.45"}]
    config = write_project(tmp_path / "project", rows, name="places", theme="generic_points")
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[place]\n", '[place]\nlanguages = ["en", "cy"]\n'), encoding="utf-8")
    loaded = load_settings(config)
    ingest(loaded)
    with running(create_app(loaded)) as base:
        english, welsh = Page(get(base + "/").text), Page(get(base + "/cy/").text)
    assert english.title == "Find a place in Testshire"
    assert "Find a place in Testshire" in english.text
    assert welsh.title == "Dod o hyd i le yn ardal Testshire"  # "lle" takes the soft mutation after "i"


def test_the_welsh_heading_is_grammatical(tmp_path: Path) -> None:
    config = write_project(tmp_path / "project", toilet_rows()[:2])
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[place]\n", '[place]\nlanguages = ["en", "cy"]\n'), encoding="utf-8")
    loaded = load_settings(config)
    ingest(loaded)
    with running(create_app(loaded)) as base:
        welsh = get(base + "/cy/").text
    assert '<h1 class="govuk-heading-l">Dod o hyd i doiled cyhoeddus yn ardal Testshire</h1>' in welsh


def test_a_theme_without_singular_is_named_by_its_title() -> None:
    schema = load_schema("public_toilets")
    del schema["x-page"]["singular"]
    assert layout(schema).singular is None


@pytest.mark.parametrize("singular", ["", "   ", 3, "a " * 50])
def test_a_bad_singular_is_named(singular: object) -> None:
    schema = load_schema("public_toilets")
    schema["x-page"]["singular"] = singular
    (problem,) = layout_problems(schema)
    assert problem.startswith('singular must be words naming one of the things, with its article, such as "a public')


def test_every_themes_singular_has_welsh() -> None:
    """Each engine theme names one of its things, and the Welsh catalogue has it as it reads after "Dod o hyd i"."""
    welsh = language.translations("cy")
    for theme in themes():
        singular = layout(load_schema(theme)).singular
        assert singular, f"the theme {theme} has no x-page singular"
        assert welsh.gettext(singular) != singular, f"no Welsh for {singular!r}"
