"""Discovery from XML sitemaps: urlsets, sitemap indexes (bounded recursion) and Google News sitemaps."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from lxml import etree

from connectors.compression import BadEncoding, TooLarge, gunzip_bounded
from connectors.discovery.common import is_web_url, new_validators, parse_date
from connectors.models import DiscoveredItem, Discovery, FetchRecord, Source, SourceState

if TYPE_CHECKING:
    from connectors.fetch import Fetcher

DEFAULT_MAX_SITEMAPS = 50
DEFAULT_MAX_DEPTH = 3


@dataclass(frozen=True)
class SitemapEntry:
    """One <url> or <sitemap> of a sitemap file."""

    loc: str
    lastmod: date | None = None
    title: str | None = None
    published: date | None = None


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: `kind` is "urlset" or "index"."""

    kind: str
    entries: list[SitemapEntry]


def _local(tag: object) -> str:
    """Return an element's tag without its namespace."""
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(element: etree._Element, name: str) -> str | None:
    """Return the stripped text of the first descendant called `name` (any namespace)."""
    for child in element.iter():
        if _local(child.tag) == name and child.text and child.text.strip():
            return str(child.text.strip())
    return None


def _plain_list(body: bytes, base_url: str) -> Sitemap | None:
    """Read a text sitemap: one absolute URL per line."""
    try:
        lines = [line.strip() for line in body.decode("utf-8").splitlines() if line.strip()]
    except UnicodeDecodeError:
        return None
    if not lines or not all(is_web_url(line) and " " not in line for line in lines):
        return None
    return Sitemap("urlset", [SitemapEntry(line) for line in lines])


def parse_sitemap(body: bytes, base_url: str, max_bytes: int = 50 * 1024 * 1024) -> Sitemap | None:
    """Parse sitemap bytes (gzip allowed); None when they are no sitemap. Never raises."""
    try:
        if body[:2] == b"\x1f\x8b":
            body = gunzip_bounded(body, max_bytes)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError, TooLarge, BadEncoding):
        return _plain_list(body, base_url) if body[:2] != b"\x1f\x8b" else None
    if root is None:
        return None
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        return None
    entries: list[SitemapEntry] = []
    wanted = "url" if kind == "urlset" else "sitemap"
    for element in root:
        if _local(element.tag) != wanted:
            continue
        loc = _child_text(element, "loc")
        if not loc:
            continue
        url = urljoin(base_url, loc)
        if not is_web_url(url):
            continue
        entries.append(
            SitemapEntry(
                url,
                lastmod=parse_date(_child_text(element, "lastmod")),
                title=_child_text(element, "title"),
                published=parse_date(_child_text(element, "publication_date")),
            )
        )
    return Sitemap("urlset" if kind == "urlset" else "index", entries)


async def discover(source: Source, fetcher: Fetcher, state: SourceState) -> Discovery:
    """Walk the sitemap (and, from an index, its newest child sitemaps) and list article URLs."""
    max_sitemaps = int(source.options.get("max_sitemaps", DEFAULT_MAX_SITEMAPS))
    max_depth = int(source.options.get("max_depth", DEFAULT_MAX_DEPTH))
    queue: deque[tuple[str, int]] = deque([(source.url, 0)])
    visited: set[str] = set()
    items: list[DiscoveredItem] = []
    records: list[FetchRecord] = []
    pending_lastmod: dict[str, str] = {}  # stored only once the child sitemap was read, so failures are retried
    while queue and len(visited) < max_sitemaps:
        url, depth = queue.popleft()
        if url in visited:
            continue
        visited.add(url)
        response = await fetcher.get(url, validators=state.validators.get(url))
        if response.reason != "ok":
            records.append(response.record(source.name, "discover"))
            continue
        sitemap = parse_sitemap(response.body, response.final_url, fetcher.settings.max_body_bytes)
        if sitemap is None:
            records.append(response.record(source.name, "discover", "bad_sitemap"))
            continue
        records.append(response.record(source.name, "discover"))
        state.validators[url] = new_validators(response)
        if url in pending_lastmod:
            state.validators[url]["lastmod"] = pending_lastmod[url]
        if sitemap.kind == "urlset":
            for entry in sitemap.entries:
                items.append(DiscoveredItem(entry.loc, entry.published or entry.lastmod, entry.title))
            continue
        if depth >= max_depth:
            continue
        children = sorted(sitemap.entries, key=lambda e: (-(e.lastmod or date.min).toordinal(), e.loc))
        for child in children:
            seen_lastmod = state.validators.get(child.loc, {}).get("lastmod")
            if child.lastmod is not None and seen_lastmod == child.lastmod.isoformat():
                continue  # unchanged since the last run, by the index's own word
            if child.lastmod is not None:
                pending_lastmod[child.loc] = child.lastmod.isoformat()
            queue.append((child.loc, depth + 1))
    return Discovery(items, records, state)
