"""The pages for people: home with search, filters and near, one feature, about, errors and static files.

Like test_api.py, these run the app in uvicorn on 127.0.0.1, on each kind of
store, and fetch pages with urllib; the HTML is read with the standard
library's parser (conftest.Page). What the
browser does with app.js (markers, popups, "Use my location") is checked in a
browser elsewhere; here the script is read to check it never writes data as markup.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from conftest import (
    ESCAPED_SCRIPT,
    HOSTILE_NAME,
    Answer,
    Page,
    Served,
    get,
    listed,
    running,
    serving,
    toilet_rows,
    ward_rows,
    write_project,
)

from local_data_app.config import load_settings
from local_data_app.errors import ConfigError
from local_data_app.ingest import ingest
from local_data_app.schemas import load_schema
from local_data_app.store import AREA_FIELDS, Provenance, open_store, searched_fields
from local_data_app.web import create_app, pages
from local_data_app.web.security import security_headers

ENGINE_DIR = Path(__file__).resolve().parents[1]
STATIC = Path(pages.__file__).parent / "static"
FIELDS = load_schema("public_toilets")["fields"]
INPUTS_WITHOUT_LABELS = {"hidden", "submit", "button"}


def page(answer: Answer) -> Page:
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8", answer.text[:200]
    return Page(answer.text)


def home(served: Served, query: str = "") -> Page:
    answer = get(served.base + "/" + (("?" + query) if query else ""))
    assert answer.status == 200, answer.text
    return page(answer)


HOSTILE_LINK = "javascript:alert(1)"
REPORTS = {  # what a few toilets hold beyond the wards' rows: an address, a charge, and ways to report a problem
    0: {
        "StreetAddress": "High Street",
        "Postcode": "AB1 3CD",
        "ChargeAmount": "0.2",
        "AccessibleCategory": "Unisex",
        "RADARKeyNeeded": "yes",
        "ReportEmail": "report@council.example",
        "ReportTel": "0161 496 0000",
        "OpeningHours": "24 hours",
    },
    1: {"ChargeAmount": "0", "OpeningHours": "Dawn till dusk"},
    3: {"ReportEmail": HOSTILE_LINK + "//@x.example", "ReportTel": HOSTILE_LINK, "InfoURL": HOSTILE_LINK},
    5: {"ReportEmail": '"><b>x</b>@evil.example', "ReportTel": '+44 161 496 0000" onclick="x'},
}


def page_rows() -> list[dict[str, str]]:
    """The wards' toilets, the few in REPORTS with their extra values (every row has every column)."""
    columns = {key: "" for values in REPORTS.values() for key in values}
    return [{**row, **columns, **REPORTS.get(index, {})} for index, row in enumerate(ward_rows())]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Served]:
    """The app for an ingested project of 23 toilets, one named with HTML, on each kind of store, on 127.0.0.1."""
    with serving(tmp_path_factory.mktemp("project"), page_rows(), web_database_url) as served:
        yield served


def matching(*words: str, anywhere: bool = False) -> list[str]:
    """The rows whose id or text has a word beginning with each word typed, in any case, as the search finds them.

    A word is a run of letters and digits, so ``t/22`` asks for a word
    beginning ``t`` and one beginning ``22``. With ``anywhere``, each word
    typed may appear anywhere in the text instead, as a collection loaded
    without the store's word index is searched.
    """
    found = []
    texts = searched_fields(FIELDS)
    for row in page_rows():
        text = " ".join([row["Ref"], *(row[key] for key in texts if key in row)]).casefold()
        if anywhere:
            held = all(word.casefold() in text for word in words)
        else:
            parts = [part for word in words for part in re.findall(r"[^\W_]+", word.casefold())]
            held = all(re.search(r"(?<![^\W_])" + re.escape(part), text) for part in parts)
        if held:
            found.append(row["LocationText"])
    return found


# Every page


