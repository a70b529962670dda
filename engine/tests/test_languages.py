"""Welsh and English: every people's page in each language at its own address, linked both ways, and exported.

A project with ``languages = ["en", "cy"]`` in [place] serves its pages in
English where they always were and in Welsh under /cy/; the apps run in
uvicorn on 127.0.0.1 on each kind of store, and requests that must not follow
redirects go through the standard library's HTTP client. The catalogue test
extracts the messages with Babel, as a maintainer does, and fails on any the
Welsh catalogue does not translate.
"""

from __future__ import annotations

import http.client
import json
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from babel.messages.extract import extract_from_dir
from conftest import MADE_UP_PLACE, Page, Served, clean_settings_environment, get, running, toilet_rows, write_project

from local_data_app import language
from local_data_app.cli import main
from local_data_app.config import load_settings
from local_data_app.errors import ConfigError
from local_data_app.ingest import ingest
from local_data_app.schemas import load_schema, themes
from local_data_app.web import create_app

ENGINE = Path(language.__file__).parent
BOTH = '"en", "cy"'
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def with_languages(config: Path, languages: str = BOTH) -> None:
    """Give a written place.toml's [place] these languages."""
    text = config.read_text(encoding="utf-8")
    assert text.count("[place]\n") == 1
    config.write_text(text.replace("[place]\n", f"[place]\nlanguages = [{languages}]\n"), encoding="utf-8")


@pytest.fixture(scope="module")
def welsh(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Served]:
    """An app of the 23 toilets in English and Welsh, on each kind of store."""
    folder = tmp_path_factory.mktemp("welsh")
    with clean_settings_environment():
        config = write_project(folder, toilet_rows(), database_url=web_database_url)
        with_languages(config)
        loaded = load_settings(config)
        ingest(loaded)
        app = create_app(loaded)
        with running(app) as base:
            yield Served(base, app, config)


