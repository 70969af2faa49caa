"""Discovery through the WordPress REST API: posts after a cursor, paged, with their rendered content."""

from __future__ import annotations

import contextlib
import html
import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from connectors.charset import decode_body
from connectors.discovery.common import is_web_url, parse_date, plain_text
from connectors.models import DiscoveredItem, Discovery, FetchRecord, Source, SourceState

if TYPE_CHECKING:
    from connectors.fetch import Fetcher

DEFAULT_PER_PAGE = 100
DEFAULT_MAX_PAGES = 10
FIELDS = "id,link,date_gmt,title,content"
# The `after` filter is applied to the site's local time on some WordPress versions: look back a day, the
# known-URL list removes the overlap.
CURSOR_OVERLAP = timedelta(days=1)


def posts_endpoint(url: str) -> str:
    """Return the posts endpoint for a site root or an explicit `/wp-json/...` address."""
    base = url.split("?", 1)[0].split("#", 1)[0]
    if "/wp-json/" in base:
        return base
    return base.rstrip("/") + "/wp-json/wp/v2/posts"


def page_url(endpoint: str, cursor: str | None, page: int, per_page: int) -> str:
    """Build the URL of one page of posts."""
    params: dict[str, str | int] = {"per_page": per_page, "page": page, "_fields": FIELDS,
                                    "orderby": "date", "order": "desc"}
    if cursor:
        with contextlib.suppress(ValueError):
            params["after"] = (datetime.fromisoformat(cursor) - CURSOR_OVERLAP).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{endpoint}?{urlencode(params)}"


def article_html(title: str | None, content: str) -> str:
    """Wrap an API post's rendered content in a small HTML page for article extraction."""
    head = f"<title>{html.escape(title)}</title>" if title else ""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}</head>'
            f"<body><article>{content}</article></body></html>")


def parse_posts(body: bytes, content_type: str | None) -> list[dict[str, Any]] | None:
    """Parse one page of the posts API; None when it is not a JSON list of posts. Never raises."""
    text, _ = decode_body(body, content_type)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, list):
        return None
    return [post for post in data if isinstance(post, dict)]


def _rendered(value: object) -> object:
    """Return `value["rendered"]` for the API's {"rendered": ...} objects, else the value."""
    return value.get("rendered") if isinstance(value, dict) else value


def post_item(post: dict[str, Any]) -> DiscoveredItem | None:
    """Turn one API post into a discovered item carrying its content."""
    link = post.get("link")
    if not isinstance(link, str) or not is_web_url(link):
        return None
    title = plain_text(_rendered(post.get("title")))
    content = _rendered(post.get("content"))
    body = article_html(title, content) if isinstance(content, str) and content.strip() else None
    return DiscoveredItem(link, parse_date(post.get("date_gmt")), title, body)


async def discover(source: Source, fetcher: Fetcher, state: SourceState) -> Discovery:
    """Page through the posts newer than the cursor; advance the cursor only when every page was read."""
    endpoint = posts_endpoint(source.url)
    per_page = int(source.options.get("per_page", DEFAULT_PER_PAGE))
    max_pages = int(source.options.get("max_pages", DEFAULT_MAX_PAGES))
    items: list[DiscoveredItem] = []
    records: list[FetchRecord] = []
    newest = state.cursor
    complete = True
    for page in range(1, max_pages + 1):
        url = page_url(endpoint, state.cursor, page, per_page)
        response = await fetcher.get(url, validators=state.validators.get(url) if page == 1 else None)
        if response.reason == "not_modified":
            records.append(response.record(source.name, "discover"))
            break
        if response.status == 400 and page > 1:
            break  # past the last page: WordPress answers 400 rest_post_invalid_page_number
        if response.reason != "ok":
            records.append(response.record(source.name, "discover"))
            complete = False
            break
        posts = parse_posts(response.body, response.headers.get("content-type"))
        if posts is None:
            records.append(response.record(source.name, "discover", "bad_api"))
            complete = False
            break
        records.append(response.record(source.name, "discover"))
        if page == 1 and (response.headers.get("etag") or response.headers.get("last-modified")):
            state.validators[url] = {k: v for k, v in (("etag", response.headers.get("etag")),
                                                      ("last_modified", response.headers.get("last-modified"))) if v}
        for post in posts:
            item = post_item(post)
            if item is not None:
                items.append(item)
            stamp = post.get("date_gmt")
            if isinstance(stamp, str) and parse_date(stamp) and (newest is None or stamp > newest):
                newest = stamp
        total_pages = response.headers.get("x-wp-totalpages", "")
        if len(posts) < per_page or (total_pages.isdigit() and page >= int(total_pages)):
            break
    if complete and newest is not None:
        state.cursor = newest
    return Discovery(items, records, state)