PAGES = [
    "/",
    "/?q=toilet&Category=Unisex",
    "/?near=53.45,-2.3",
    "/about",
    "/api.html",
    "/features/toilets/T03",
    "/nowhere",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_landmarks_a_title_and_a_skip_link(served: Served, path: str) -> None:
    """Each page is British English HTML with a title, a skip link to main, and header, nav, main and footer."""
    found = page(get(served.base + path))
    assert found.find("html", lang="en-GB")
    # the site's name, or on the home page what the site is for (test_brand.py)
    assert found.title.endswith(("Public toilets in Testshire", "Find a public toilet in Testshire"))
    first_link = next(attrs for tag, attrs in found.elements if tag == "a")
    assert first_link == {"class": "govuk-skip-link", "href": "#main"}
    for landmark in ("header", "nav", "footer"):
        assert found.find(landmark), landmark
    assert found.find("main", id="main")
    assert len(found.find("h1")) == 1
    assert found.inline_scripts == 0
    assert not [attrs for _, attrs in found.elements if "style" in attrs]
    assert not found.find("style")


@pytest.mark.parametrize("path", PAGES)
def test_every_form_field_has_a_label(served: Served, path: str) -> None:
    """Every input and select on a page has a label pointing at its id."""
    found = page(get(served.base + path))
    labelled = {attrs["for"] for attrs in found.find("label")}
    fields = [attrs for tag, attrs in found.elements if tag in {"input", "select", "textarea"}]
    for attrs in fields:
        if attrs.get("type") not in INPUTS_WITHOUT_LABELS:
            assert attrs.get("id") in labelled, attrs


@pytest.mark.parametrize("path", ["/", "/about", "/api.html", "/features/toilets/T03", "/nowhere", "/static/app.js"])
def test_pages_carry_the_security_headers(served: Served, path: str) -> None:
    """Pages and static files have the same security policy as the API, which forbids inline scripts."""
    answer = get(served.base + path)
    for name, value in security_headers(served.app.state.api.settings.map.tile_source).items():
        assert answer.headers[name] == value, name
    assert "unsafe-inline" not in answer.headers["Content-Security-Policy"]
    assert "Access-Control-Allow-Origin" not in answer.headers


# Home


def test_home_names_the_place_and_organisation_from_settings(served: Served) -> None:
    """The home page's heading and footer come from place.toml, with nothing place-specific in the templates."""
    found = home(served)
    assert found.title == "Find a public toilet in Testshire"
    assert "Public toilets in Testshire" in found.text  # the site's name, in the header
    assert "Testshire Council" in found.text
    assert found.find("a", href="https://www.testshire.example")


def test_home_lists_the_first_page_and_links_the_next(served: Served) -> None:
    """Without a search, the list shows the first 20 features in load order and a next link, and page 2 the rest."""
    found = home(served)
    assert listed(found) == [row["LocationText"] for row in toilet_rows()][:20]
    assert "Showing 1 to 20 of 23." in found.text
    (next_link,) = found.find("a", rel="next")
    assert not found.find("a", rel="prev")
    second = home(served, urlsplit(next_link["href"]).query)
    assert listed(second) == [row["LocationText"] for row in toilet_rows()][20:]
    assert "Showing 21 to 23 of 23." in second.text
    assert second.find("a", rel="prev")
    assert not second.find("a", rel="next")
    assert second.find("ol", start="21")


def test_list_items_carry_what_the_map_draws(served: Served) -> None:
    """Each list item holds its position, name and address for the map; the map holds the tiles from settings."""
    found = home(served)
    first = found.find("li", data_feature="")[0]
    assert (first["data-lat"], first["data-lon"]) == ("53.45", "-2.3")
    assert first["data-href"] == "/features/toilets/T00"
    assert first["data-summary"] == (
        "High Street, AB1 3CD; \N{POUND SIGN}0.20; "
        "Toilets: Unisex, Accessible toilet: Unisex, RADAR key needed, Baby change"
    )
    (map_element,) = found.find("div", data_map="")
    assert map_element["data-tile-url"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert map_element["data-tile-attribution"] == "\N{COPYRIGHT SIGN} OpenStreetMap contributors"
    assert map_element["data-list"] == "list-toilets"
    assert map_element["aria-label"]
    assert "The map needs JavaScript" in found.text


def test_filters_come_from_the_schema(served: Served) -> None:
    """The theme's resident filters are boxes to tick, first; every other enum and boolean field a select after."""
    found = home(served)
    selects = {attrs["name"] for attrs in found.find("select")}
    booleans = {spec["name"] for spec in FIELDS if spec["type"] == "boolean"}
    enums = {spec["name"] for spec in FIELDS if "enum" in spec.get("constraints", {})}
    boxes = [(attrs["name"], attrs["value"]) for attrs in found.find("input", type="checkbox")]
    resident = [("BabyChange", "true"), ("ChangingPlace", "true"), ("ChargeAmount", "0"), ("RADARKeyNeeded", "false")]
    assert boxes == [("open_now", "true"), ("accessible", "true"), *resident, ("FamilyToilet", "true")]
    assert selects == (booleans | enums) - {"CoordinateReferenceSystem", "FamilyToilet", *dict(resident)}
    assert found.find("details", **{"class": "govuk-details more-filters"})
    assert found.find("input", name="q", type="search")
    assert found.find("input", name="near")
    assert found.find("button", data_near_me="", hidden="")  # shown by app.js where the browser can locate


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Category=Unisex", 8),
        ("Category=unisex", 8),
        ("BabyChange=true", 12),
        ("BabyChange=false&Category=Unisex", 4),
        ("Category=", 23),  # "Any"
        ("Category=Children+only", 0),
    ],
)
def test_filters_narrow_the_list(served: Served, query: str, expected: int) -> None:
    """The filters narrow the list as the API's do, and the chosen option stays selected."""
    found = home(served, query + "&page-toilets=1")
    if expected:
        assert f" of {expected}." in found.text
    else:
        assert "Nothing matches this search" in found.text
    name, _, value = query.partition("&")[0].partition("=")
    answer = get(served.base + "/?" + query)
    if name == "BabyChange":  # a resident filter: its box is ticked for the value it stands for
        (box,) = page(answer).find("input", id="field-BabyChange")
        assert ("checked" in box) == (value == "true")
    elif value:
        canonical = {"unisex": "Unisex", "Children+only": "Children only"}.get(value, value)
        assert f'<option value="{canonical}" selected>' in answer.text
    else:
        assert '<option value="" selected>Any</option>' in answer.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("datetime=2025-01-01/..", 11),
        ("datetime=2025-01-01/", 11),
        ("datetime=/2024-03-31", 3),
        ("datetime=2024-03-05", 1),
        ("datetime=2024-01-01/2024-12-31&Category=Unisex", 4),
        ("datetime=2030-01-01/..", 0),
    ],
)
def test_dates_narrow_the_list(served: Served, query: str, expected: int) -> None:
    """The extract date field narrows the list as the API's datetime does, and keeps what was typed."""
    found = home(served, query)
    if expected:
        assert f" of {expected}." in found.text
    else:
        assert "Nothing matches this search" in found.text
    (field,) = found.find("input", name="datetime")
    assert field["value"] == parse_qs(query)["datetime"][0]
    assert found.find("label", **{"for": "field-datetime"})
    assert "Extract date (optional)" in found.text


