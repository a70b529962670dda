"""The pages a public body must publish, the footer that links them, and what search engines and catalogues read.

The accessibility statement and the privacy notice are written from
place.toml; every page kind carries the footer and a meta description; the
about page describes the data in schema.org JSON-LD that no value can break
out of; /sitemap.xml and /robots.txt list the pages. Apps run in uvicorn on
127.0.0.1 (the store-reading ones on each kind of store), and the static
export is run by its own command.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import (
    MADE_UP_PLACE,
    Page,
    Served,
    clean_settings_environment,
    get,
    running,
    serving,
    toilet_rows,
    toml_text,
    write_project,
)

from local_data_app.cli import main
from local_data_app.config import load_settings
from local_data_app.errors import ConfigError
from local_data_app.ingest import ingest
from local_data_app.web import create_app, sitemap
from local_data_app.web.links import LIVE
from local_data_app.web.public_pages import GREAT_BRITAIN, NORTHERN_IRELAND, enforcement_bodies
from local_data_app.web.structured_data import licence_url

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BREAKOUT = "</script><script>alert(1)</script><!--"
OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def page(answer: Any) -> Page:
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8", answer.text[:200]
    return Page(answer.text)


@contextlib.contextmanager
def app_for(folder: Path, extra: dict[str, Any] | None = None, place: dict[str, Any] | None = None) -> Iterator[str]:
    """An app without data for the made-up place with these extra tables, served on 127.0.0.1."""
    values = {**MADE_UP_PLACE, **(place or {}), **(extra or {})}
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "place.toml"
    config.write_text(toml_text(values), encoding="utf-8")
    with clean_settings_environment(), running(create_app(load_settings(config))) as base:
        yield base


def description(found: Page) -> str:
    (meta,) = found.find("meta", name="description")
    return meta["content"]


def json_ld(text: str) -> dict[str, Any]:
    """The JSON-LD data block of a page, read as a browser reads a script element: up to the first </script."""
    start = text.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
    return json.loads(text[start : text.lower().index("</script", start)])


# The accessibility statement


def test_the_statement_says_what_place_toml_says(tmp_path: Path) -> None:
    """Status, dates, how it was tested, known issues and the contact all come from [accessibility]."""
    accessibility = {
        "status": "fully",
        "prepared": "2026-01-15",
        "reviewed": "2026-03-02",
        "tested": "2026-02-20",
        "manual_testing": "We tested every page with NVDA, VoiceOver and a keyboard alone.",
        "known_issues": ["<b>PDF</b> leaflets are not tagged."],
        "contact_email": "access@testshire.example",
        "reply_days": 10,
    }
    organisation = {**MADE_UP_PLACE["organisation"], "report_url": "https://www.testshire.example/report"}
    with app_for(tmp_path / "p", {"accessibility": accessibility}, {"organisation": organisation}) as base:
        answer = get(base + "/accessibility")
    assert answer.status == 200
    found = page(answer)
    text = found.text
    assert found.find("h1")
    assert "Accessibility statement for Public toilets in Testshire" in text
    assert "This website is fully compliant with the Web Content Accessibility Guidelines version 2.2 AA standard." in (
        text
    )
    assert "Non-accessible content" not in text
    assert "This statement was prepared on 15 January 2026. It was last reviewed on 2 March 2026." in text
    assert "This website was last tested by Testshire Council on 20 February 2026." in text
    assert "axe-core, an automated accessibility checker, in the Chromium browser" in text
    assert "We tested every page with NVDA, VoiceOver and a keyboard alone." in text
    assert "&lt;b&gt;PDF&lt;/b&gt; leaflets are not tagged." in answer.text  # a team's words are text, not markup
    assert found.find("a", href="mailto:access@testshire.example")
    assert found.find("a", href="https://www.testshire.example/report")
    assert "get back to you in 10 working days" in text
    assert "the Equality and Human Rights Commission (EHRC)" in text
    assert "Equality Commission for Northern Ireland" not in text


def test_the_default_statement_is_partial_and_says_what_is_missing(tmp_path: Path) -> None:
    """Without [accessibility]: partially compliant, the map's limit and its list, no date, manual testing to do."""
    with app_for(tmp_path / "p") as base:
        found = page(get(base + "/accessibility"))
    text = found.text
    assert "This website is partially compliant with the Web Content Accessibility Guidelines version 2.2 AA" in text
    assert "Non-accessible content" in text
    assert "the list beside each map holds the same places" in text
    assert "Testshire Council has not yet recorded when this statement was prepared." in text
    assert "has not yet been tested by hand" in text
    assert found.find("a", href="mailto:open-data@testshire.example")
    assert "get back to you in 5 working days" in text
    assert found.find("a", href=GREAT_BRITAIN.url)


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["E06000999"], [GREAT_BRITAIN]),
        (["W06000001"], [GREAT_BRITAIN]),
        (["S12000036"], [GREAT_BRITAIN]),
        (["N09000003"], [NORTHERN_IRELAND]),
        (["N09000003", "E06000001"], [GREAT_BRITAIN, NORTHERN_IRELAND]),
        (["K02000001"], [GREAT_BRITAIN, NORTHERN_IRELAND]),
        (["K03000001"], [GREAT_BRITAIN]),
        (["K04000001"], [GREAT_BRITAIN]),
    ],
)
def test_the_enforcement_body_is_chosen_by_the_areas_countries(codes: list[str], expected: list[Any]) -> None:
    """The EHRC for England, Scotland and Wales; ECNI for Northern Ireland; both for an area spanning them."""
    assert enforcement_bodies(codes) == expected


