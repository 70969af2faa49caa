"""A small, real web site on 127.0.0.1 for tests: a route table of path → behaviour, and a log of every request.

The server is threaded, binds a random free port on 127.0.0.1 only, and closes with `stop()` (or the
`with` block, or the `test_site` pytest fixture). Behaviours cover the hostile cases a crawler meets.

    from testsite import TestSite, Static, NeverAnswer, Redirect

    with TestSite() as site:
        site.add("/feed.xml", Static(feed_bytes, content_type="application/rss+xml"))
        site.add("/slow", NeverAnswer())
        site.add("/robots.txt", Static(b"User-agent: *\\nDisallow: /private/\\n", content_type="text/plain"))
        url = site.url("/feed.xml")          # http://127.0.0.1:PORT/feed.xml
        ...
        assert site.count("/private/page") == 0
        assert site.bytes_sent["/huge"] < 60_000_000

Behaviours (all in this module): `Static` (with optional ETag / Last-Modified and 304 answers), `Flaky`
(N failures, then another behaviour), `Redirect`, `NeverAnswer`, `Trickle` (a few bytes at a time, forever),
`Endless` (bytes as fast as possible, forever), `Huge` (a body of N bytes, optionally without Content-Length),
`GzipBomb` (a small gzip body that inflates to N bytes), `ByQuery` (one answer per value of a query
parameter, for paged APIs), and `gzipped(body)` for a normal compressed page. Unknown paths answer 404.
A route is looked up first by path and query (`/api?page=2`), then by path alone.
"""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

import pytest

CHUNK = 64 * 1024


@dataclass(frozen=True)
class LoggedRequest:
    """One request the site received."""

    method: str
    path: str  # path with query, as sent
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival


class Behaviour(Protocol):
    """How a route answers."""

    def respond(self, handler: _Handler, site: TestSite) -> None:
        """Write a whole response to `handler`."""


def _send_head(handler: _Handler, status: int, headers: dict[str, str]) -> None:
    """Write the status line and headers."""
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()


def _write(handler: _Handler, site: TestSite, data: bytes) -> bool:
    """Send bytes, counting them per path; False once the client has gone away."""
    try:
        handler.wfile.write(data)
        handler.wfile.flush()
    except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
        return False
    site._count_bytes(handler.route_path, len(data))
    return True


@dataclass
class Static:
    """A fixed answer; with `etag` or `last_modified` set it answers conditional requests with 304."""

    body: bytes | str = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None

    def respond(self, handler: _Handler, site: TestSite) -> None:
        """Send the body, or 304 when the client's validators match."""
        body = self.body.encode("utf-8") if isinstance(self.body, str) else self.body
        headers = dict(self.headers)
        if self.content_type is not None:
            headers.setdefault("Content-Type", self.content_type)
        if self.etag:
            headers["ETag"] = self.etag
        if self.last_modified:
            headers["Last-Modified"] = self.last_modified
        if (self.etag and handler.headers.get("If-None-Match") == self.etag) or (
            self.last_modified and handler.headers.get("If-Modified-Since") == self.last_modified
        ):
            _send_head(handler, 304, {k: v for k, v in headers.items() if k != "Content-Type"})
            return
        headers.setdefault("Content-Length", str(len(body)))
        _send_head(handler, self.status, headers)
        _write(handler, site, body)


@dataclass
class Flaky:
    """Answer `failures` times with `status` (and `headers`, e.g. Retry-After), then as `then`."""

    failures: int
    then: Behaviour
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    _calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def respond(self, handler: _Handler, site: TestSite) -> None:
        """Fail or delegate, counting calls."""
        with self._lock:
            self._calls += 1
            failing = self._calls <= self.failures
        if failing:
            Static(b"server error", status=self.status, headers=self.headers).respond(handler, site)
        else:
            self.then.respond(handler, site)


@dataclass
class Redirect:
    """Redirect to `location` (absolute, or relative to the site)."""

    location: str
    status: int = 302

    def respond(self, handler: _Handler, site: TestSite) -> None:
        """Send the redirect."""
        location = site.url(self.location) if self.location.startswith("/") else self.location
        _send_head(handler, self.status, {"Location": location, "Content-Length": "0"})


@dataclass
class NeverAnswer:
    """Accept the request and never send a byte (until the site stops or `max_wait` seconds pass)."""

    max_wait: float = 60.0

    def respond(self, handler: _Handler, site: TestSite) -> None:
        """Wait silently."""
        site._stopping.wait(self.max_wait)


@dataclass
class Trickle:
    """Send headers, then `chunk` every `interval` seconds, forever: each read is quick, the body never ends."""

    chunk: bytes = b"<p>."
    interval: float = 0.1

    def respond(self, handler: _Handler, site: TestSite) -> None:
        """Trickle until the client leaves or the site stops."""
        _send_head(handler, 200, {"Content-Type": "text/html; charset=utf-8"})
        while not site._stopping.is_set() and _write(handler, site, self.chunk):
            time.sleep(self.interval)


@dataclass
class Endless:
    """An HTML body streamed as fast as the client reads, forever, without Content-Length."""

    def respond(self, handler: _Handler, site: TestSite) -> None:
        """Stream until the client leaves or the site stops."""
        _send_head(handler, 200, {"Content-Type": "text/html; charset=utf-8"})
        block = b"<p>" + b"x" * (CHUNK - 3)
        while not site._stopping.is_set() and _write(handler, site, block):
            pass


