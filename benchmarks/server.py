"""A threaded static server for the generated site, in its own process so it never competes with the timed code."""

from __future__ import annotations

import email.utils
import hashlib
import http.server
import json
import multiprocessing
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

BASE_TOKEN = b"__BASE_URL__"
STATS_PATH = "/__bench_stats__"


class Stats:
    """Requests served and the CPU seconds the serving threads spent on them."""

    def __init__(self) -> None:
        """Start at zero."""
        self.lock = threading.Lock()
        self.requests = 0
        self.not_modified = 0
        self.bytes = 0
        self.cpu_seconds = 0.0

    def add(self, sent: int, cpu: float, not_modified: bool) -> None:
        """Count one answered request."""
        with self.lock:
            self.requests += 1
            self.not_modified += int(not_modified)
            self.bytes += sent
            self.cpu_seconds += cpu

    def as_dict(self) -> dict[str, Any]:
        """A snapshot for the benchmark process."""
        with self.lock:
            return {"requests": self.requests, "not_modified": self.not_modified, "bytes": self.bytes,
                    "cpu_seconds": round(self.cpu_seconds, 3)}


class SiteHandler(http.server.BaseHTTPRequestHandler):
    """Serves the site's files with ETag and Last-Modified, and answers conditional GETs with 304, like nginx."""

    protocol_version = "HTTP/1.1"  # keep-alive, as a real server offers
    disable_nagle_algorithm = True  # headers and body go out in two writes: Nagle would hold the body for an ACK
    site_root: Path
    base_url: bytes
    stats: Stats
    started: str

    def do_GET(self) -> None:
        """Answer one GET: a file, a folder's index.html, the stats, or 404."""
        cpu = time.thread_time()
        path = unquote(urlsplit(self.path).path)
        if path == STATS_PATH:
            self._send(200, json.dumps(self.stats.as_dict()).encode(), "application/json", {})
            return
        target = (self.site_root / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(self.site_root) or not target.is_file():
            self._send(404, b"not found", "text/plain", {})
            self.stats.add(0, time.thread_time() - cpu, False)
            return
        stat = target.stat()
        etag = '"' + hashlib.blake2b(f"{target}:{stat.st_mtime_ns}".encode(), digest_size=8).hexdigest() + '"'
        headers = {"ETag": etag, "Last-Modified": self.started}
        if self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == self.started:
            self._send(304, b"", "", headers)
            self.stats.add(0, time.thread_time() - cpu, True)
            return
        body = target.read_bytes().replace(BASE_TOKEN, self.base_url)
        kind = "application/xml" if target.suffix == ".xml" else (
            "text/plain; charset=utf-8" if target.suffix == ".txt" else "text/html; charset=UTF-8")
        self._send(200, body, kind, headers)
        self.stats.add(len(body), time.thread_time() - cpu, False)

    def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str]) -> None:
        """Write the status line, headers and body."""
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """No access log: it would cost more than the serving."""


def _serve(site_root: str, ports: Any, stop: Any) -> None:
    """Process body: serve until `stop` is set."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SiteHandler)
    server.daemon_threads = True
    port = server.server_address[1]
    handler = type("Handler", (SiteHandler,), {
        "site_root": Path(site_root).resolve(), "base_url": f"http://127.0.0.1:{port}".encode(),
        "stats": Stats(), "started": email.utils.formatdate(time.time() - 3600, usegmt=True)})
    server.RequestHandlerClass = handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ports.put(port)
    stop.wait()
    server.shutdown()
    server.server_close()


@contextmanager
def serve_in_process(site_root: Path) -> Iterator[str]:
    """Serve `site_root` on 127.0.0.1 from a separate process; yield the base URL."""
    context = multiprocessing.get_context("spawn")
    ports = context.Queue()
    stop = context.Event()
    process = context.Process(target=_serve, args=(str(site_root), ports, stop), daemon=True)
    process.start()
    try:
        port = ports.get(timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        process.join(timeout=10)
        if process.is_alive():
            process.terminate()


def server_stats(base_url: str) -> dict[str, Any]:
    """The server's counters so far."""
    response = httpx.get(base_url + STATS_PATH, timeout=10)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


async def _fetch_all(urls: list[str], concurrency: int) -> int:
    """GET every URL with `concurrency` connections; return the bytes received."""
    import asyncio

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    received = 0
    queue = list(reversed(urls))
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        async def worker() -> None:
            nonlocal received
            while queue:
                response = await client.get(queue.pop())
                received += len(response.content)
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return received


def measure_throughput(urls: list[str], concurrency: int) -> dict[str, float]:
    """How fast the server alone delivers the pages to a plain concurrent client (no parsing)."""
    import asyncio

    clock = time.perf_counter()
    received = asyncio.run(_fetch_all(urls, concurrency))
    seconds = time.perf_counter() - clock
    return {"pages": len(urls), "seconds": round(seconds, 3), "pages_per_second": round(len(urls) / seconds, 1),
            "megabytes": round(received / 1e6, 1), "concurrency": concurrency}