@pytest.mark.parametrize(
    "words", [("toilet", "2"), ("TOILET",), ("t/22",), ("testshire", "Unisex"), ("toi", "UNI"), ("oilet",)]
)
def test_word_search_finds_every_word_in_any_case(served: Served, words: tuple[str, ...]) -> None:
    """q matches features whose id or text fields have a word beginning with each word typed, in any case."""
    expected = matching(*words)
    assert words == ("oilet",) or expected  # the words find something, but not the inside of a word
    names: list[str] = []
    query = "q=" + quote(" ".join(words))
    while query is not None:
        found = home(served, query)
        names.extend(listed(found))
        next_links = found.find("a", rel="next")
        query = urlsplit(next_links[0]["href"]).query if next_links else None
    assert names == expected
    assert found.title == "Search results: Public toilets in Testshire"
    assert found.find("input", name="q", value=" ".join(words))


def test_word_search_says_when_it_stopped_early(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    """A word search counts a bounded number of features, and says so when there were more to count."""
    monkeypatch.setattr(pages, "SEARCH_LIMIT", 5)
    found = home(served, "q=toilet")
    assert listed(found) == [row["LocationText"] for row in toilet_rows()][: pages.PAGE_SIZE]
    assert f"Showing 1 to {pages.PAGE_SIZE} of {pages.PAGE_SIZE} or more." in found.text
    assert "use the filters to narrow it" in found.text
    monkeypatch.setattr(served.app.state.api.store, "search", lambda *args, **kwargs: None)
    monkeypatch.setattr(pages, "SEARCH_BATCH", 5)
    monkeypatch.setattr(pages, "SCAN_LIMIT", 5)
    found = home(served, "q=toilet")  # without the word index, it reads at most SCAN_LIMIT features
    assert listed(found) == [row["LocationText"] for row in toilet_rows()][:5]
    assert "Showing 1 to 5 of 5 or more." in found.text


def test_word_search_stops_when_its_time_is_up(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past its time a word search reads nothing more and says the count is "or more", near a point too."""
    monkeypatch.setattr(pages, "SEARCH_SECONDS", 0.0)
    for query in ("q=toilet", "q=toilet&near=53.45,-2.3"):
        found = home(served, query)
        assert listed(found) == []
        assert "The search stopped before it found anything" in found.text


def test_word_search_without_the_index_reads_features(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    """For a collection loaded before the store indexed words, q matches words anywhere in the text, in batches."""
    monkeypatch.setattr(served.app.state.api.store, "search", lambda *args, **kwargs: None)
    monkeypatch.setattr(pages, "SEARCH_BATCH", 5)
    found = home(served, "q=oilet+2")
    assert listed(found) == matching("oilet", "2", anywhere=True)
    assert listed(found) != matching("oilet", "2")


def test_word_search_near_a_point_ranks_twice_as_many_each_time(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the word index, the store ranks 5, 10, 20, ... candidates, not once per batch: at most twice the work."""
    calls: list[tuple[int, int]] = []
    nearest = served.app.state.api.store.nearest

    def counted(*args, **kwargs):
        calls.append((kwargs.get("offset", 0), kwargs["limit"]))
        return nearest(*args, **kwargs)

    monkeypatch.setattr(pages, "SEARCH_BATCH", 5)
    monkeypatch.setattr(served.app.state.api.store, "search", lambda *args, **kwargs: None)
    monkeypatch.setattr(served.app.state.api.store, "nearest", counted)
    found = home(served, "q=toilet&near=53.45,-2.3")
    assert len(listed(found)) == pages.PAGE_SIZE
    assert calls == [(0, 5), (0, 10), (0, 20), (0, 40)]  # 23 toilets: the last ranking holds them all


def test_near_sorts_by_distance(served: Served) -> None:
    """A point typed as latitude, longitude lists the nearest first, each with its distance."""
    found = home(served, "near=" + quote("53.49, -2.28"))
    assert listed(found)[:2] == ["Toilet 22", "Toilet 21"]
    assert re.search(
        r"Toilet 22 Toilets: [A-Za-z ]+, Baby change 0 m away Toilet 21 Toilets: [A-Za-z ]+ 6\d\d m away", found.text
    )
    assert "nearest first" in found.text
    filtered = home(served, "near=53.49,-2.28&Category=Unisex&q=toilet")
    assert listed(filtered)[0] == "Toilet 21"
    assert len(listed(filtered)) == 8
    (api_link,) = filtered.find("a", href="/api/collections/toilets/items?Category=Unisex&near=-2.28%2C53.49")
    assert api_link


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("near=abc", "near", "latitude, longitude"),
        ("near=100,0", "near", "latitude runs from -90 to 90"),
        ("BabyChange=maybe", "BabyChange", "Baby change"),
        ("Category=Palace", "Category", "Category"),
        ("datetime=2024-13-01", "datetime", "Extract date: '2024-13-01' is not a date"),
        ("datetime=2024-06-30/2024-01-01", "datetime", "ends before it starts"),
    ],
)
def test_a_bad_search_is_explained_beside_the_form(served: Served, query: str, field: str, words: str) -> None:
    """A value the data cannot hold is a 400 page whose error summary links the field and names it."""
    answer = get(served.base + "/?" + query)
    assert answer.status == 400
    found = page(answer)
    assert found.find("div", role="alert")
    assert found.find("a", href=f"#field-{field}")
    assert words in found.text
    assert found.find("form", role="search")