@dataclass
class Huge:
    """A body of `size` bytes of HTML; `content_length=False` streams it without announcing the size."""

    size: int
    content_length: bool = True

    def respond(self, handler: _Handler, site: TestSite) -> None:
        """Stream the body in chunks, stopping early if the client leaves."""
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if self.content_length:
            headers["Content-Length"] = str(self.size)
        _send_head(handler, 200, headers)
        block = b"<p>" + b"y" * (CHUNK - 3)
        remaining = self.size
        while remaining > 0 and not site._stopping.is_set():
            piece = block[: min(CHUNK, remaining)]
            if not _write(handler, site, piece):
                return
            remaining -= len(piece)


@dataclass
class ByQuery:
    """Choose a behaviour by the value of one query parameter (e.g. `page` of a paged API); 404 otherwise."""

    parameter: str
    answers: dict[str, Behaviour]

    def respond(self, handler: _Handler, site: TestSite) -> None:
        """Delegate to the answer for the parameter's value."""
        values = parse_qs(urlsplit(handler.path).query).get(self.parameter, [""])
        answer = self.answers.get(values[0]) or Static(b"[]", status=400, content_type="application/json")
        answer.respond(handler, site)


_BOMB_CACHE: dict[int, bytes] = {}


def gzip_bomb(decoded_size: int) -> bytes:
    """Return gzip bytes that inflate to `decoded_size` bytes of zeros (about 1000:1)."""
    if decoded_size not in _BOMB_CACHE:
        compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        zeros = bytes(1024 * 1024)
        parts = [compressor.compress(zeros) for _ in range(decoded_size // len(zeros))]
        parts.append(compressor.compress(bytes(decoded_size % len(zeros))))
        parts.append(compressor.flush())
        _BOMB_CACHE[decoded_size] = b"".join(parts)
    return _BOMB_CACHE[decoded_size]


@dataclass
class GzipBomb:
    """A small `Content-Encoding: gzip` body that inflates to `decoded_size` bytes."""

    decoded_size: int = 200 * 1024 * 1024

    def respond(self, handler: _Handler, site: TestSite) -> None:
        """Send the compressed body."""
        body = gzip_bomb(self.decoded_size)
        _send_head(handler, 200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip",
                                  "Content-Length": str(len(body))})
        _write(handler, site, body)


def gzipped(body: bytes | str, content_type: str = "text/html; charset=utf-8") -> Static:
    """A normal page sent with `Content-Encoding: gzip`."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return Static(gzip.compress(raw), content_type=content_type, headers={"Content-Encoding": "gzip"})


class _Handler(BaseHTTPRequestHandler):
    """Dispatches each GET to the site's route table."""

    protocol_version = "HTTP/1.0"  # one request per connection; bodies without length end at close
    server: _Server
    route_path: str = ""

    def do_GET(self) -> None:
        """Log the request and run the route's behaviour."""
        site = self.server.site
        site._log(LoggedRequest("GET", self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic()))
        behaviour, self.route_path = site._lookup(self.path)
        behaviour.respond(self, site)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


class _Server(ThreadingHTTPServer):
    """The HTTP server, knowing its site."""

    daemon_threads = True
    allow_reuse_address = True
    site: TestSite


class TestSite:
    """A threaded HTTP server on 127.0.0.1 with a route table and a request log."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self) -> None:
        """Create the site; call `start()` (or use `with`) to serve."""
        self.routes: dict[str, Behaviour] = {}
        self.requests: list[LoggedRequest] = []
        self.bytes_sent: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- routes and addresses --
    def add(self, path: str, behaviour: Behaviour | bytes | str) -> str:
        """Serve `behaviour` (or a Static HTML body) at `path`; return its full URL."""
        self.routes[path] = behaviour if not isinstance(behaviour, bytes | str) else Static(behaviour)
        return self.url(path)

    @property
    def port(self) -> int:
        """The port the site listens on."""
        assert self._server is not None, "site not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The absolute URL of a path on this site."""
        return self.base_url + path

    # -- request log --
    def paths(self) -> list[str]:
        """Paths (without query) of all requests so far, in arrival order."""
        with self._lock:
            return [urlsplit(r.path).path for r in self.requests]

    def count(self, path: str) -> int:
        """How many requests asked for `path` (compared with and without the query)."""
        with self._lock:
            return sum(1 for r in self.requests if r.path == path or urlsplit(r.path).path == path)

    def requests_for(self, path: str) -> list[LoggedRequest]:
        """The logged requests for `path` (with or without query)."""
        with self._lock:
            return [r for r in self.requests if r.path == path or urlsplit(r.path).path == path]

    # -- life cycle --
    def start(self) -> TestSite:
        """Bind a free port on 127.0.0.1 and serve in a background thread."""
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.site = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="testsite", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release waiting behaviours, stop serving and close the socket."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> TestSite:
        """Start on entry."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop on exit."""
        self.stop()

    # -- internals used by the handler --
    def _log(self, request: LoggedRequest) -> None:
        """Record one request."""
        with self._lock:
            self.requests.append(request)

    def _count_bytes(self, path: str, size: int) -> None:
        """Add to the bytes sent for `path`."""
        with self._lock:
            self.bytes_sent[path] = self.bytes_sent.get(path, 0) + size

    def _lookup(self, raw_path: str) -> tuple[Behaviour, str]:
        """Find the behaviour for a request path (with query first, then without)."""
        path = urlsplit(raw_path).path
        behaviour = self.routes.get(raw_path) or self.routes.get(path)
        return (behaviour or Static(b"not found", status=404, content_type="text/plain")), path


@pytest.fixture
def test_site() -> Iterator[TestSite]:
    """A started TestSite, stopped after the test."""
    with TestSite() as site:
        yield site
