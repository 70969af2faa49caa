"""Helpers shared by the discovery kinds: dates, validators, the final de-duplicated item list."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from datetime import date

from connectors.fetch import Response
from connectors.models import DiscoveredItem
from connectors.urls import canonicalise_url

_TAGS = re.compile(r"<[^>]*>")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_date(value: object) -> date | None:
    """Read the date of an ISO-8601 date or timestamp (the first YYYY-MM-DD in it); None when absent or bad."""
    if not isinstance(value, str):
        return None
    match = _DATE.search(value)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def plain_text(fragment: object) -> str | None:
    """Turn an HTML fragment (a rendered title) into plain text; None when empty."""
    if not isinstance(fragment, str):
        return None
    text = " ".join(html.unescape(_TAGS.sub(" ", fragment)).split())
    return text or None


def new_validators(response: Response) -> dict[str, str]:
    """Return the ETag / Last-Modified of a response, for the next conditional GET."""
    found: dict[str, str] = {}
    if response.headers.get("etag"):
        found["etag"] = response.headers["etag"]
    if response.headers.get("last-modified"):
        found["last_modified"] = response.headers["last-modified"]
    return found


def is_web_url(url: str) -> bool:
    """True for absolute http(s) URLs."""
    return url.lower().startswith(("http://", "https://"))


def finalise(items: Iterable[DiscoveredItem], known_urls: Iterable[str], limit: int,
             lookup: Callable[[list[str]], set[str]] | None = None) -> list[DiscoveredItem]:
    """Canonicalise, drop known and repeated URLs, order newest first then by URL, and keep at most `limit`.

    Known URLs are those in `known_urls` and, with `lookup`, those it reports among the items' URLs.
    """
    listed = [(canonicalise_url(item.url), item) for item in items]
    known = {canonicalise_url(url) for url in known_urls}
    if lookup is not None:
        known |= lookup(sorted({url for url, _ in listed} - known))
    chosen: dict[str, DiscoveredItem] = {}
    for url, item in listed:
        if url in known:
            continue
        previous = chosen.get(url)
        if previous is None:
            chosen[url] = DiscoveredItem(url, item.published_hint, item.title_hint, item.html)
        elif previous.html is None and item.html is not None:
            chosen[url] = DiscoveredItem(url, item.published_hint or previous.published_hint,
                                         item.title_hint or previous.title_hint, item.html)
    ordered = sorted(chosen.values(), key=lambda i: (-(i.published_hint or date.min).toordinal(), i.url))
    return ordered[: max(0, limit)]
