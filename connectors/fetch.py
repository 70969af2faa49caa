"""The polite HTTP fetcher: robots.txt, per-host rate, byte limits, hand-followed redirects, retries, SSRF guard."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from connectors.charset import decode_body
from connectors.compression import BadEncoding, BoundedDecoder, TooLarge
from connectors.localfiles import read_local_document
from connectors.models import DiscoveredItem, FetchRecord, FetchSettings, RawDocument, Source
from connectors.netguard import GuardedBackend, PrivateAddressError, Resolver, system_resolve
from connectors.ratelimit import HostRateLimiter
from connectors.robots import RobotsRules
from connectors.urls import canonicalise_url, host_key

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_REASONS = frozenset({"timeout", "connect_error", "read_error", "http_429"})
RETRY_AFTER_CAP = 60.0  # seconds; a longer Retry-After is treated as this long
ROBOTS_MAX_BYTES = 512 * 1024
BINARY_TYPES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/octet-stream",
                "application/zip", "application/gzip", "application/x-gzip", "application/msword",
                "application/vnd.", "application/x-", "model/")
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Share of U+FFFD in decoded text above which a page is called undecodable.
MAX_REPLACEMENT_SHARE = 0.10


@dataclass
class Response:
    """The outcome of one GET, redirects followed: the body only when `reason` is "ok"."""

    url: str
    final_url: str
    status: int | None
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    duration_ms: float = 0.0

    @property
    def ok(self) -> bool:
        """True for a usable answer (a body, or "not modified")."""
        return self.reason in ("ok", "not_modified")

    def record(self, source: str, stage: str, reason: str | None = None) -> FetchRecord:
        """Turn this response into a fetch-log record, with `reason` overriding when given."""
        final_reason = reason or self.reason
        return FetchRecord(
            source=source,
            url=self.url,
            status=self.status,
            ok=final_reason in ("ok", "not_modified"),
            reason=final_reason,
            bytes=len(self.body),
            duration_ms=round(self.duration_ms, 1),
            stage=stage,
        )


def _retry_after(value: str | None) -> float | None:
    """Parse a Retry-After header (seconds or an HTTP date) into seconds to wait."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def media_type(content_type: str) -> str:
    """Return the lower-case media type of a Content-Type header, without parameters."""
    return content_type.split(";", 1)[0].strip().lower()


def looks_like_html(body: bytes) -> bool:
    """Sniff a body without a Content-Type: does it start like an HTML document?"""
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<!--", b"<article", b"<p"))


class DiscoveryMemory:
    """What discovery learnt about each URL (hints, API-delivered bodies), kept process-wide for fetch_documents.

    The flow may discover with one Fetcher and fetch with another (one per batch, in another thread): this
    shared, bounded, thread-safe memory lets fetch_documents still use the WordPress API's content and the
    feed's title and date when it is handed plain URL strings.
    """

    def __init__(self, max_items: int = 20_000) -> None:
        """Keep at most `max_items` items, forgetting the oldest first."""
        self.max_items = max_items
        self._items: OrderedDict[tuple[str, str], DiscoveredItem] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, source: str, items: Sequence[DiscoveredItem]) -> None:
        """Store the items of one source's discovery."""
        with self._lock:
            for item in items:
                key = (source, item.url)
                self._items[key] = item
                self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def recall(self, source: str, url: str) -> DiscoveredItem | None:
        """Return what discovery found for a canonical URL of a source, if anything."""
        with self._lock:
            return self._items.get((source, url))


DISCOVERED = DiscoveryMemory()


