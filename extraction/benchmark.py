"""Speed benchmark: event extraction per article against trafilatura's text extraction of the same page.

    python -m extraction.benchmark [--rounds N] [--json]

Times are CPU seconds of this process (time.process_time), medians over interleaved rounds. Uses the demo site's
article pages (demo/site/**/index.html) when present, else the shared seed texts wrapped in a
minimal page. Dictionaries and gazetteer are loaded before timing (they load once per process in the pipeline).
"""

from __future__ import annotations

import argparse
import html
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from extraction import extract_events
from extraction.evaluate import PROJECT, SHARED


def _pages() -> list[bytes]:
    """HTML pages to benchmark on (bytes: some demo pages are not UTF-8, trafilatura detects the charset)."""
    site = PROJECT / "demo" / "site"
    pages = [p.read_bytes() for p in sorted(site.rglob("index.html")) if p.parent != site]
    if pages:
        return pages
    texts = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").glob("*.txt"))]
    return [
        f"<html><body><article><p>{html.escape(t).replace(chr(10), '</p><p>')}</p></article></body></html>".encode()
        for t in texts
    ]


def _cpu_seconds(func: Callable[[Any], object], items: list[Any]) -> tuple[float, list[object]]:
    """CPU seconds of this process per item (other processes on the machine do not count), and the results."""
    started = time.process_time()
    results = [func(item) for item in items]
    return (time.process_time() - started) / max(len(items), 1), results


def main(argv: list[str] | None = None) -> int:
    """Time trafilatura and the extractor on the same articles and print both."""
    import trafilatura

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    pages = _pages()
    texts = [trafilatura.extract(p, favor_precision=True) or "" for p in pages]
    extract_events(texts[0] if texts else "", None)  # load dictionaries and gazetteer once
    traf_runs: list[float] = []
    ext_runs: list[float] = []
    events: list[object] = []
    for _ in range(args.rounds):  # interleaved, so both see the same machine
        traf, _ = _cpu_seconds(lambda p: trafilatura.extract(p, favor_precision=True), pages)
        ext, events = _cpu_seconds(lambda t: extract_events(t, None), texts)
        traf_runs.append(traf)
        ext_runs.append(ext)
    traf_s, ext_s = statistics.median(traf_runs), statistics.median(ext_runs)
    result = {
        "articles": len(pages),
        "mean_chars": round(statistics.mean(len(t) for t in texts), 1) if texts else 0,
        "trafilatura_ms_per_article": round(traf_s * 1000, 2),
        "extraction_ms_per_article": round(ext_s * 1000, 2),
        "extraction_share_of_trafilatura": round(ext_s / traf_s, 3) if traf_s else None,
        "events": sum(len(e) for e in events if isinstance(e, list)),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:34} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
