"""Discovery of a single page: the source URL is the article."""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors.models import DiscoveredItem, Discovery, Source, SourceState

if TYPE_CHECKING:
    from connectors.fetch import Fetcher


async def discover(source: Source, fetcher: Fetcher, state: SourceState) -> Discovery:
    """Return the page itself; nothing is fetched during discovery."""
    title = source.options.get("title")
    return Discovery([DiscoveredItem(source.url, None, str(title) if title else None)], [], state)