def test_odd_page_numbers_fall_back_to_the_first_page(served: Served) -> None:
    """A page number that is not a whole number from 1 shows the first page rather than an error."""
    for value in ("0", "-1", "x", "9" * 30):
        assert listed(home(served, f"page-toilets={value}"))[0] == "Toilet 0"
    past = home(served, "q=toilet&page-toilets=9")
    assert "Page 9 is past the end of the list." in past.text
    assert past.find("a", href="/?q=toilet&page-toilets=1#toilets")


# One feature


def test_feature_page_shows_every_field_with_its_title(served: Served) -> None:
    """The full record, folded in a details element, labels every schema field with its title; flags read Yes or No
    and blanks Not recorded."""
    found = page(get(served.base + "/features/toilets/T00"))
    assert found.title == "Toilet 0 - Public toilets in Testshire"
    record = get(served.base + "/features/toilets/T00").text.split('<details class="govuk-details record">', 1)[1]
    terms = re.findall(r"<dt[^>]*>(.*?)</dt>", record.split("</details>", 1)[0])
    assert terms[: len(FIELDS)] == [spec["title"] for spec in FIELDS]
    text = found.text
    assert "Baby change Yes" in text
    assert "Opening hours 24 hours" in text
    assert "Extract date 2024-01-05" in text
    assert "Position Latitude 53.45, longitude -2.3" in text
    assert "Identifier T00" in text
    assert "Other columns in the source" in text
    assert "Ward Ward 0" in text
    assert found.find("a", href="/api/collections/toilets/items/T00")
    assert "No" in page(get(served.base + "/features/toilets/T01")).text.split("Baby change", 1)[1][:4]


def back_link(found: Page) -> str:
    """Where a record page's back link goes."""
    index = found.elements.index(("p", {"class": "back"}))
    tag, attrs = found.elements[index + 1]
    assert tag == "a"
    return attrs["href"]


def test_a_record_page_answers_a_resident_first(served: Served) -> None:
    """Name, charge, facilities as words and address come first, in the theme's x-page order, then the rest."""
    answer = get(served.base + "/features/toilets/T00")
    found = page(answer)
    start = found.text.index("Toilet 0 Opening hours")
    assert found.text[start:].startswith(
        "Toilet 0 Opening hours Open 24 hours. 24 hours Charge \N{POUND SIGN}0.20 Facilities Toilets: Unisex "
        "Accessible toilet: Unisex RADAR key needed Baby change Address High Street, AB1 3CD Get directions"
    )
    assert found.text.index("Get directions") < found.text.index("Report a problem with this place")
    assert found.text.index("Report a problem with this place") < found.text.index("Extract date 2024-01-05")
    assert found.find("details", **{"class": "govuk-details record"})
    assert found.find("summary")
    assert "Charge Free" in page(get(served.base + "/features/toilets/T01")).text
    assert "Charge" not in page(get(served.base + "/features/toilets/T02")).text.split("Get directions")[0]


def test_opening_hours_say_whether_a_place_is_open_now(served: Served) -> None:
    """Hours the app reads give "Open 24 hours"; hours kept as text, or none, are "not known", never guessed."""
    assert "Opening hours Hours not known. Dawn till dusk" in page(get(served.base + "/features/toilets/T01")).text
    assert "Opening hours Hours not known Charge" not in page(get(served.base + "/features/toilets/T02")).text
    assert "Opening hours Hours not known" in page(get(served.base + "/features/toilets/T02")).text
    listed = home(served)
    items = [item for item in listed.find("li") if "data-feature" in item]
    assert len(items) == 20
    assert "Toilet 0 Open 24 hours" in listed.text
    assert listed.text.count("Hours not known") == 1  # only toilet 1's, whose hours are written but not read


def test_a_record_page_links_directions_without_loading_anything(served: Served) -> None:
    """Directions are two plain links: a geo: URI and OpenStreetMap's route planner to the place."""
    found = page(get(served.base + "/features/toilets/T03"))
    assert found.find("a", href="geo:53.45,-2.27")
    assert found.find("a", href="https://www.openstreetmap.org/directions?to=53.45,-2.27")


