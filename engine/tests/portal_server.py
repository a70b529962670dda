"""A real HTTP server on 127.0.0.1 that answers like CKAN, ArcGIS, OpenDataSoft and Socrata portals.

It serves one in-memory list of records (or an :class:`Endless` one) through
each portal's API, honouring each API's paging parameters, and whole files and
redirects at paths a test chooses. It can be told to fail: an HTTP error on
one page (once, or every time), an answer slower than the client's timeout,
JSON cut short, an HTML page, an XML document, the right answer labelled as
plain text, an empty body, a page with no records, the first page again
whatever the offset asked for, an answer of the wrong shape or an error in the
portal's own format; and, for the client's limits and completeness checks, a
body longer or shorter than its Content-Length, one without a Content-Length,
one sent a byte at a time, or a chunked body whole or cut off before its last
chunk. Every request is logged, so a test can count them and see the headers
sent.

    with PortalServer(records) as portal:
        portal.fail("status", page=2, times=1)
        ... read portal.url + CKAN_PATH ...
        assert len(portal.requests_to("ckan")) == 3
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal

CKAN_PATH = "/api/3/action/datastore_search"
ARCGIS_LAYER = "/arcgis/rest/services/Toilets/FeatureServer/0"
ODS_DATASETS = "/api/explore/v2.1/catalog/datasets/"
RESOURCE_ID = "3f4b6c1e-0000-4000-8000-000000000001"
DATASET_ID = "public-toilets"
FOUR_BY_FOUR = "abcd-1234"
ODS_WINDOW = 10_000

FaultKind = Literal[
    "status",
    "delay",
    "truncate",
    "short",
    "html",
    "xml",
    "plain",
    "empty",
    "no_records",
    "repeat",
    "wrong_shape",
    "error",
    "long",
    "unsized",
    "drip",
    "chunked",
    "chunked_cut",
]
XML_ERROR = b'<?xml version="1.0" encoding="UTF-8"?><ServiceExceptionReport><ServiceException>Bad request'
XML_ERROR += b"</ServiceException></ServiceExceptionReport>"
OFFSETS = ("offset", "resultOffset", "$offset")  # the paging offset's name in each portal's API


@dataclass(frozen=True)
class Item:
    """One record: its fields, and its point (longitude, latitude) or, for ArcGIS, another GeoJSON geometry."""

    values: dict[str, Any]
    point: tuple[float, float] | None = None
    geometry: dict[str, Any] | None = None


class Endless(Sequence[Item]):
    """A dataset larger than any portal holds (10**12 records unless told): each record made up when asked for."""

    def __init__(self, size: int = 10**12) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[number] for number in range(*index.indices(self.size))]
        if not 0 <= index < self.size:
            raise IndexError(index)
        return Item({"name": f"Toilet {index + 1}"}, point=(-2.3, 53.4 + index % 1000 / 10_000))


@dataclass
class Fault:
    """Something to go wrong with matching requests: ``times`` times (None: every time)."""

    kind: FaultKind
    endpoint: str | None = None  # one of ENDPOINTS, or None for any
    page: int | None = None  # the page (1 = the first) of the records asked for, or None for any request
    times: int | None = 1
    status: int = 500
    seconds: float = 1.0  # how long "delay" holds the answer back; the pause between bytes for "drip"
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, endpoint: str, page: int | None) -> bool:
        if self.times == 0:
            return False
        return (self.endpoint is None or self.endpoint == endpoint) and (self.page is None or self.page == page)


@dataclass(frozen=True)
class Seen:
    """A request the server received."""

    endpoint: str
    page: int | None
    params: dict[str, str]
    headers: dict[str, str]
    url: str


@dataclass
class Answer:
    status: int
    body: Any  # JSON-able, or bytes sent as they are
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    def data(self) -> bytes:
        return self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode("utf-8")


ENDPOINTS = (
    "ckan",
    "arcgis",
    "arcgis-count",
    "ods",
    "ods-export",
    "socrata",
    "socrata-count",
    "file",
    "redirect",
    "other",
)
CONTENT_TYPES = {".csv": "text/csv; charset=utf-8", ".json": "application/json", ".geojson": "application/geo+json"}


class PortalServer:
    """The server and its records, faults and log; a context manager that starts and stops it."""

    def __init__(
        self,
        items: Sequence[Item],
        max_records: int = 1000,
        arcgis_flag: str = "properties",
        files: dict[str, bytes] | None = None,
    ) -> None:
        self.items = items
        self.files = files or {}  # path: the bytes served there, whole
        self.redirects: dict[str, tuple[int, str]] = {}  # path: the status and Location answered there
        self.max_records = max_records  # the most CKAN, ArcGIS and Socrata send in one answer, whatever is asked
        self.arcgis_flag = arcgis_flag  # where exceededTransferLimit goes: "properties", "top" or "none"
        self.faults: list[Fault] = []
        self.log: list[Seen] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.httpd: _Server | None = None
        self.thread: threading.Thread | None = None

    def __enter__(self) -> PortalServer:
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.portal = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.005})
        self.thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stopping.set()  # wakes handlers that are holding back an answer
        assert self.httpd is not None
        assert self.thread is not None
        self.httpd.shutdown()
        self.httpd.server_close()  # waits for the handler threads
        self.thread.join()

    @property
    def url(self) -> str:
        assert self.httpd is not None
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def fail(self, kind: FaultKind, **details: Any) -> Fault:
        """Add a fault (see :class:`Fault`) and return it."""
        fault = Fault(kind, **details)
        with self.lock:
            self.faults.append(fault)
        return fault

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        """Answer requests for ``path`` with a redirect to ``location`` (a path here, or any URL)."""
        with self.lock:
            self.redirects[path] = (status, location)

    def requests_to(self, endpoint: str) -> list[Seen]:
        with self.lock:
            return [seen for seen in self.log if seen.endpoint == endpoint]

    def _take_fault(self, endpoint: str, page: int | None) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(endpoint, page):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    # Each portal's answers

    def answer(self, path: str, params: dict[str, str]) -> tuple[str, int | None, Answer]:
        """The endpoint asked for, the page and the normal answer."""
        if path in self.redirects:
            status, location = self.redirects[path]
            return "redirect", None, Answer(status, b"", "text/plain", {"Location": location})
        if path in self.files:
            content_type = CONTENT_TYPES.get(path[path.rfind(".") :], "application/octet-stream")
            return "file", None, Answer(200, self.files[path], content_type)
        if path == CKAN_PATH:
            return self._ckan(params)
        if path == ARCGIS_LAYER + "/query":
            return self._arcgis(params)
        if path.startswith(ODS_DATASETS):
            return self._ods(path.removeprefix(ODS_DATASETS), params)
        found = re.fullmatch(r"/resource/([^/]+)\.json", path)
        if found:
            return self._socrata(found[1], params)
        return "other", None, Answer(404, b"<html><body>Not found</body></html>", "text/html")

    def _ckan(self, params: dict[str, str]) -> tuple[str, int | None, Answer]:
        limit, offset = int(params.get("limit", "100")), int(params.get("offset", "0"))
        page = offset // limit + 1 if limit else None
        if params.get("resource_id") != RESOURCE_ID:
            error = {"__type": "Not Found Error", "message": "Not found: Resource was not found."}
            return "ckan", page, Answer(404, {"success": False, "error": error})
        sent = self._slice(offset, min(limit, self.max_records))
        records = [{"_id": offset + index + 1, **item.values} for index, item in enumerate(sent)]
        result = {"resource_id": RESOURCE_ID, "records": records, "total": len(self.items), "limit": limit}
        return "ckan", page, Answer(200, {"help": "datastore_search", "success": True, "result": result})

    def _arcgis(self, params: dict[str, str]) -> tuple[str, int | None, Answer]:
        if params.get("returnCountOnly") == "true":
            return "arcgis-count", None, Answer(200, {"count": len(self.items)})
        asked = int(params.get("resultRecordCount", str(self.max_records)))
        limit = min(asked, self.max_records)
        offset = int(params.get("resultOffset", "0"))
        features = []
        for index, item in enumerate(self._slice(offset, limit)):
            geometry = item.geometry or ({"type": "Point", "coordinates": list(item.point)} if item.point else None)
            properties = {"OBJECTID": offset + index + 1, **item.values}
            features.append(
                {"type": "Feature", "id": offset + index + 1, "geometry": geometry, "properties": properties}
            )
        body: dict[str, Any] = {"type": "FeatureCollection", "features": features}
        more = offset + limit < len(self.items)
        if more and self.arcgis_flag == "properties":
            body["properties"] = {"exceededTransferLimit": True}
        elif more and self.arcgis_flag == "top":
            body["exceededTransferLimit"] = True
        return "arcgis", offset // asked + 1, Answer(200, body, "application/geo+json")

    def _ods(self, rest: str, params: dict[str, str]) -> tuple[str, int | None, Answer]:
        dataset, _, tail = rest.partition("/")
        if dataset != DATASET_ID:
            error = {"error_code": "DatasetNotFound", "message": f"Unknown dataset: {dataset}"}
            return "ods", None, Answer(404, error)
        if tail == "exports/json":
            return "ods-export", None, Answer(200, [self._ods_record(item) for item in self.items])
        limit, offset = int(params.get("limit", "10")), int(params.get("offset", "0"))
        page = offset // limit + 1 if limit else None
        if limit > 100 or offset + limit > ODS_WINDOW:
            error = {"error_code": "InvalidRESTParameterError", "message": "Invalid value for limit or offset"}
            return "ods", page, Answer(400, error)
        results = [self._ods_record(item) for item in self._slice(offset, limit)]
        return "ods", page, Answer(200, {"total_count": len(self.items), "results": results})

    @staticmethod
    def _ods_record(item: Item) -> dict[str, Any]:
        point = {"lon": item.point[0], "lat": item.point[1]} if item.point else None
        return {**item.values, "geo_point_2d": point}

    def _socrata(self, dataset: str, params: dict[str, str]) -> tuple[str, int | None, Answer]:
        if dataset != FOUR_BY_FOUR:
            error = {"error": True, "message": f"Dataset '{dataset}' not found"}
            return "socrata", None, Answer(404, error)
        select = params.get("$select")
        if select is not None:
            found = re.fullmatch(r"count\(\*\)(?: AS (\w+))?", select)
            if not found:
                return "socrata-count", None, Answer(400, {"error": True, "message": "Unsupported $select"})
            return "socrata-count", None, Answer(200, [{found[1] or "count": str(len(self.items))}])
        limit, offset = int(params.get("$limit", "1000")), int(params.get("$offset", "0"))
        records = []
        for item in self._slice(offset, min(limit, self.max_records)):
            record = {key: value for key, value in item.values.items() if value is not None}  # Socrata leaves out nulls
            if item.point:
                record["location"] = {"type": "Point", "coordinates": list(item.point)}
            records.append(record)
        return "socrata", offset // limit + 1 if limit else None, Answer(200, records)

    def _slice(self, offset: int, limit: int) -> list[Item]:
        return self.items[offset : offset + limit]


def error_body(endpoint: str) -> Any:
    """An error in the portal's own format, sent with HTTP 200 (as ArcGIS does)."""
    if endpoint == "ckan":
        return {"success": False, "error": {"__type": "Authorization Error", "message": "Access denied"}}
    if endpoint.startswith("arcgis"):
        return {"error": {"code": 400, "message": "Unable to complete operation.", "details": ["Invalid query"]}}
    return {"error": True, "message": "Something went wrong"}


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close waits for every handler, so none outlives a test
    block_on_close = True
    portal: PortalServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        portal = self.server.portal
        parts = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        endpoint, page, answer = portal.answer(parts.path, params)
        with portal.lock:
            portal.log.append(Seen(endpoint, page, params, dict(self.headers.items()), self.path))
        fault = portal._take_fault(endpoint, page)
        if fault is not None and fault.kind == "repeat":  # as a portal, or a cache, that ignores the offset
            _, _, answer = portal.answer(parts.path, {**params, **{name: "0" for name in OFFSETS if name in params}})
            fault = None
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up, as a test meant it to
            self._send(fault, endpoint, answer)

    def _send(self, fault: Fault | None, endpoint: str, answer: Answer) -> None:
        if fault is None:
            return self._reply(answer.status, answer.data(), answer.content_type, answer.headers)
        portal = self.server.portal
        match fault.kind:
            case "status":
                self._reply(fault.status, b'{"message": "failed on purpose"}', "application/json", fault.headers)
            case "delay":
                portal.stopping.wait(fault.seconds)
                self._reply(answer.status, answer.data(), answer.content_type)
            case "truncate":  # no Content-Length: the client reads to the end and finds the JSON cut short
                data = answer.data()
                self._reply(answer.status, data[: len(data) // 2], answer.content_type, length=False)
            case "short":  # Content-Length promises more than is sent
                data = answer.data()
                self._reply(answer.status, data[: len(data) // 2], answer.content_type, length=len(data))
            case "html":
                self._reply(200, b"<!doctype html><title>Down for maintenance</title>", "text/html; charset=utf-8")
            case "xml":  # what a map server sends for a request it does not understand
                self._reply(200, XML_ERROR, "application/xml")
            case "plain":
                self._reply(answer.status, answer.data(), "text/plain; charset=utf-8")
            case "empty":
                self._reply(200, b"", answer.content_type)
            case "no_records":
                self._reply(200, json.dumps(_without_records(answer.body)).encode(), answer.content_type)
            case "wrong_shape":
                body = {"message": "not what you expected"} if isinstance(answer.body, list) else []
                self._reply(200, json.dumps(body).encode(), answer.content_type)
            case "error":
                self._reply(200, json.dumps(error_body(endpoint)).encode(), "application/json")
            case "long":  # Content-Length promises less than is sent
                data = answer.data()
                self._reply(answer.status, data, answer.content_type, length=len(data) // 2)
            case "unsized":  # the whole answer, ended by closing the connection
                self._reply(answer.status, answer.data(), answer.content_type, length=False)
            case "drip":  # the whole answer announced, then sent a byte every fault.seconds
                data = answer.data()
                self._reply(answer.status, b"", answer.content_type, length=len(data))
                for index in range(len(data)):
                    if portal.stopping.wait(fault.seconds):
                        break
                    self.wfile.write(data[index : index + 1])
            case "chunked" | "chunked_cut":  # chunked_cut: half the answer, and never the last, empty chunk
                data = answer.data()
                whole = fault.kind == "chunked"
                self._reply_chunked(
                    answer.status, data if whole else data[: len(data) // 2], answer.content_type, end=whole
                )
        return None

    def _reply_chunked(self, status: int, data: bytes, content_type: str, end: bool) -> None:
        self.protocol_version = "HTTP/1.1"  # chunked encoding is HTTP/1.1's; the client asks to close after it
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for start in range(0, len(data), 10):
            piece = data[start : start + 10]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        if end:
            self.wfile.write(b"0\r\n\r\n")

    def _reply(
        self,
        status: int,
        data: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        length: int | bool = True,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length is not False:
            self.send_header("Content-Length", str(len(data) if length is True else length))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


def _without_records(body: Any) -> Any:
    """The same answer with its records taken out (a page that came back empty)."""
    if isinstance(body, list):
        return []
    body = json.loads(json.dumps(body))
    for key in ("results", "features"):
        if key in body:
            body[key] = []
    if isinstance(body.get("result"), dict):
        body["result"]["records"] = []
    return body
