"""Discovery from a local folder of `NNN_<hash>.txt` text files and saved `.html` pages."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from connectors.charset import decode_body
from connectors.models import DiscoveredItem, Discovery, FetchRecord, RawDocument, SourceState
from connectors.urls import canonicalise_url
from raqib.settings import Source

if TYPE_CHECKING:
    from connectors.fetch import Fetcher

SUFFIXES = {".txt": "text/plain", ".html": "text/html", ".htm": "text/html"}


def source_root(source: Source) -> Path:
    """Return the folder a directory source points at (`file://` URL or path)."""
    if source.url.startswith("file:"):
        return Path(unquote(urlsplit(source.url).path))
    return Path(source.url)


def list_files(root: Path, limit: int) -> list[Path]:
    """List the text and HTML files under `root`, sorted, at most `limit`."""
    found = sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
    return found[:limit]


async def discover(source: Source, fetcher: Fetcher, state: SourceState) -> Discovery:
    """List the folder's files as `file://` items."""
    root = source_root(source)
    started = time.monotonic()
    if not root.is_dir():
        record = FetchRecord(source.name, source.url, None, False, "not_found", 0,
                             (time.monotonic() - started) * 1000, "discover")
        return Discovery([], [record], state)
    files = list_files(root, fetcher.settings.max_items_per_source * 4)
    items = [DiscoveredItem(canonicalise_url(path.resolve().as_uri())) for path in files]
    return Discovery(items, [], state)


def read_local_document(
    source: Source, url: str, item: DiscoveredItem, max_bytes: int
) -> tuple[RawDocument | None, FetchRecord]:
    """Read one file of a directory source, with the checks a fetched page gets."""
    started = time.monotonic()

    def fail(reason: str, size: int = 0) -> tuple[None, FetchRecord]:
        return None, FetchRecord(source.name, url, None, False, reason, size,
                                 (time.monotonic() - started) * 1000, "fetch")

    if source.kind != "directory":
        return fail("bad_scheme")  # only a directory source may read files
    path = Path(unquote(urlsplit(url).path)).resolve()
    root = source_root(source).resolve()
    if not path.is_relative_to(root) or path.suffix.lower() not in SUFFIXES:
        return fail("outside_directory")
    try:
        if path.stat().st_size > max_bytes:
            return fail("too_large")
        data = path.read_bytes()
    except OSError:
        return fail("not_found")
    if not data.strip():
        return fail("empty")
    if b"\x00" in data[:4096]:
        return fail("binary", len(data))
    content_type = SUFFIXES[path.suffix.lower()]
    text, _ = decode_body(data, f"{content_type}; charset=utf-8" if content_type == "text/plain" else None)
    document = RawDocument(source.name, url, url, text, content_type, datetime.now(UTC),
                           item.title_hint, item.published_hint, source.language)
    record = FetchRecord(source.name, url, None, True, "ok", len(data), (time.monotonic() - started) * 1000, "fetch")
    return document, record