def test_a_record_page_makes_valid_contacts_tappable(served: Served) -> None:
    """A valid report e-mail and telephone become mailto: and tel: (digits and + only) links."""
    found = page(get(served.base + "/features/toilets/T00"))
    assert len(found.find("a", href="tel:01614960000")) == 1
    assert "Telephone: 0161 496 0000" in found.text
    assert found.find("a", href="mailto:report@council.example")


@pytest.mark.parametrize("toilet", ["T03", "T05"])
def test_hostile_contacts_are_never_links(served: Served, toilet: str) -> None:
    """javascript:, quotes and markup in e-mail, telephone and web address fields stay text, never an href."""
    answer = get(served.base + f"/features/toilets/{toilet}")
    found = page(answer)
    hrefs = [attrs["href"] for tag, attrs in found.elements if "href" in attrs]
    assert not [href for href in hrefs if href.lower().startswith(("javascript:", "tel:"))]
    assert not [href for href in hrefs if "evil" in href or "x.example" in href]
    assert "<b>" not in answer.text
    assert ' onclick="' not in answer.text
    values = REPORTS[int(toilet[1:])]
    assert f"Telephone: {values['ReportTel']}" in found.text  # shown as text
    mailto = next(href for href in hrefs if href.startswith("mailto:"))
    assert mailto.startswith("mailto:open-data@testshire.example?")  # the report goes to the organisation


def test_report_a_problem_writes_the_email(served: Served) -> None:
    """The report link e-mails the record's report address, with its id and page address in the subject and body."""
    found = page(get(served.base + "/features/toilets/T%2F22"))
    (report,) = [attrs for attrs in found.find("a") if attrs["href"].startswith("mailto:open-data@testshire.example?")]
    query = parse_qs(urlsplit(report["href"]).query)
    assert query["subject"] == ["Problem with Toilet 22 (T/22)"]
    assert "the record T/22 in toilets, " + served.base + "/features/toilets/T%2F22." in query["body"][0]
    assert "%20" in report["href"]
    assert " " not in report["href"]
    own = page(get(served.base + "/features/toilets/T00"))
    assert [a for a in own.find("a") if a["href"].startswith("mailto:report@council.example?subject=Problem")]


def test_back_to_results_keeps_the_search(served: Served) -> None:
    """A record opened from a page of results links back to that same page, search and all."""
    listed_page = home(served, "q=toilet&Category=Unisex&page-toilets=1")
    item = listed_page.find("li", data_feature="")[0]
    detail = page(get(served.base + item["data-href"]))
    assert back_link(detail) == "/?q=toilet&Category=Unisex&page-toilets=1#toilets"
    assert "Back to results" in detail.text
    again = home(served, urlsplit(back_link(detail)).query)
    assert listed(again) == listed(listed_page)
    assert home(served).find("li", data_feature="")[0]["data-href"] == "/features/toilets/T00"  # nothing to keep


@pytest.mark.parametrize(
    "value",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "/about",
        "/?q=x&next=https://evil.example",
        '/?q="><script>alert(1)</script>',
        "/#<script>",
    ],
)
def test_the_back_link_goes_nowhere_but_the_list(served: Served, value: str) -> None:
    """A from parameter that is not the home page with its own parameters leaves the back link at the home page."""
    answer = get(served.base + "/features/toilets/T00?from=" + quote(value, safe=""))
    found = page(answer)
    assert "evil" not in answer.text
    assert "<script>alert" not in answer.text
    if value.startswith('/?q="'):  # the home page with its own parameter: rebuilt, encoded
        assert back_link(found) == "/?q=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E"
    else:
        assert back_link(found) == "/"
        assert "Back to the list" in found.text


def test_feature_page_has_a_map_of_its_position(served: Served) -> None:
    """The feature page's map draws the one point it lists."""
    found = page(get(served.base + "/features/toilets/T03"))
    (map_element,) = found.find("div", data_map="")
    (point,) = found.find("li", data_feature="")
    assert map_element["data-list"] == "feature-point"
    assert (point["data-lat"], point["data-lon"]) == ("53.45", "-2.27")


def test_an_id_with_a_slash_has_its_own_page(served: Served) -> None:
    """The list links a feature whose id holds a slash to its page, and the page links its JSON."""
    found = home(served, "q=t%2F22")
    (item,) = found.find("li", data_feature="")
    assert item["data-href"] == "/features/toilets/T%2F22?from=%2F%3Fq%3Dt%252F22%26page-toilets%3D1%23toilets"
    detail = page(get(served.base + item["data-href"]))
    assert "Identifier T/22" in detail.text
    (json_link,) = detail.find("a", href="/api/collections/toilets/items/T%2F22")
    assert get(served.base + json_link["href"]).json()["id"] == "T/22"


@pytest.mark.parametrize(
    "path",
    [
        "/features/toilets/T99",
        "/features/toilets/..%2F..%2Fplace.toml",
        "/features/toilets/%00",
        "/features/nowhere/T01",
        "/features/%3Cscript%3E/T01",
        "/features",
        "/no/such/page",
        "/static/missing.js",
    ],
)
def test_unknown_addresses_are_friendly_html_404s(served: Served, path: str) -> None:
    """A missing feature, collection or page is an HTML 404 that says so and links home, without internals."""
    answer = get(served.base + path)
    assert answer.status == 404
    found = page(answer)
    assert found.title.startswith("Page not found")
    assert found.find("a", href="/")
    assert "Traceback" not in answer.text
    assert "<script>" not in answer.text.split("</head>", 1)[1]


