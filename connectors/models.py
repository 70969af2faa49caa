"""The data that connectors hand to the rest of raqib: state, fetch records, documents, discoveries."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from connectors.urls import canonicalise_url


@dataclass(frozen=True)
class Source:
    """One outlet feed, sitemap, API, page or folder to watch."""

    name: str
    kind: str
    url: str
    language: str | None = None
    enabled: bool = True
    options: dict[str, Any] = field(default_factory=dict)
    scale: str | None = None  # ACLED source_scale of the outlet (one of SOURCE_SCALES)


class FetchSettings(Protocol):
    """What the connectors read of the run's settings (raqib's one settings object has all of it)."""

    @property
    def state_dir(self) -> Path:
        """The setting of that name."""

    @property
    def rate_limit_per_host(self) -> float:
        """The setting of that name."""

    @property
    def allow_private_addresses(self) -> bool:
        """The setting of that name."""

    @property
    def user_agent(self) -> str:
        """The setting of that name."""

    @property
    def connect_timeout(self) -> float:
        """The setting of that name."""

    @property
    def read_timeout(self) -> float:
        """The setting of that name."""

    @property
    def total_timeout(self) -> float:
        """The setting of that name."""

    @property
    def max_body_bytes(self) -> int:
        """The setting of that name."""

    @property
    def max_redirects(self) -> int:
        """The setting of that name."""

    @property
    def max_retries(self) -> int:
        """The setting of that name."""

    @property
    def backoff_base(self) -> float:
        """The setting of that name."""

    @property
    def concurrency(self) -> int:
        """The setting of that name."""

    @property
    def max_items_per_source(self) -> int:
        """The setting of that name."""


# Failures that another run will not cure: the URL is not asked for again.
PERMANENT_REASONS = frozenset(
    {
        "robots",
        "private_address",
        "bad_scheme",
        "bad_url",
        "binary",
        "not_html",
        "too_large",
        "redirect_loop",
        "too_many_redirects",
        "outside_directory",
        "http_410",
        "http_451",
    }
)
MAX_RETRY_RUNS = 5  # a URL failing this many runs in a row is given up (kept in known_urls)


@dataclass
class SourceState:
    """What a source remembers between runs: validators, a cursor and the URLs already handled."""

    validators: dict[str, dict[str, str]] = field(default_factory=dict)
    cursor: str | None = None
    known_urls: set[str] = field(default_factory=set)
    retry: dict[str, int] = field(default_factory=dict)  # canonical URL -> runs it has failed so far
    # Which of some canonical URLs are known elsewhere (the warehouse), asked with what a discovery brings
    # rather than loading every stored URL into `known_urls`. Not saved with the state.
    lookup: Callable[[list[str]], set[str]] | None = field(default=None, compare=False, repr=False)

    def settle(self, records: Iterable[FetchRecord], max_runs: int = MAX_RETRY_RUNS) -> None:
        """After a run's documents are safely stored: fetched URLs and permanent failures become known;
        other failures are offered again by the next discovery (even when the feed answers 304)."""
        for record in records:
            if record.stage != "fetch":
                continue
            url = canonicalise_url(record.url)
            runs = self.retry.get(url, 0) + 1
            if record.ok or record.reason in PERMANENT_REASONS or runs >= max_runs:
                self.known_urls.add(url)
                self.retry.pop(url, None)
            else:
                self.retry[url] = runs

    def to_json(self) -> str:
        """Serialise to a JSON string (known URLs sorted, so equal states give equal strings)."""
        return json.dumps(
            {
                "validators": self.validators,
                "cursor": self.cursor,
                "known_urls": sorted(self.known_urls),
                "retry": self.retry,
            },
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
            retry={str(url): int(runs) for url, runs in (data.get("retry") or {}).items()},
        )

    def copy(self) -> SourceState:
        """Return an independent copy (discovery never mutates the state it was given)."""
        return SourceState(
            validators={url: dict(values) for url, values in self.validators.items()},
            cursor=self.cursor,
            known_urls=set(self.known_urls),
            retry=dict(self.retry),
            lookup=self.lookup,
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
