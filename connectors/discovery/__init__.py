"""Discovery: one module per source kind, chosen through a plain registry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from connectors.discovery import directory, page, rss, sitemap, wordpress
from connectors.discovery.common import finalise
from connectors.models import DiscoveredItem, Discovery, FetchRecord, Source, SourceState

if TYPE_CHECKING:
    from connectors.fetch import Fetcher

Discoverer = Callable[[Source, "Fetcher", SourceState], Awaitable[Discovery]]

DISCOVERERS: dict[str, Discoverer] = {
    "rss": rss.discover,
    "sitemap": sitemap.discover,
    "wordpress": wordpress.discover,
    "page": page.discover,
    "directory": directory.discover,
}


async def discover(source: Source, fetcher: Fetcher, state: SourceState) -> Discovery:
    """List the new items of one source; failures come back as records, never as exceptions."""
    working = state.copy()
    discoverer = DISCOVERERS.get(source.kind)
    if discoverer is None:
        record = FetchRecord(source.name, source.url, None, False, "bad_kind", 0, 0.0, "discover")
        return Discovery([], [record], working)
    try:
        found = await discoverer(source, fetcher, working)
    except Exception as exc:  # a broken source never stops the others
        record = FetchRecord(source.name, source.url, None, False, f"error_{type(exc).__name__}"[:40], 0, 0.0,
                             "discover")
        return Discovery([], [record], state.copy())
    # URLs that failed in earlier runs come back until they succeed or are given up (SourceState.settle).
    retries = [DiscoveredItem(url) for url in sorted(state.retry)]
    every = finalise([*found.items, *retries], state.known_urls, len(found.items) + len(retries), state.lookup)
    items = every[: max(0, fetcher.settings.max_items_per_source)]
    # items over the per-run cap wait in the state's backlog: the feed may answer 304 next time
    for item in every[len(items):]:
        found.state.retry.setdefault(item.url, 0)
    fetcher.remember(source.name, items)
    return Discovery(items, found.records, found.state)