def test_the_api_still_answers_errors_in_json(served: Served) -> None:
    """Under /api errors stay JSON: the HTML error pages are for people."""
    answer = get(served.base + "/api/collections/nowhere")
    assert answer.status == 404
    assert answer.headers["Content-Type"] == "application/json"
    answer = get(served.base + "/api/no/such")
    assert answer.headers["Content-Type"] == "application/json"


# Stored HTML stays text


@pytest.mark.parametrize(
    "path", ["/", "/?q=" + quote("<script>"), "/?near=53.46,-2.28", "/features/toilets/T07", "/about"]
)
def test_stored_html_is_shown_as_text(served: Served, path: str) -> None:
    """A feature named with a script tag appears escaped, as text, never as markup."""
    answer = get(served.base + path)
    assert "<script>alert" not in answer.text
    if path != "/about":
        assert ESCAPED_SCRIPT in answer.text
        assert HOSTILE_NAME in page(answer).text or HOSTILE_NAME in [
            attrs.get("data-name") for attrs in page(answer).find("li")
        ]


def test_the_script_writes_data_only_as_text() -> None:
    """app.js builds popups from DOM nodes and textContent; it never writes markup, and escapes the attribution."""
    script = (STATIC / "app.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, sink
    assert "textContent" in script
    assert ".bindPopup(popupContent(item))" in script
    assert 'escapeText(element.getAttribute("data-tile-attribution")' in script


# About


def test_about_shows_each_collections_provenance(served: Served) -> None:
    """The about page gives each collection's source, licence, fetch time and row counts."""
    found = page(get(served.base + "/about"))
    assert found.title == "About - Public toilets in Testshire"
    provenance = served.app.state.api.store.provenance()[0]
    text = found.text
    assert "Source data/raw/toilets.csv" in text
    assert "Licence OGL-UK-3.0" in text
    assert found.find("a", href="https://spdx.org/licenses/OGL-UK-3.0.html")
    assert f"Last fetched {provenance.fetched_at}" in text
    assert "Rows read 23 Rows loaded 23 Rows rejected 0" in text
    assert "place.toml" in text


def test_about_names_the_code_licence_from_the_package_metadata(served: Served) -> None:
    """The code licence shown is the one the installed engine declares (no project is installed beside it here)."""
    licence = tomllib.loads((ENGINE_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"]
    assert licence.endswith(" AND BSD-2-Clause")  # Leaflet, which the engine ships
    assert pages.code_licence() == f"{licence} (local-data-app)"
    assert f"under {licence} (local-data-app): SPDX licence expressions" in page(get(served.base + "/about")).text


def test_the_about_page_reads_the_package_metadata_once_a_process(served: Served, monkeypatch) -> None:
    """Every installed distribution's metadata took about 100 ms to read: not a cost to pay on every request."""
    named = pages.code_licence()

    def unread() -> None:
        raise AssertionError("the package metadata was read again")

    monkeypatch.setattr(pages.metadata, "distributions", unread)
    assert f"under {named}: SPDX licence expressions" in page(get(served.base + "/about")).text


# Static files


@pytest.mark.parametrize(
    ("path", "types"),
    [
        ("/static/app.js", {"text/javascript; charset=utf-8", "application/javascript"}),
        ("/static/app.css", {"text/css; charset=utf-8"}),
        ("/static/vendor/leaflet/leaflet.js", {"text/javascript; charset=utf-8", "application/javascript"}),
        ("/static/vendor/leaflet/leaflet.css", {"text/css; charset=utf-8"}),
        ("/static/vendor/leaflet/images/marker-icon.png", {"image/png"}),
        ("/static/vendor/leaflet/images/marker-shadow.png", {"image/png"}),
    ],
)
def test_static_files_are_served_with_their_types(served: Served, path: str, types: set[str]) -> None:
    """The app serves its own script, styles and Leaflet, so pages need no other site's code."""
    answer = get(served.base + path)
    assert answer.status == 200
    assert answer.headers["Content-Type"] in types
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_every_page_asset_is_the_apps_own(served: Served) -> None:
    """Every script and style sheet a page loads comes from /static and is served."""
    found = home(served)
    assets = [attrs["src"] for attrs in found.find("script")] + [
        attrs["href"] for attrs in found.find("link", rel="stylesheet")
    ]
    assert assets
    for address in assets:
        assert address.startswith("/static/")
        assert get(served.base + address).status == 200


def test_leaflet_is_vendored_with_its_licence() -> None:
    """Leaflet 1.9.4 is shipped with its BSD licence, which the engine's wheel carries, recorded for REUSE."""
    leaflet = STATIC / "vendor" / "leaflet"
    assert 'version="1.9.4"' in (leaflet / "leaflet.js").read_text(encoding="utf-8")
    assert (leaflet / "LICENSE").read_text(encoding="utf-8").startswith("BSD 2-Clause License")
    engine = tomllib.loads((ENGINE_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "src/local_data_app/web/static/vendor/leaflet/LICENSE" in engine["license-files"]
    reuse = tomllib.loads((ENGINE_DIR / "REUSE.toml").read_text(encoding="utf-8"))
    (note,) = [note for note in reuse["annotations"] if "leaflet" in note["path"]]
    assert note["SPDX-License-Identifier"] == "BSD-2-Clause"
    assert reuse["annotations"].index(note) > 0  # after the engine's own "**": the last matching annotation applies


def test_markercluster_is_vendored_with_its_licence() -> None:
    """Leaflet.markercluster 1.5.3 is shipped with its MIT licence, carried by the wheel and recorded for REUSE."""
    cluster = STATIC / "vendor" / "markercluster"
    assert "L.MarkerClusterGroup" in (cluster / "leaflet.markercluster.js").read_text(encoding="utf-8")
    assert "Copyright 2012 David Leaver" in (cluster / "LICENSE").read_text(encoding="utf-8")
    engine = tomllib.loads((ENGINE_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "src/local_data_app/web/static/vendor/markercluster/LICENSE" in engine["license-files"]
    reuse = tomllib.loads((ENGINE_DIR / "REUSE.toml").read_text(encoding="utf-8"))
    (note,) = [note for note in reuse["annotations"] if "markercluster" in note["path"]]
    assert (note["SPDX-License-Identifier"], note["SPDX-FileCopyrightText"]) == ("MIT", "2012 David Leaver")
    assert reuse["annotations"].index(note) > 0


def test_govuk_frontend_is_vendored_with_its_licence_without_the_crown_or_its_font() -> None:
    """GOV.UK Frontend 5.14.0's styles, in the system's fonts, with no crest, header or file they would fetch."""
    folder = STATIC / "vendor" / "govuk-frontend"
    css = (folder / "govuk-frontend.min.css").read_text(encoding="utf-8")
    assert css.startswith("/*! GOV.UK Frontend 5.14.0 (MIT)")
    for component in (".govuk-summary-list__row", ".govuk-error-summary", ".govuk-pagination", ".govuk-checkboxes"):
        assert component in css
    assert "font-family:system-ui" in css
    for banned in ("GDS Transport", "@font-face", "url(", "copyright-logo", "govuk-header__"):
        assert banned not in css
    assert "Crown Copyright (Government Digital Service)" in (folder / "LICENSE").read_text(encoding="utf-8")
    assert "scripts/vendor_govuk_frontend.py" in (folder / "README.md").read_text(encoding="utf-8")
    engine = tomllib.loads((ENGINE_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "src/local_data_app/web/static/vendor/govuk-frontend/LICENSE" in engine["license-files"]
    reuse = tomllib.loads((ENGINE_DIR / "REUSE.toml").read_text(encoding="utf-8"))
    (note,) = [note for note in reuse["annotations"] if "govuk-frontend" in note["path"]]
    assert note["SPDX-License-Identifier"] == "MIT"
    assert reuse["annotations"].index(note) > 0


def test_pages_load_govuk_frontend_before_their_own_styles(served: Served) -> None:
    """The GOV.UK styles come first, so that app.css's rules (the brand's header band) win where both apply."""
    sheets = [urlsplit(attrs["href"]).path for attrs in home(served).find("link", rel="stylesheet")]
    assert sheets.index("/static/vendor/govuk-frontend/govuk-frontend.min.css") < sheets.index("/static/app.css")


# Before and without data


def test_pages_before_any_ingest_say_to_run_it(tmp_path: Path) -> None:
    """With no data loaded, home and about answer 200 with a message naming the ingest command."""
    config = write_project(tmp_path / "project", ward_rows())
    with running(create_app(load_settings(config))) as base:
        found = page(get(base + "/"))
        assert "No data has been loaded yet" in found.text
        assert f"python -m {pages.PACKAGE} ingest" in found.text
        assert "Not loaded yet: toilets." in found.text
        about = page(get(base + "/about"))
        assert "No data has been loaded yet" in about.text
        assert get(base + "/features/toilets/T00").status == 404


def test_an_empty_collection_says_so(tmp_path: Path) -> None:
    """A collection with no records shows a message instead of a list, and no map.

    Ingest refuses a load that would leave one (no records read, or every row
    rejected), but a database written before it did may hold one.
    """
    loaded = load_settings(write_project(tmp_path / "project"))
    fields = [*load_schema(loaded.settings.dataset.theme)["fields"], *AREA_FIELDS]
    nothing = Provenance(
        collection="toilets",
        theme="public_toilets",
        adapter="csv",
        location="data/raw/toilets.csv",
        licence="OGL-UK-3.0",
        attribution=None,
        fetched_at="2025-01-31T09:30:00+00:00",
        rows_read=3,
        rows_loaded=0,
        rows_rejected=3,
    )
    store = open_store(loaded.settings.database_url, loaded.project_dir)
    try:
        with store.replacing("toilets", fields) as new:
            new.commit(nothing)
    finally:
        store.close()
    with running(create_app(loaded)) as base:
        found = page(get(base + "/"))
        assert "There is nothing in this collection yet" in found.text
        assert not found.find("div", data_map="")
        assert "Rows read 3 Rows loaded 0 Rows rejected 3" in page(get(base + "/about")).text


def test_a_generic_points_project_gets_its_page_from_its_annotation(tmp_path: Path) -> None:
    """A generic_points project's list and record pages put its address and category first, from x-page alone."""
    rows = [
        {
            "Ref": "P1",
            "name": "Central Library",
            "category": "Library",
            "address": "Market Place",
            "postcode": "AB1 3CD",
            "url": "https://library.example/central",
            "x": "-2.3",
            "y": "53.45",
        }
    ]
    loaded = load_settings(write_project(tmp_path / "project", rows, name="places", theme="generic_points"))
    assert ingest(loaded)[0].loaded == 1
    with running(create_app(loaded)) as base:
        (item,) = page(get(base + "/")).find("li", data_feature="")
        assert item["data-summary"] == "Market Place, AB1 3CD; Category: Library"
        found = page(get(base + item["data-href"]))
        start = found.text.index("Central Library Category")
        assert found.text[start:].startswith(
            "Central Library Category Library Opening hours Hours not known Address Market Place, AB1 3CD "
            "Web page https://library.example/central Get directions"
        )
        assert found.find("a", href="https://library.example/central")
        assert found.find("a", href="https://www.openstreetmap.org/directions?to=53.45,-2.3")


def test_a_report_form_from_settings_is_linked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """[organisation] report_url adds a link to the organisation's own form; only a web address is taken."""
    config = write_project(tmp_path / "project", toilet_rows()[:2])
    monkeypatch.setenv("APP_ORGANISATION__REPORT_URL", "javascript:alert(1)")
    with pytest.raises(ConfigError, match=r"organisation\.report_url"):
        load_settings(config)
    monkeypatch.setenv("APP_ORGANISATION__REPORT_URL", "https://testshire.example/report?kind=toilet")
    loaded = load_settings(config)
    ingest(loaded)
    with running(create_app(loaded)) as base:
        found = page(get(base + "/features/toilets/T00"))
        assert found.find("a", href="https://testshire.example/report?kind=toilet")
        assert "Report it online" in found.text


def test_pages_say_which_of_how_many(served: Served) -> None:
    """The pager says "Page 1 of 2" and its links keep the search."""
    found = home(served, "q=toilet")
    assert "Page 1 of 2" in found.text
    second = home(served, urlsplit(found.find("a", rel="next")[0]["href"]).query)
    assert "Page 2 of 2" in second.text


def test_errors_follow_the_error_summary_pattern(served: Served) -> None:
    """The title starts "Error: ", a summary at the top links the field, and the message sits by the field."""
    answer = get(served.base + "/?Category=Palace&near=abc")
    found = page(answer)
    assert answer.status == 400
    assert found.title.startswith("Error: ")
    assert "There is a problem" in found.text
    for field in ("Category", "near"):
        assert found.find("a", href=f"#field-{field}")
        (message,) = found.find("p", id=f"{field}-error")
        assert message["class"] == "govuk-error-message"
        (control,) = [attrs for tag, attrs in found.elements if attrs.get("id") == f"field-{field}"]
        assert f"{field}-error" in control["aria-describedby"].split()
        assert control["aria-invalid"] == "true"
    assert answer.text.index('class="govuk-error-summary') < answer.text.index("<form")


def test_paging_keeps_every_choice_of_the_search(served: Served) -> None:
    """Next-page links keep the words, filters and point of the search."""
    found = home(served, "q=toilet&Category=&near=53.45,-2.3&datetime=2024-03-01/..")
    (next_link,) = found.find("a", rel="next")
    query = parse_qs(urlsplit(next_link["href"]).query)
    assert query == {"q": ["toilet"], "near": ["53.45,-2.3"], "datetime": ["2024-03-01/.."], "page-toilets": ["2"]}
    (api_link,) = found.find("a", href="/api/collections/toilets/items?datetime=2024-03-01%2F..&near=-2.3%2C53.45")
    assert api_link


@pytest.mark.parametrize(
    ("path", "scripts"),
    [
        ("/", ["leaflet/leaflet.js", "markercluster/leaflet.markercluster.js", "app.js"]),
        ("/features/toilets/T00", ["leaflet/leaflet.js", "app.js"]),
        ("/api/collections/toilets/items?f=html", ["leaflet/leaflet.js", "app.js"]),
        ("/about", ["app.js"]),
        ("/privacy", ["app.js"]),
        ("/api.html", ["app.js"]),
    ],
)
def test_only_the_pages_with_a_map_load_the_map_s_scripts(served: Served, path: str, scripts: list[str]) -> None:
    """Leaflet on the pages with a map, markercluster only on the home page's, and app.js everywhere, in that order."""
    found = Page(get(served.base + path).text)
    loaded = [
        script["src"].split("?")[0].removeprefix("/static/").removeprefix("vendor/")
        for script in found.find("script", src="")
    ]
    assert loaded == scripts
    styles = [link["href"] for link in found.find("link", rel="stylesheet")]
    assert any("leaflet.css" in href for href in styles) == ("leaflet/leaflet.js" in scripts)
