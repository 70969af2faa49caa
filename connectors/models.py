"""The data that connectors hand to the rest of raqib: state, fetch records, documents, discoveries."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass
class SourceState:
    """What a source remembers between runs: validators, a cursor and the URLs already handled."""

    validators: dict[str, dict[str, str]] = field(default_factory=dict)
    cursor: str | None = None
    known_urls: set[str] = field(default_factory=set)

    def to_json(self) -> str:
        """Serialise to a JSON string (known URLs sorted, so equal states give equal strings)."""
        return json.dumps(
            {"validators": self.validators, "cursor": self.cursor, "known_urls": sorted(self.known_urls)},
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str | None) -> SourceState:
        """Rebuild a state from `to_json` output; None or an empty string gives a fresh state."""
        if not text:
            return cls()
        data: Any = json.loads(text)
        validators = {
            str(url): {str(k): str(v) for k, v in values.items()}
            for url, values in (data.get("validators") or {}).items()
            if isinstance(values, dict)
        }
        cursor = data.get("cursor")
        return cls(
            validators=validators,
            cursor=str(cursor) if cursor is not None else None,
            known_urls={str(url) for url in data.get("known_urls") or []},
        )

    def copy(self) -> SourceState:
        """Return an independent copy (discovery never mutates the state it was given)."""
        return SourceState(
            validators={url: dict(values) for url, values in self.validators.items()},
            cursor=self.cursor,
            known_urls=set(self.known_urls),
        )


@dataclass(frozen=True)
class FetchRecord:
    """One attempt to get one URL, good or bad, for the fetch log."""

    source: str
    url: str
    status: int | None
    ok: bool
    reason: str
    bytes: int
    duration_ms: float
    stage: str  # "discover" | "fetch"


@dataclass(frozen=True)
class RawDocument:
    """A fetched (or read) page body, decoded to text, before article extraction."""

    source: str
    url: str
    final_url: str
    body: str
    content_type: str
    fetched_at: datetime
    title_hint: str | None = None
    published_hint: date | None = None
    language_hint: str | None = None


@dataclass(frozen=True)
class DiscoveredItem:
    """A candidate article URL found by discovery, with what the listing said about it."""

    url: str
    published_hint: date | None = None
    title_hint: str | None = None
    html: str | None = None  # body already delivered by the listing (WordPress API); no page fetch needed


@dataclass
class Discovery:
    """The result of discovering one source."""

    items: list[DiscoveredItem]
    records: list[FetchRecord]
    state: SourceState
