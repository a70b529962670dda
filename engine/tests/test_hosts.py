"""The Host header is not trusted: links come from [server] public_url, or other hosts are refused."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import clean_settings_environment, serving, toilet_rows, write_project

from local_data_app.config import load_settings
from local_data_app.web.hosts import host_name

EVIL = "evil.example"


def request(base: str, path: str, host: str) -> tuple[int, dict[str, str], bytes]:
    """A GET with this Host header, whatever the address connected to."""
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=20)
    try:
        connection.request("GET", path, headers={"Host": host})
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = '\n[server]\npublic_url = "https://toilets.example.gov.uk"\n'
    with serving(tmp_path_factory.mktemp("public"), toilet_rows(), more_toml=server) as served:
        yield served.base


@pytest.fixture(scope="module")
def default(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = '\n[server]\nhosts = ["toilets.internal"]\n'
    with serving(tmp_path_factory.mktemp("default"), toilet_rows(), more_toml=server) as served:
        yield served.base


def hrefs(body: bytes) -> list[str]:
    document = json.loads(body)
    found = [link["href"] for link in document.get("links", [])]
    for feature in document.get("features", []):
        found += [link["href"] for link in feature["links"]]
    return found


@pytest.mark.parametrize("path", ["/api", "/api/collections", "/api/collections/toilets/items?limit=2"])
def test_with_a_public_url_every_link_starts_with_it_whatever_the_host(public: str, path: str) -> None:
    status, _, body = request(public, path, EVIL)
    assert status == 200
    links = hrefs(body)
    assert links
    assert all(href.startswith("https://toilets.example.gov.uk/api") for href in links), links


def test_with_a_public_url_a_redirect_goes_to_it(public: str) -> None:
    """Starlette's redirect from /about/ to /about names the public address, not the Host given."""
    status, headers, _ = request(public, "/about/", EVIL)
    assert status in {307, 308}
    assert headers["location"].startswith("https://toilets.example.gov.uk/about")


@pytest.mark.parametrize("path", ["/", "/api/collections", "/about/", "/healthz"])
def test_without_a_public_url_another_host_is_refused_with_what_to_set(default: str, path: str) -> None:
    status, headers, body = request(default, path, EVIL)
    assert status == 400
    answer = json.loads(body)
    assert answer["code"] == "InvalidHost"
    assert "[server] public_url" in answer["description"]
    assert EVIL not in headers.get("location", "")
    assert "content-security-policy" in {name.lower() for name in headers}  # refusals carry the security headers


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost:8000", "[::1]:8000", "toilets.internal", "TOILETS.internal:80"]
)
def test_without_a_public_url_loopback_and_the_listed_hosts_are_answered(default: str, host: str) -> None:
    status, _, body = request(default, "/api/collections", host)
    assert status == 200
    assert all(f"//{host.lower()}/api" in href.lower() for href in hrefs(body))


@pytest.mark.parametrize(
    ("given", "name"), [("Example.ORG:8080", "example.org"), ("[::1]:8000", "[::1]"), ("::1", "::1"), ("a", "a")]
)
def test_the_host_name_is_read_without_its_port(given: str, name: str) -> None:
    assert host_name(given) == name


def test_a_bad_host_name_in_place_toml_is_refused(tmp_path: Path) -> None:
    from local_data_app.errors import ConfigError

    with clean_settings_environment():
        config = write_project(tmp_path, toilet_rows())
        config.write_text(config.read_text(encoding="utf-8") + '\n[server]\nhosts = ["https://x.example/"]\n')
        with pytest.raises(ConfigError, match=r"server\.hosts"):
            load_settings(config)