def test_a_northern_irish_statement_names_the_equality_commission(tmp_path: Path) -> None:
    """An area with an N code is pointed at the Equality Commission for Northern Ireland, not the EHRC."""
    place = {"place": {"name": "Belfast", "code": "N09000003"}, "map": {"centre": [54.6, -5.93], "zoom": 12}}
    with app_for(tmp_path / "p", place=place) as base:
        found = page(get(base + "/accessibility"))
    assert "In Northern Ireland, the Equality Commission for Northern Ireland (ECNI) is responsible" in found.text
    assert found.find("a", href=NORTHERN_IRELAND.url)
    assert "EHRC" not in found.text


# The privacy notice


def test_the_privacy_notice_says_what_is_processed_and_who_controls_it(tmp_path: Path) -> None:
    """Location stays in the browser, no cookies, logs kept for [privacy] log_days, the controller and the ICO."""
    privacy = {
        "controller": "Testshire Borough Council",
        "contact_email": "dpo@testshire.example",
        "log_days": 14,
        "policy_url": "https://www.testshire.example/privacy",
        "ico_registration": "Z1234567",
    }
    with app_for(tmp_path / "p", {"privacy": privacy}) as base:
        answer = get(base + "/privacy")
    assert answer.status == 200
    found = page(answer)
    text = found.text
    assert "That is the only time it leaves your browser" in text
    assert "This website sets no cookies" in text
    assert "keep them for 14 days" in text
    assert "Testshire Borough Council is the data controller" in text
    assert "Z1234567" in text
    assert found.find("a", href="mailto:dpo@testshire.example")
    assert found.find("a", href="https://www.testshire.example/privacy")
    assert found.find("a", href="https://ico.org.uk/make-a-complaint/")
    assert "14 days" in description(found)
    assert not [name for name, value in answer.headers.items() if name.lower() == "set-cookie"]


def test_without_privacy_settings_the_organisation_is_the_controller(tmp_path: Path) -> None:
    """The organisation and its contact address stand in, and logs are kept for 30 days."""
    with app_for(tmp_path / "p") as base:
        found = page(get(base + "/privacy"))
    assert "Testshire Council is the data controller" in found.text
    assert "keep them for 30 days" in found.text
    assert found.find("a", href="mailto:open-data@testshire.example")


# Bad settings


