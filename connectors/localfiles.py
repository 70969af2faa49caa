"""Local files as documents: the folder a directory source points at, and reading one of its files safely."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from connectors.charset import decode_body
from connectors.models import DiscoveredItem, FetchRecord, RawDocument, Source

SUFFIXES = {".txt": "text/plain", ".html": "text/html", ".htm": "text/html"}


def source_root(source: Source) -> Path:
    """Return the folder a directory source points at (`file://` URL or path)."""
    if source.url.startswith("file:"):
        return Path(unquote(urlsplit(source.url).path))
    return Path(source.url)


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