class Fetcher:
    """Async context manager holding one HTTP client, the robots.txt cache and the rate limiter for a run."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        resolver: Resolver | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        """Prepare a fetcher; `resolver` and `network_backend` replace DNS and sockets (tests of DNS answers)."""
        self.settings = settings
        self.limiter = HostRateLimiter(settings.state_dir, settings.rate_limit_per_host)
        self.backend = GuardedBackend(
            settings.allow_private_addresses, inner=network_backend, resolver=resolver or system_resolve
        )
        self._robots: dict[str, RobotsRules] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        """Open the HTTP client."""
        transport = httpx.AsyncHTTPTransport(retries=0)
        # Our backend resolves and checks every address itself (SSRF guard); httpx offers no public hook for it.
        transport._pool._network_backend = self.backend
        timeout = httpx.Timeout(
            connect=self.settings.connect_timeout,
            read=self.settings.read_timeout,
            write=self.settings.read_timeout,
            pool=self.settings.total_timeout,
        )
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            headers={
                "User-Agent": self.settings.user_agent,
                "Accept-Encoding": "gzip, deflate",
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5",
                "Accept-Language": "ar,en;q=0.8",
            },
        )
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def remember(self, source: str, items: Sequence[DiscoveredItem]) -> None:
        """Keep discovery hints (and bodies delivered by an API) for `fetch_documents`, in this process."""
        DISCOVERED.remember(source, items)

    # ---- one GET, politely -------------------------------------------------------------------------------

    async def get(
        self,
        url: str,
        *,
        validators: dict[str, str] | None = None,
        max_bytes: int | None = None,
        check_robots: bool = True,
    ) -> Response:
        """GET `url` following redirects by hand; never raises: failures come back as a reason code."""
        started = time.monotonic()
        try:
            response = await self._get(url, validators, max_bytes, check_robots)
        except Exception as exc:  # the fetcher must never stop a run; an unknown failure is still a record
            response = Response(url, url, None, f"error_{type(exc).__name__}"[:40])
        response.duration_ms = (time.monotonic() - started) * 1000
        return response

    async def _get(
        self, url: str, validators: dict[str, str] | None, max_bytes: int | None, check_robots: bool
    ) -> Response:
        """Follow the redirect chain, checking scheme, robots.txt and loops at every hop."""
        current = url
        seen = {canonicalise_url(url)}
        for hop in range(self.settings.max_redirects + 1):
            if urlsplit(current).scheme.lower() not in ("http", "https"):
                return Response(url, current, None, "bad_scheme")
            if not await self.backend.host_allowed(urlsplit(current).hostname or ""):
                return Response(url, current, None, "private_address")
            if check_robots and not await self.robots_allow(current):
                rules = self._robots.get(host_key(current))
                reason = "robots" if rules is None or rules.mode == "rules" else rules.failure
                return Response(url, current, None, reason)
            response = await self._get_with_retries(current, validators if hop == 0 else None, max_bytes)
            response.url = url
            location = response.headers.get("location")
            if response.status not in REDIRECT_STATUSES or not location:
                return response
            target = urljoin(current, location.strip())
            key = canonicalise_url(target)
            if key in seen:
                return Response(url, target, response.status, "redirect_loop")
            seen.add(key)
            current = target
        return Response(url, current, None, "too_many_redirects")

    async def _get_with_retries(self, url: str, validators: dict[str, str] | None, max_bytes: int | None) -> Response:
        """One hop, retried with exponential backoff and jitter on 5xx, 429, timeouts and connection failures."""
        attempt = 0
        while True:
            response = await self._attempt(url, validators, max_bytes)
            retryable = response.reason in RETRY_REASONS or (response.status or 0) >= 500
            if not retryable or attempt >= self.settings.max_retries:
                return response
            wait = self.settings.backoff_base * (2**attempt) * (0.5 + random.random())
            hinted = _retry_after(response.headers.get("retry-after"))
            if hinted is not None:
                wait = max(wait, min(hinted, RETRY_AFTER_CAP))
            await asyncio.sleep(wait)
            attempt += 1

    async def _attempt(self, url: str, validators: dict[str, str] | None, max_bytes: int | None) -> Response:
        """Send one request within the per-request deadline and read the body under the byte limit."""
        assert self._client is not None, "use `async with Fetcher(settings)`"
        limit = max_bytes if max_bytes is not None else self.settings.max_body_bytes
        headers: dict[str, str] = {}
        if validators:
            if validators.get("etag"):
                headers["If-None-Match"] = validators["etag"]
            if validators.get("last_modified"):
                headers["If-Modified-Since"] = validators["last_modified"]
        await self.limiter.wait(host_key(url))
        status: int | None = None
        response_headers: dict[str, str] = {}
        try:
            async with asyncio.timeout(self.settings.total_timeout):
                request = self._client.build_request("GET", url, headers=headers)
                stream = await self._client.send(request, stream=True)
                try:
                    status = stream.status_code
                    response_headers = {k.lower(): v for k, v in stream.headers.items()}
                    if status == 304:
                        return Response(url, url, status, "not_modified", response_headers)
                    if status != 200:
                        reason = "redirect" if status in REDIRECT_STATUSES else f"http_{status}"
                        return Response(url, url, status, reason, response_headers)
                    length = response_headers.get("content-length", "")
                    if length.isdigit() and int(length) > limit:
                        return Response(url, url, status, "too_large", response_headers)
                    decoder = BoundedDecoder(response_headers.get("content-encoding", "identity"), limit)
                    chunks: list[bytes] = []
                    async for raw in stream.aiter_raw():
                        chunks.append(decoder.feed(raw))
                    chunks.append(decoder.flush())
                    return Response(url, url, status, "ok", response_headers, b"".join(chunks))
                finally:
                    await stream.aclose()
        except TooLarge:
            return Response(url, url, status, "too_large", response_headers)
        except BadEncoding:
            return Response(url, url, status, "bad_encoding", response_headers)
        except PrivateAddressError:
            return Response(url, url, None, "private_address")
        except (TimeoutError, httpx.TimeoutException):
            return Response(url, url, status, "timeout", response_headers)
        except httpx.ConnectError:
            return Response(url, url, None, "connect_error")
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
            return Response(url, url, status, "read_error", response_headers)
        except (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.LocalProtocolError, UnicodeError, ValueError):
            return Response(url, url, None, "bad_url")

    # ---- robots.txt ----------------------------------------------------------------------------------------

    async def robots_allow(self, url: str) -> bool:
        """True when the host's robots.txt (fetched once per run) lets us fetch `url`."""
        host = host_key(url)
        rules = self._robots.get(host)
        if rules is None:
            lock = self._robots_locks.setdefault(host, asyncio.Lock())
            async with lock:
                rules = self._robots.get(host)
                if rules is None:
                    rules = await self._load_robots(url)
                    self._robots[host] = rules
                    delay = rules.crawl_delay(self.settings.user_agent)
                    if delay:
                        self.limiter.set_crawl_delay(host, delay)
        return rules.allows(self.settings.user_agent, url)

    async def _load_robots(self, url: str) -> RobotsRules:
        """Fetch and parse robots.txt: 4xx allows everything; 5xx or no answer forbids everything this run."""
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        response = await self.get(robots_url, max_bytes=ROBOTS_MAX_BYTES, check_robots=False)
        if response.reason == "ok":
            text, _ = decode_body(response.body, response.headers.get("content-type"))
            return RobotsRules.from_text(text)
        if response.status is not None and 400 <= response.status < 500:
            return RobotsRules("allow_all")
        if response.reason in ("private_address", "bad_url", "bad_scheme"):
            return RobotsRules("deny_all", failure=response.reason)
        return RobotsRules("deny_all")

    # ---- documents -----------------------------------------------------------------------------------------

    async def fetch_documents(
        self, source: Source, urls: Sequence[str | DiscoveredItem]
    ) -> tuple[list[RawDocument], list[FetchRecord]]:
        """Fetch article pages (or read them from disk); one record per distinct URL, documents only for good pages."""
        items: dict[str, DiscoveredItem] = {}
        for entry in urls:
            item = entry if isinstance(entry, DiscoveredItem) else DiscoveredItem(str(entry))
            key = canonicalise_url(item.url)
            known = DISCOVERED.recall(source.name, key)
            if known is not None and isinstance(entry, str):
                item = known
            items.setdefault(key, item)
        semaphore = asyncio.Semaphore(max(1, self.settings.concurrency))

        async def one(key: str, item: DiscoveredItem) -> tuple[RawDocument | None, FetchRecord]:
            async with semaphore:
                try:
                    return await self._fetch_document(source, key, item)
                except Exception as exc:  # one bad URL never stops the others
                    reason = f"error_{type(exc).__name__}"[:40]
                    return None, FetchRecord(source.name, key, None, False, reason, 0, 0.0, "fetch")

        results = await asyncio.gather(*(one(key, item) for key, item in items.items()))
        documents = [doc for doc, _ in results if doc is not None]
        return documents, [record for _, record in results]

    async def _fetch_document(
        self, source: Source, key: str, item: DiscoveredItem
    ) -> tuple[RawDocument | None, FetchRecord]:
        """Get one article body and check that it is a real HTML page."""
        now = datetime.now(UTC)
        if item.html is not None:
            record = FetchRecord(source.name, key, None, True, "ok", len(item.html.encode("utf-8")), 0.0, "fetch")
            doc = RawDocument(source.name, key, item.url, item.html, "text/html", now,
                              item.title_hint, item.published_hint, source.language)
            return doc, record
        if urlsplit(key).scheme == "file":
            return read_local_document(source, key, item, self.settings.max_body_bytes)
        response = await self.get(key)
        if response.reason != "ok":
            return None, response.record(source.name, "fetch")
        content_type = response.headers.get("content-type", "")
        reason = classify_page(content_type, response.body)
        if reason != "ok":
            return None, response.record(source.name, "fetch", reason)
        text, _ = decode_body(response.body, content_type)
        if text.count("\ufffd") > MAX_REPLACEMENT_SHARE * max(1, len(text)):
            return None, response.record(source.name, "fetch", "decode_error")
        doc = RawDocument(
            source=source.name,
            url=key,
            final_url=response.final_url,
            body=text,
            content_type=media_type(content_type) or "text/html",
            fetched_at=now,
            title_hint=item.title_hint,
            published_hint=item.published_hint,
            language_hint=source.language,
        )
        return doc, response.record(source.name, "fetch")


def classify_page(content_type: str, body: bytes) -> str:
    """Return "ok" for an HTML page, else why not: "empty", "binary" or "not_html"."""
    kind = media_type(content_type)
    if not body.strip():
        return "empty"
    if kind.startswith(BINARY_TYPES) or b"\x00" in body[:4096]:
        return "binary"
    if kind in HTML_TYPES:
        return "ok"
    if not kind and looks_like_html(body):
        return "ok"
    return "not_html"
