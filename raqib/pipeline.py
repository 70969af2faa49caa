"""The steps of one ingestion run as plain functions; `flows/` wraps each in a Prefect task."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Set as AbstractSet
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors import Discovery, Fetcher, FetchRecord, RawDocument, SourceState, discover
from connectors.article import Article, Rejection, to_article
from connectors.models import Source
from extraction import extract_events
from raqib import archive
from raqib.settings import Settings


@dataclass
class ExtractedBatch:
    """Articles, their events and the documents rejected, for one fetched batch."""

    articles: list[dict[str, Any]] = field(default_factory=list)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rejections: list[dict[str, Any]] = field(default_factory=list)
    seen_again: int = 0


def record_dict(record: FetchRecord) -> dict[str, Any]:
    """Turn a connector fetch record into the row the warehouse stores."""
    return {
        "source": record.source,
        "url": record.url,
        "status": record.status,
        "ok": record.ok,
        "reason": record.reason,
        "bytes": record.bytes,
        "duration_ms": record.duration_ms,
        "stage": record.stage,
        "at": getattr(record, "at", None) or datetime.now(UTC),
    }


def discover_source(settings: Settings, source: Source, state: SourceState) -> Discovery:
    """Find the new article URLs of one source."""

    async def _run() -> Discovery:
        async with Fetcher(settings) as fetcher:
            return await discover(source, fetcher, state)

    return asyncio.run(_run())


def fetch_batch(settings: Settings, source: Source, urls: list[str]) -> tuple[list[RawDocument], list[FetchRecord]]:
    """Fetch one batch of article URLs politely."""

    async def _run() -> tuple[list[RawDocument], list[FetchRecord]]:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch_documents(source, urls)

    return asyncio.run(_run())


def article_and_events(raw: RawDocument) -> tuple[Article | Rejection, list[dict[str, Any]], str | None]:
    """Extract the article text and its events from one fetched document; the third item is an error, if any.

    An extractor failure keeps the article (its text is not lost) with no events, and says why.
    """
    result = to_article(raw)
    if isinstance(result, Rejection):
        return result, [], None
    try:
        events = [event.to_json() for event in extract_events(result.text, result.published, result.language)]
    except Exception as exc:
        return result, [], f"events_error: {type(exc).__name__}"
    return result, events, None


def article_row(article: Article) -> dict[str, Any]:
    """Turn an extracted article into the row the warehouse stores."""
    return {
        "content_hash": article.content_hash,
        "url": article.url,
        "final_url": article.final_url,
        "source": article.source,
        "title": article.title,
        "published": article.published,
        "language": article.language,
        "text": article.text,
        "fetched_at": article.fetched_at,
        "archive_path": None,
    }


def extract_batch(docs: list[RawDocument], stored_hashes: AbstractSet[str] = frozenset(),
                  pool: Executor | None = None) -> ExtractedBatch:
    """Extract articles and events; content among `stored_hashes` (or repeated in the batch) keeps no events.

    The flow passes no stored hashes (the warehouse is asked about the batch's own hashes afterwards,
    forget_stored) rather than loading every stored hash for every batch.
    """
    batch = ExtractedBatch()
    results = list(pool.map(article_and_events, docs, chunksize=8)) if pool else [article_and_events(d) for d in docs]
    seen: set[str] = set()
    for raw, (result, events, error) in zip(docs, results, strict=True):
        if isinstance(result, Rejection) or error:
            batch.rejections.append({
                "source": raw.source, "url": result.url, "status": None, "ok": False,
                "reason": result.reason if isinstance(result, Rejection) else error,
                "bytes": len(raw.body.encode("utf-8")), "duration_ms": 0.0, "stage": "extract", "at": datetime.now(UTC),
            })
        if isinstance(result, Rejection):
            continue
        batch.articles.append(article_row(result))
        if result.content_hash in stored_hashes or result.content_hash in seen:
            batch.seen_again += 1
            continue
        seen.add(result.content_hash)
        batch.events[result.content_hash] = events
    return batch


def content_hashes(batch: ExtractedBatch) -> list[str]:
    """The distinct content hashes of a batch's articles."""
    return sorted({row["content_hash"] for row in batch.articles})


def forget_stored(batch: ExtractedBatch, stored_hashes: AbstractSet[str]) -> None:
    """Drop the events of articles whose content the warehouse already holds, and count them as seen again."""
    for digest in stored_hashes:
        if batch.events.pop(digest, None) is not None:
            batch.seen_again += 1  # its repeats inside the batch were counted by extract_batch


def archive_new_articles(archive_dir: Path, batch: ExtractedBatch, stored_hashes: AbstractSet[str],
                         next_sequence: int) -> int:
    """Write each new article's text to the archive before its batch commits; return the next number."""
    items: list[tuple[int, str, str]] = []
    rows: list[dict[str, Any]] = []
    written: set[str] = set()
    for row in batch.articles:
        digest = row["content_hash"]
        if digest in stored_hashes or digest in written:
            continue
        items.append((next_sequence, digest, row["text"]))
        rows.append(row)
        written.add(digest)
        next_sequence += 1
    for row, path in zip(rows, archive.write_articles(archive_dir, items), strict=True):
        row["archive_path"] = str(path)
    return next_sequence


def failure_counts(records: list[dict[str, Any]]) -> Counter[str]:
    """Count failed fetch records by reason."""
    return Counter(r["reason"] for r in records if not r["ok"] and r["reason"] != "not_modified")