@pytest.mark.parametrize(
    ("table", "values", "named"),
    [
        ("accessibility", {"status": "mostly"}, "accessibility.status (in place.toml): 'mostly' is not valid"),
        ("accessibility", {"prepared": "last spring"}, "accessibility.prepared (in place.toml): 'last spring'"),
        ("accessibility", {"prepared": "2026-03-01", "reviewed": "2026-01-01"}, "reviewed (2026-01-01) is before"),
        ("accessibility", {"reply_days": 0}, "accessibility.reply_days (in place.toml): 0 is not valid"),
        ("accessibility", {"contact_email": "nobody"}, "accessibility.contact_email (in place.toml): 'nobody'"),
        ("accessibility", {"colour": "blue"}, "accessibility.colour (in place.toml): not a known setting"),
        ("privacy", {"log_days": -1}, "privacy.log_days (in place.toml): -1 is not valid"),
        ("privacy", {"ico_registration": "12345"}, "privacy.ico_registration (in place.toml): '12345' is not valid"),
        ("export", {"public_url": "toilets.example"}, "export.public_url (in place.toml): 'toilets.example'"),
    ],
)
def test_bad_settings_are_refused_naming_the_key(
    tmp_path: Path, table: str, values: dict[str, Any], named: str
) -> None:
    """Each mistake is a ConfigError that names the key, where it was set and the value."""
    config = tmp_path / "place.toml"
    config.write_text(toml_text({**MADE_UP_PLACE, table: values}), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(config)
    assert named in str(raised.value)


# Every page: the footer and a description

PAGES = {
    "home": ("/", 200),
    "record": ("/features/toilets/T03", 200),
    "about": ("/about", 200),
    "accessibility": ("/accessibility", 200),
    "privacy": ("/privacy", 200),
    "api-doc": ("/api.html", 200),
    "api-landing": ("/api?f=html", 200),
    "api-collection": ("/api/collections/toilets?f=html", 200),
    "api-items": ("/api/collections/toilets/items?f=html", 200),
    "api-item": ("/api/collections/toilets/items/T03?f=html", 200),
    "not-found": ("/nowhere", 404),
    "bad-search": ("/?near=somewhere", 400),
    "api-error": ("/api/collections/nowhere?f=html", 404),
}


@pytest.mark.parametrize("kind", PAGES)
def test_every_page_kind_has_the_footer_and_a_description(served: Served, kind: str) -> None:
    """The footer links the statement, the notice, about, the developers' page, the licence and the organisation."""
    path, status = PAGES[kind]
    answer = get(served.base + path)
    assert answer.status == status
    found = page(answer)
    footer = found.text[found.text.rindex("Accessibility statement") :]
    assert footer.startswith("Accessibility statement Privacy notice About the data For developers: data and API")
    for href in ("/accessibility", "/privacy", "/about", "/api.html", OGL, "https://www.testshire.example"):
        assert found.find("a", href=href), (kind, href)
    assert not any(attrs.get("href") == "/api.html" for attrs in header_links(answer.text)), "API link in the header"
    text = description(found)
    assert 20 <= len(text) <= 303, text
    assert "\n" not in text


def header_links(text: str) -> list[dict[str, str]]:
    header = text[text.index("<header") : text.index("</header>")]
    return [attrs for tag, attrs in Page(header).elements if tag == "a"]


def test_descriptions_say_what_each_page_holds(served: Served) -> None:
    """Each people's page has its own description, from its content: a record's names it and says what it is."""
    found = {path: description(page(get(served.base + path))) for path in ("/", "/about", "/accessibility", "/privacy")}
    assert len(set(found.values())) == 4
    assert found["/"].startswith("Find public toilets in Testshire")
    record = page(get(served.base + "/features/toilets/T03"))
    assert description(record).startswith(record.title.split(" - ")[0] + ": ")
    assert "Testshire" in description(record)


def test_the_footer_marks_the_current_page(served: Served) -> None:
    """On the statement, the notice and the developers' page, their own footer link is the current page."""
    for path in ("/accessibility", "/privacy", "/api.html"):
        assert page(get(served.base + path)).find("a", href=path, aria_current="page"), path


# JSON-LD


def test_the_about_page_describes_the_dataset_in_json_ld(served: Served) -> None:
    """A schema.org Dataset with its licence, publisher, area and downloads, each download fetchable."""
    answer = get(served.base + "/about")
    document = json_ld(answer.text)
    assert document["@context"] == "https://schema.org"
    assert document["@type"] == "Dataset"
    assert document["name"] == "Public toilets in Testshire"
    assert document["license"] == OGL
    assert document["publisher"]["name"] == document["creator"]["name"] == "Testshire Council"
    assert document["spatialCoverage"]["identifier"] == "E06000999"
    assert document["url"] == served.base + "/about"
    formats = {item["encodingFormat"]: item["contentUrl"] for item in document["distribution"]}
    assert set(formats) == {"application/geo+json", "text/csv", "application/json"}
    for url in formats.values():
        assert url.startswith(served.base + "/api")
        assert get(url).status == 200, url
    assert get(formats["application/geo+json"]).json()["numberMatched"] == 23
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT.+", document["dateModified"])
    assert Page(answer.text).inline_scripts == 0  # the data block is not a script that runs


def test_json_ld_holds_hostile_names_as_data(tmp_path: Path) -> None:
    """A place and organisation named to close the script element are escaped and read back unchanged."""
    place = {
        "place": {"name": BREAKOUT, "code": "E06000999"},
        "organisation": {**MADE_UP_PLACE["organisation"], "name": "O'Brien & <Co>" + BREAKOUT},
    }
    with app_for(tmp_path / "p", place=place) as base:
        text = get(base + "/about").text
    head = text[: text.index("</head>")]
    start = head.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
    assert "<" not in head[start : head.index("</script>", start)]  # nothing in the data block can end it
    document = json_ld(text)
    assert document["name"] == f"Public toilets in {BREAKOUT}"
    assert document["publisher"]["name"] == "O'Brien & <Co>" + BREAKOUT
    assert "alert(1)</script>" not in head


def test_licence_links_name_the_licence_page() -> None:
    """Known licences link their own pages; any other SPDX identifier its page at SPDX."""
    assert licence_url("OGL-UK-3.0") == OGL
    assert licence_url("CC-BY-4.0") == "https://creativecommons.org/licenses/by/4.0/"
    assert licence_url("MIT") == "https://spdx.org/licenses/MIT.html"


# sitemap.xml and robots.txt


def parse_xml(text: str) -> ElementTree.Element:
    """A sitemap the app wrote, parsed (the test's own data: no entity tricks to defend against)."""
    return ElementTree.fromstring(text)  # noqa: S314


def locations(text: str) -> list[str]:
    root = parse_xml(text)
    assert root.tag == f"{SITEMAP}urlset"
    return [element.text or "" for element in root.iter(f"{SITEMAP}loc")]


def test_the_sitemap_lists_every_page_and_record_by_its_full_address(served: Served) -> None:
    """Home, about, the statement, the notice and the 23 records, each answering 200."""
    answer = get(served.base + "/sitemap.xml")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("application/xml")
    found = locations(answer.text)
    assert found[:4] == [served.base + path for path in ("/", "/about", "/accessibility", "/privacy")]
    assert len(found) == len(set(found)) == 27
    assert served.base + "/features/toilets/T03" in found
    for url in found:
        assert get(url).status == 200, url
    lastmods = parse_xml(answer.text).iter(f"{SITEMAP}lastmod")
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", element.text or "") for element in lastmods)


def test_before_any_data_the_sitemap_lists_the_four_pages(tmp_path: Path) -> None:
    """With nothing loaded there are no records to list, and the sitemap still answers."""
    with app_for(tmp_path / "p") as base:
        found = locations(get(base + "/sitemap.xml").text)
    assert found == [base + path for path in ("/", "/about", "/accessibility", "/privacy")]


def test_a_sitemap_past_its_limit_is_an_index_of_files_that_hold_every_page_once(served: Served) -> None:
    """At 10 addresses a file, 27 pages make an index of 3 files, each within the limit, in order, none twice."""
    state = served.app.state.api
    whole = locations(sitemap.sitemap_files(state, LIVE, "https://toilets.example/")["sitemap.xml"])
    written = sitemap.sitemap_files(state, LIVE, "https://toilets.example/", per_file=10)
    assert sorted(written) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = parse_xml(written["sitemap.xml"])
    assert index.tag == f"{SITEMAP}sitemapindex"
    assert [element.text for element in index.iter(f"{SITEMAP}loc")] == [
        f"https://toilets.example/sitemap-{number}.xml" for number in (1, 2, 3)
    ]
    parts = [locations(written[f"sitemap-{number}.xml"]) for number in (1, 2, 3)]
    assert [len(part) for part in parts] == [10, 10, 7]
    assert [url for part in parts for url in part] == whole


def test_the_live_index_and_its_files_answer_past_the_limit(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a limit of 10 the live sitemap.xml is an index; its files answer, and a file past them is a 404."""
    monkeypatch.setattr(sitemap, "URLS_PER_FILE", 10)
    index = parse_xml(get(served.base + "/sitemap.xml").text)
    named = [element.text or "" for element in index.iter(f"{SITEMAP}loc")]
    assert named == [f"{served.base}/sitemap-{number}.xml" for number in (1, 2, 3)]
    assert sum(len(locations(get(url).text)) for url in named) == 27
    for missing in ("/sitemap-4.xml", "/sitemap-0.xml", "/sitemap-x.xml", "/sitemap-" + "9" * 5000 + ".xml"):
        assert get(served.base + missing).status == 404, missing


def test_a_sitemap_is_written_once_for_the_loads_it_lists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Asked again, the sitemap is the one written before, reading no records, until a load changes them."""
    rows = toilet_rows()
    with serving(tmp_path / "project", rows[:5]) as served:
        first = get(served.base + "/sitemap.xml").text
        assert len(locations(first)) == 4 + 5

        def unread(*_: Any, **__: Any) -> list[str]:
            raise AssertionError("the records were read again")

        with monkeypatch.context() as patched:
            patched.setattr(served.app.state.api.store, "ids", unread)
            assert get(served.base + "/sitemap.xml").text == first
        with clean_settings_environment():
            write_project(tmp_path / "project", rows[:7])
            (report,) = ingest(load_settings(served.config))
        assert report.loaded == 7
        assert len(locations(get(served.base + "/sitemap.xml").text)) == 4 + 7


def test_a_sitemap_file_needs_an_index_to_be_asked_for(served: Served) -> None:
    """Under the limit there is only sitemap.xml: sitemap-1.xml is a page not found, as a page."""
    answer = get(served.base + "/sitemap-1.xml")
    assert answer.status == 404
    assert "sitemap.xml lists the sitemap's files" in page(answer).text


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_off_the_api_and_searches(served: Served) -> None:
    answer = get(served.base + "/robots.txt")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/plain")
    lines = answer.text.splitlines()
    assert lines[0] == "User-agent: *"
    assert {"Disallow: /api/", "Disallow: /*?", "Allow: /", f"Sitemap: {served.base}/sitemap.xml"} <= set(lines)


# The static export


def export(config: Path, directory: Path) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["--config", str(config), "export", str(directory)])
    assert (status, err.getvalue()) == (0, ""), err.getvalue()
    return out.getvalue()


def exported_project(folder: Path, export_table: str = "") -> tuple[Path, str]:
    with clean_settings_environment():
        config = write_project(folder / "project")
        config.write_text(config.read_text(encoding="utf-8") + export_table, encoding="utf-8")
        (report,) = ingest(load_settings(config))
        assert report.loaded == 23
        site = folder / "site"
        return site, export(config, site)


def test_the_export_writes_the_pages_the_sitemap_and_robots_txt(tmp_path: Path) -> None:
    """With [export] public_url: both pages, a sitemap of the files under it, robots.txt naming it, JSON-LD."""
    public = "https://council.github.io/toilets/"
    site, output = exported_project(tmp_path, f'\n[export]\npublic_url = "{public}"\nbase_path = "/toilets/"\n')
    assert "No sitemap.xml" not in output
    statement = Page((site / "accessibility.html").read_text(encoding="utf-8"))
    assert "partially compliant" in statement.text
    assert statement.find("a", href="privacy.html")
    assert statement.find("a", href="about.html#data-files")
    assert "For developers: data files" in statement.text
    assert "no cookies" in (site / "privacy.html").read_text(encoding="utf-8")
    found = locations((site / "sitemap.xml").read_text(encoding="utf-8"))
    assert len(found) == 27
    assert found[:4] == [public + name for name in ("index.html", "about.html", "accessibility.html", "privacy.html")]
    for url in found:
        assert url.startswith(public)
        assert (site / url.removeprefix(public)).is_file(), url
    assert f"Sitemap: {public}sitemap.xml" in (site / "robots.txt").read_text(encoding="utf-8")
    document = json_ld((site / "about.html").read_text(encoding="utf-8"))
    downloads = [item["contentUrl"] for item in document["distribution"]]
    assert downloads == [public + "toilets.geojson", public + "toilets.csv"]  # no API in an export


def test_an_export_without_its_address_skips_the_sitemap_and_says_why(tmp_path: Path) -> None:
    """No sitemap.xml (it needs full addresses), a note naming the setting; robots.txt and relative JSON-LD."""
    site, output = exported_project(tmp_path)
    assert "No sitemap.xml" in output
    assert "[export] public_url" in output
    assert not (site / "sitemap.xml").exists()
    assert "Sitemap:" not in (site / "robots.txt").read_text(encoding="utf-8")
    document = json_ld((site / "about.html").read_text(encoding="utf-8"))
    for item in document["distribution"]:
        href = item["contentUrl"]
        assert not urlsplit(href).scheme
        assert (site / urljoin("about.html", href)).is_file(), href