def request(base: str, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    """A GET that does not follow redirects, with these headers."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=20)
    connection.request("GET", path, headers=headers or {})
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer


def html_lang(text: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', text)
    assert found, text[:200]
    return found.group(1)


def description(found: Page) -> str:
    (meta,) = found.find("meta", name="description")
    return meta["content"]


def switch(found: Page) -> list[dict[str, str]]:
    """The language switch's links: links with hreflang in the page's body."""
    return found.find("a", hreflang="")


# Pages in each language


# Each page and a sentence of its own Welsh, from the template and from the Python that writes it.
PAGES = {
    "/": "Cod post neu le (dewisol)",
    "/about": "O ble y daw'r data",
    "/accessibility": "chwyddo hyd at 300% heb i'r testun ddisgyn oddi ar y sgrin",
    "/privacy": "Nid yw'r wefan hon yn gosod unrhyw gwcis",
    "/quality": "Ansawdd y data",
}
WELSH_FROM_PYTHON = {
    "/accessibility": "Mae'r wefan hon yn cydymffurfio'n rhannol â safon AA fersiwn 2.2",
    "/privacy": "a chedwir logiau'r gweinydd am 30 diwrnod",
}


@pytest.mark.parametrize("path", PAGES)
def test_each_page_is_in_welsh_under_cy_and_links_to_its_english(welsh: Served, path: str) -> None:
    """/cy/<page> says lang="cy", links to the English page with hreflang, and the English page links back."""
    welsh_path = "/cy" + path
    answer = get(welsh.base + welsh_path)
    assert answer.status == 200, answer.text[:300]
    assert html_lang(answer.text) == "cy"
    found = Page(answer.text)
    assert "Neidio i'r prif gynnwys" in found.text
    assert "Datganiad hygyrchedd" in found.text
    assert PAGES[path] in found.text
    assert WELSH_FROM_PYTHON.get(path, PAGES[path]) in found.text + description(found)
    assert [(link["href"], link["hreflang"]) for link in switch(found)] == [(path, "en-GB")]
    assert found.find("link", rel="alternate", hreflang="en-GB", href=path)
    english = get(welsh.base + path)
    assert html_lang(english.text) == "en-GB"
    found = Page(english.text)
    assert "Skip to main content" in found.text
    assert "Neidio" not in found.text
    assert [(link["href"], link["hreflang"]) for link in switch(found)] == [(welsh_path, "cy")]
    assert found.find("link", rel="alternate", hreflang="cy", href=welsh_path)


def test_the_welsh_home_page_searches_lists_and_links_in_welsh(welsh: Served) -> None:
    """Its heading, form, count and record links are Welsh, and its form and links stay under /cy/."""
    found = Page(get(welsh.base + "/cy/").text)
    assert found.title == "Dod o hyd i doiled cyhoeddus yn ardal Testshire"  # what the service is for (test_brand.py)
    assert found.find("form", action="/cy/#results")
    assert "Cod post neu le (dewisol)" in found.text
    assert "Newid babanod" in found.text  # a resident filter's label, from the theme, in Welsh
    assert "toiledau cyhoeddus yn ardal Testshire" in found.text  # the theme's title in the lead paragraph, in Welsh
    assert "public toilets" not in found.text
    assert re.search(r"Yn dangos 1 i 20 o 23", found.text)
    records = [item["data-href"] for item in found.find("li", data_feature="")]
    assert records
    assert all(href.startswith("/cy/features/toilets/") for href in records)
    assert found.find("a", href="/cy/about")
    assert found.find("a", href="/cy/accessibility")
    assert found.find("a", href="/cy/privacy")
    (body,) = found.find("body", data_words="")  # the words app.js writes: the map's and "Use my location"'s
    words = json.loads(body["data-words"])
    assert words["here"] == "Rydych chi yma"
    assert words["mapOthers"].startswith("Mae'r map hefyd yn dangos y lleoedd eraill a ganfuwyd ({count})")
    next_page = found.find("a", rel="next")
    assert next_page
    assert next_page[0]["href"].startswith("/cy/?")


def test_the_switch_keeps_the_query(welsh: Served) -> None:
    """A search's page links the same search in the other language, query and all."""
    query = "q=station&page-toilets=1"
    found = Page(get(welsh.base + "/cy/?" + query).text)
    (link,) = switch(found)
    assert urlsplit(link["href"]).path == "/"
    assert parse_qsl(urlsplit(link["href"]).query) == parse_qsl(query)
    found = Page(get(welsh.base + "/?" + query).text)
    (link,) = switch(found)
    assert urlsplit(link["href"]).path == "/cy/"
    assert parse_qsl(urlsplit(link["href"]).query) == parse_qsl(query)


def test_a_record_page_is_in_welsh_with_welsh_words_from_python(welsh: Served) -> None:
    """A record's page: Welsh headings, Welsh "not recorded" and yes/no, and its English twin in the switch."""
    home = Page(get(welsh.base + "/cy/").text)
    href = home.find("li", data_feature="")[0]["data-href"]
    answer = get(welsh.base + href)
    assert answer.status == 200
    found = Page(answer.text)
    assert html_lang(answer.text) == "cy"
    assert "Rhoi gwybod am broblem gyda'r lle hwn" in found.text
    assert "Popeth a gofnodwyd am y lle hwn" in found.text
    assert "Cyfleuster newid babanod" in found.text  # a field's title, from the schema, in the full record
    assert [link["href"] for link in switch(found)] == [href.removeprefix("/cy")]


def test_a_missing_page_under_cy_is_a_welsh_404(welsh: Served) -> None:
    """/cy/nothing is a page not found, in Welsh (the API's pages are Welsh pages: test_api_languages.py)."""
    for path in ("/cy/nothing", "/cy/nothing.html"):
        answer = get(welsh.base + path)
        assert answer.status == 404
        assert html_lang(answer.text) == "cy"
        assert "Heb ddod o hyd i'r dudalen" in Page(answer.text).text
        assert "Nid oes tudalen yn y cyfeiriad hwn." in Page(answer.text).text
    assert get(welsh.base + "/api/collections").status == 200


def test_pages_with_one_version_have_no_switch(welsh: Served) -> None:
    """A page not found is in one language only: no switch, no alternates."""
    for path in ("/nothing", "/healthz.html"):
        found = Page(get(welsh.base + path).text)
        assert not switch(found), path
        assert not found.find("link", rel="alternate", hreflang=""), path


def test_cy_without_its_slash_goes_to_the_welsh_home_page(welsh: Served) -> None:
    answer = request(welsh.base, "/cy?q=station")
    assert answer.status == 308
    assert answer.headers["Location"] == "/cy/?q=station"


def test_english_pages_are_unchanged_in_a_project_without_welsh(served: Served) -> None:
    """Without languages, no switch, no alternates, lang="en-GB", and /cy/ is not found."""
    answer = get(served.base + "/")
    assert html_lang(answer.text) == "en-GB"
    found = Page(answer.text)
    assert not switch(found)
    assert not found.find("link", rel="alternate")
    assert get(served.base + "/cy/").status == 404


def sitemap_alternates(text: str) -> dict[str, dict[str, str]]:
    """Each sitemap entry's address and its alternates by hreflang."""
    root = ElementTree.fromstring(text)  # noqa: S314 (a sitemap the app wrote, in a test)
    found = {}
    for url in root.iter(f"{SITEMAP}url"):
        links = url.findall(f"{XHTML}link")
        found[url.findtext(f"{SITEMAP}loc") or ""] = {link.get("hreflang", ""): link.get("href", "") for link in links}
    return found


def test_the_sitemap_names_each_pages_welsh_version(welsh: Served) -> None:
    """Each entry lists its English and Welsh addresses with hreflang, the home page and every record's."""
    entries = sitemap_alternates(get(welsh.base + "/sitemap.xml").text)
    assert len(entries) == 4 + 23
    assert entries[welsh.base + "/"] == {"en-GB": welsh.base + "/", "cy": welsh.base + "/cy/"}
    assert entries[welsh.base + "/privacy"]["cy"] == welsh.base + "/cy/privacy"
    for address, alternates in entries.items():
        path = urlsplit(address).path
        assert alternates == {"en-GB": address, "cy": welsh.base + "/cy" + path}


def test_an_english_only_sitemap_has_no_alternates(served: Served) -> None:
    assert all(not alternates for alternates in sitemap_alternates(get(served.base + "/sitemap.xml").text).values())


# Accept-Language, on the first visit only


def test_a_first_visit_preferring_welsh_goes_to_cy(welsh: Served) -> None:
    answer = request(welsh.base, "/", {"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.8"})
    assert answer.status == 302
    assert answer.headers["Location"] == "/cy/"
    assert "Accept-Language" in answer.headers["Vary"]


def test_english_preferred_or_no_header_stays_and_says_it_varies(welsh: Served) -> None:
    for headers in ({}, {"Accept-Language": "en-GB,en;q=0.9,cy;q=0.8"}, {"Accept-Language": "fr, cy;q=0"}):
        answer = request(welsh.base, "/", headers)
        assert answer.status == 200, headers
        assert "Accept-Language" in answer.headers["Vary"]


def test_a_chosen_page_is_never_redirected(welsh: Served) -> None:
    """A query, another page, or a link from this site's own pages (the switch) keeps English."""
    welsh_browser = {"Accept-Language": "cy"}
    assert request(welsh.base, "/?q=station", welsh_browser).status == 200
    assert request(welsh.base, "/about", welsh_browser).status == 200
    from_switch = {**welsh_browser, "Referer": welsh.base + "/cy/", "Host": urlsplit(welsh.base).netloc}
    assert request(welsh.base, "/", from_switch).status == 200
    another_site = {**welsh_browser, "Referer": "https://search.example/?q=toilets"}
    assert request(welsh.base, "/", another_site).status == 302


def test_a_project_without_welsh_never_reads_accept_language(served: Served) -> None:
    answer = request(served.base, "/", {"Accept-Language": "cy"})
    assert answer.status == 200
    assert "Accept-Language" not in answer.headers.get("Vary", "")


# The static export


def test_the_export_writes_the_welsh_pages_under_cy(tmp_path: Path) -> None:
    """cy/index.html and the other pages are Welsh, link to the English files and to files that exist."""
    with clean_settings_environment():
        config = write_project(tmp_path / "project", toilet_rows())
        with_languages(config)
        config.write_text(
            config.read_text(encoding="utf-8") + '\n[export]\npublic_url = "https://toilets.testshire.example/"\n',
            encoding="utf-8",
        )
        ingest(load_settings(config))
        site = tmp_path / "site"
        assert main(["--config", str(config), "export", str(site)]) == 0
    for name in ("index.html", "about.html", "accessibility.html", "privacy.html", "quality.html"):
        text = (site / "cy" / name).read_text(encoding="utf-8")
        assert html_lang(text) == "cy", name
        found = Page(text)
        assert [link["href"] for link in switch(found)] == [f"../{name}"]
        english = Page((site / name).read_text(encoding="utf-8"))
        assert [link["href"] for link in switch(english)] == [f"cy/{name}"]
        for tag, attribute in (("a", "href"), ("link", "href"), ("script", "src")):
            for element in found.find(tag, **{attribute: ""}):
                target = element[attribute].split("#")[0]
                if target and not re.match(r"[a-z]+:", target):
                    assert (site / "cy" / target).resolve().is_file(), (name, target)
    entries = sitemap_alternates((site / "sitemap.xml").read_text(encoding="utf-8"))
    assert entries["https://toilets.testshire.example/about.html"] == {
        "en-GB": "https://toilets.testshire.example/about.html",
        "cy": "https://toilets.testshire.example/cy/about.html",
    }
    assert not switch(Page((site / "404.html").read_text(encoding="utf-8")))  # a host serves one 404.html
    assert not (site / "cy" / "404.html").exists()
    feature_files = list((site / "cy" / "features" / "toilets").glob("*.html"))
    assert len(feature_files) == 23
    assert "Popeth a gofnodwyd am y lle hwn" in feature_files[0].read_text(encoding="utf-8")
    # One catalogue for both languages, as the live one: each dataset's title in each, tagged.
    (dataset,) = json.loads((site / "catalogue.jsonld").read_text(encoding="utf-8"))["dcat:dataset"]
    assert dataset["dct:title"] == [
        {"@value": "Public toilets in Testshire (toilets)", "@language": "en"},
        {"@value": "Toiledau cyhoeddus yn ardal Testshire (toilets)", "@language": "cy"},
    ]


# Settings


@pytest.mark.parametrize(
    ("languages", "message"),
    [
        ('"cy"', 'start the list with "en"'),
        ('"cy", "en"', 'start the list with "en"'),
        ('"en", "fr"', "'fr' is not a language the engine has pages in"),
        ('"en", "cy", "cy"', "listed twice"),
        ("", 'start the list with "en"'),
    ],
)
def test_languages_are_checked(tmp_path: Path, languages: str, message: str) -> None:
    with clean_settings_environment():
        config = write_project(tmp_path, toilet_rows())
        with_languages(config, languages)
        with pytest.raises(ConfigError) as raised:
            load_settings(config)
    assert message in str(raised.value)
    assert "languages" in str(raised.value)


def test_languages_default_to_english(tmp_path: Path) -> None:
    with clean_settings_environment():
        assert load_settings(write_project(tmp_path, toilet_rows())).settings.place.languages == ("en",)


# The catalogues


def used_messages() -> set[str]:
    """Every message of the engine's pages, extracted as babel.cfg tells `pybabel extract` to."""
    config = (ENGINE.parents[1] / "babel.cfg").read_text(encoding="utf-8")
    method_map = [
        (pattern.removeprefix("src/local_data_app/"), method)
        for method, pattern in re.findall(r"^\[(python|jinja2): ([^\]]+)\]", config, re.MULTILINE)
    ]
    options = {pattern: {"extensions": "jinja2.ext.i18n", "trimmed": "true"} for pattern, _ in method_map}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ENGINE), method_map, options):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_the_engine_uses_has_a_welsh_translation() -> None:
    """The untranslated strings report: a message in a template or a translated module without Welsh fails."""
    used = used_messages()
    assert len(used) > 100  # the extraction found the pages' messages
    # The themes' titles, descriptions, field titles and page labels, which the pages translate by value.
    theme_titles = set()
    for theme in themes():
        schema = load_schema(theme)
        page = schema.get("x-page") or {}
        theme_titles |= {schema["title"], schema["description"]}
        theme_titles |= {spec["title"] for spec in schema["fields"] if spec.get("title")}
        theme_titles |= {*page.get("labels", {}).values(), *(entry["label"] for entry in page.get("filters", []))}
    catalogue = language.read_catalogue(language.catalogue_path("cy"))
    translated = {
        (message.id if isinstance(message.id, str) else message.id[0])
        for message in catalogue
        if message.id and message.string and all(message.string if isinstance(message.string, tuple) else [1])
    }
    untranslated = sorted((used | theme_titles) - translated)
    assert not untranslated, f"no Welsh for {json.dumps(untranslated, ensure_ascii=False, indent=1)}"


def test_a_projects_own_catalogue_wins(tmp_path: Path) -> None:
    """A message in the project's locale/cy/LC_MESSAGES/messages.po replaces the engine's Welsh."""
    own = language.catalogue_path("cy", tmp_path / language.PROJECT_LOCALE)
    own.parent.mkdir(parents=True)
    own.write_text('msgid "Find"\nmsgstr "Canfod"\n', encoding="utf-8")
    assert language.translations("cy", tmp_path).gettext("Find") == "Canfod"
    assert language.translations("cy", tmp_path).gettext("Search") == "Chwilio"
    assert language.translations("cy").gettext("Find") == "Chwilio"


def test_preferred_reads_accept_language() -> None:
    offered = ("en", "cy")
    assert language.preferred("cy-GB,cy;q=0.9,en;q=0.8", offered) == "cy"
    assert language.preferred("en;q=0.5, cy;q=0.6", offered) == "cy"
    assert language.preferred("en, cy", offered) == "en"
    assert language.preferred("fr, de;q=0.5", offered) is None
    assert language.preferred("cy;q=0, en;q=0.1", offered) == "en"
    assert language.preferred("cy;q=abc", offered) is None
    assert MADE_UP_PLACE["place"]["code"].startswith("E")
