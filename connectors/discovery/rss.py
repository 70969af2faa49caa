"""Discovery from RSS and Atom feeds (feedparser), with conditional GET."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import feedparser

from connectors.discovery.common import is_web_url, new_validators
from connectors.models import DiscoveredItem, Discovery, Source, SourceState

if TYPE_CHECKING:
    from connectors.fetch import Fetcher


def _entry_date(entry: Any) -> date | None:
    """Return the publication (else update) date of a feed entry."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return date(value.tm_year, value.tm_mon, value.tm_mday)
            except (ValueError, AttributeError, TypeError):
                continue
    return None


def parse_feed(body: bytes, content_type: str | None, base_url: str) -> list[DiscoveredItem] | None:
    """Parse feed bytes into items; None when the bytes are not a usable feed. Never raises."""
    try:
        parsed = feedparser.parse(body, response_headers={"content-type": content_type or "application/xml"})
    except Exception:  # feedparser is lenient but not proven total on hostile input
        return None
    entries = parsed.get("entries") or []
    items: list[DiscoveredItem] = []
    for entry in entries:
        link = entry.get("link") or ""
        if not link:
            guid = entry.get("id") or ""
            link = guid if is_web_url(guid) else ""
        if not isinstance(link, str) or not link.strip():
            continue
        url = urljoin(base_url, link.strip())
        if not is_web_url(url):
            continue
        title = entry.get("title")
        title_hint = " ".join(title.split()) if isinstance(title, str) and title.strip() else None
        items.append(DiscoveredItem(url, _entry_date(entry), title_hint))
    if not items and (parsed.get("bozo") or not parsed.get("version")):
        return None  # broken or not a feed at all; a well-formed empty feed is fine
    return items


async def discover(source: Source, fetcher: Fetcher, state: SourceState) -> Discovery:
    """Fetch the feed (conditionally) and list its entries."""
    response = await fetcher.get(source.url, validators=state.validators.get(source.url))
    if response.reason != "ok":
        return Discovery([], [response.record(source.name, "discover")], state)
    items = parse_feed(response.body, response.headers.get("content-type"), response.final_url)
    if items is None:
        return Discovery([], [response.record(source.name, "discover", "bad_feed")], state)
    state.validators[source.url] = new_validators(response)
    return Discovery(items, [response.record(source.name, "discover")], state)
