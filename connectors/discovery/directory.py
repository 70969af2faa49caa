"""Discovery from a local folder of `NNN_<hash>.txt` text files and saved `.html` pages."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from connectors.localfiles import SUFFIXES, source_root
from connectors.models import DiscoveredItem, Discovery, FetchRecord, Source, SourceState
from connectors.urls import canonicalise_url

if TYPE_CHECKING:
    from connectors.fetch import Fetcher



def list_files(root: Path, limit: int) -> list[Path]:
    """List the text and HTML files under `root`, sorted, at most `limit`."""
    found = sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
    return found[:limit]


async def discover(source: Source, fetcher: Fetcher, state: SourceState) -> Discovery:
    """List the folder's files as `file://` items."""
    root = source_root(source)
    started = time.monotonic()
    if not root.is_dir():
        record = FetchRecord(source.name, source.url, None, False, "not_found", 0,
                             (time.monotonic() - started) * 1000, "discover")
        return Discovery([], [record], state)
    files = list_files(root, fetcher.settings.max_items_per_source * 4)
    items = [DiscoveredItem(canonicalise_url(path.resolve().as_uri())) for path in files]
    return Discovery(items, [], state)
