"""Build a warehouse holding N generated articles, quickly: rows made from the demo articles, not crawled pages.

Each article is a sitegen variant of a demo article (its paragraphs mixed with others', new numbers, places and
date in 2024-2025); its events are the demo article's own events (extracted once), moved to the new date and to a
place drawn from those the demo events name. Rows go in through Arrow in bulk; the search text, the search index,
the ACLED numbers and the incidents are then built over everything at once, by the warehouse's own SQL and code.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import time
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from benchmarks.sitegen import source_articles, variant

GENERATOR_VERSION = "2"
CHUNK = 5000


@dataclass
class Template:
    """One demo article with its events, as the extractor finds them."""

    article: Any
    text: str
    events: list[dict[str, Any]]


def article_text(article: Any) -> str:
    """An article's body as the pipeline stores it: its paragraphs, headings as plain lines."""
    return "\n".join(p.removeprefix("## ") for p in article.paragraphs)


def templates() -> list[Template]:
    """The demo articles and their extracted events."""
    from extraction import extract_events

    found = []
    for article in source_articles():
        text = article_text(article)
        events = [e.to_json() for e in extract_events(text, article.published.date(), article.lang)]
        found.append(Template(article, text, events))
    return found


def _shift(value: Any, days: int) -> Any:
    """An ISO date string moved by `days`; anything else unchanged."""
    if not isinstance(value, str):
        return value
    try:
        return (date.fromisoformat(value) + timedelta(days=days)).isoformat()
    except ValueError:
        return value


# The history ends where the benchmark's new pages begin (sitegen dates them over 700 days from 2024-01-01),
# as a daily run's news follows the archive: the two overlap by a few days only.
HISTORY_SHIFT = timedelta(days=700)


def generated_rows(count: int, seed: int, shift: timedelta = HISTORY_SHIFT) -> Any:
    """Yield (article dict, its events) for `count` generated articles, dated `shift` before sitegen's pages."""
    from extraction.textnorm import content_hash

    rng = random.Random(seed)
    bases = templates()
    places = [e["location"] for t in bases for e in t.events if e.get("location")]
    for index in range(count):
        base = rng.choice(bases)
        donors = [t.article for t in bases if t is not base]
        new = variant(index, base.article, donors, rng)
        new = replace(new, published=new.published - shift)
        text = article_text(new)
        digest = content_hash(text)
        days = (new.published.date() - base.article.published.date()).days
        events = []
        for event in base.events:
            moved = {**event, "date_start": _shift(event.get("date_start"), days),
                     "date_end": _shift(event.get("date_end"), days)}
            if places and rng.random() < 0.8:
                moved["location"] = dict(rng.choice(places))
            events.append(moved)
        url = f"https://archive-{index % 7}.example/{new.published:%Y/%m}/{new.slug}/"
        yield {"content_hash": digest, "url": url, "final_url": url, "source": f"generated-{index % 7}",
               "title": new.title, "published": new.published.date(), "language": new.lang, "text": text,
               "fetched_at": new.published.astimezone(UTC) + timedelta(hours=2),
               "archive_path": f"archive/{index:06d}_{digest}.txt"}, events


def migrations_key() -> str:
    """A short hash of the warehouse schema, so a cached warehouse is rebuilt when migrations change."""
    from warehouse.migrate import available_migrations

    return hashlib.sha256("".join(m.checksum for m in available_migrations()).encode()).hexdigest()[:10]


def build_warehouse(path: Path, count: int, seed: int = 11) -> dict[str, Any]:
    """Create a warehouse at `path` holding `count` generated articles with their events and derived tables."""
    import warehouse
    from warehouse.incidents import rebuild_incidents
    from warehouse.lake import transaction
    from warehouse.rows import (
        ACTOR_SCHEMA,
        ARTICLE_SCHEMA,
        ARTICLE_URL_SCHEMA,
        EVENT_ACTOR_SCHEMA,
        EVENT_SCHEMA,
        FETCH_SCHEMA,
        LOCATION_SCHEMA,
        EventRows,
        add_event_rows,
        article_row,
        fetch_row,
        insert_rows,
    )
    from warehouse.search import refresh_search_index

    started = time.perf_counter()
    path.unlink(missing_ok=True)
    con = warehouse.connect_writer(path)
    con.execute("SET enable_progress_bar = false")
    # the build writes years of history in a few whole-warehouse statements (event numbers, incidents), which a
    # daily run never does; the runs it is built for keep the writer's own limit
    con.execute("SET memory_limit = '1GB'")
    seconds: dict[str, float] = {}
    try:
        run_id = warehouse.start_run(con, None, datetime(2026, 1, 1, tzinfo=UTC), "generated")
        version = "generated"
        actors: dict[str, Any] = {}
        locations: dict[str, Any] = {}
        seen: set[str] = set()
        events_total = 0
        clock = time.perf_counter()
        rows = generated_rows(count, seed)
        while chunk := list(islice(rows, CHUNK)):
            event_rows = EventRows()
            articles, urls, fetches = [], [], []
            for article, events in chunk:
                if article["content_hash"] in seen:
                    continue
                seen.add(article["content_hash"])
                articles.append(article_row(article, run_id, version))
                urls.append({"url": article["url"], "content_hash": article["content_hash"],
                             "source": article["source"], "first_seen": article["fetched_at"], "run_id": run_id})
                fetches.append(fetch_row({"source": article["source"], "url": article["url"], "status": 200,
                                          "ok": True, "reason": "ok", "bytes": 40000, "duration_ms": 50.0,
                                          "stage": "fetch", "at": article["fetched_at"]}, run_id))
                add_event_rows(event_rows, article["content_hash"], events, run_id, version)
            with transaction(con):
                insert_rows(con, "articles", articles, ARTICLE_SCHEMA)
                insert_rows(con, "article_urls", urls, ARTICLE_URL_SCHEMA)
                insert_rows(con, "fetch_log", fetches, FETCH_SCHEMA)
                insert_rows(con, "events", event_rows.events, EVENT_SCHEMA)
                insert_rows(con, "event_actors", event_rows.event_actors, EVENT_ACTOR_SCHEMA)
            events_total += len(event_rows.events)
            actors.update(event_rows.actors)
            locations.update(event_rows.locations)
        with transaction(con):
            insert_rows(con, "actors", list(actors.values()), ACTOR_SCHEMA)
            insert_rows(con, "locations", list(locations.values()), LOCATION_SCHEMA)
        seconds["rows"] = time.perf_counter() - clock
        clock = time.perf_counter()
        with transaction(con):
            con.execute("INSERT INTO article_search SELECT content_hash, ar_search_text(title), ar_search_text(text) "
                        "FROM articles")
        refresh_search_index(con)
        seconds["search"] = time.perf_counter() - clock
        clock = time.perf_counter()
        with transaction(con):  # the numbers migration 004 gives events stored before it
            con.execute("INSERT INTO event_numbers SELECT e.event_id, row_number() OVER (ORDER BY a.fetched_at, "
                        "e.content_hash, e.event_index), f.fingerprint, a.fetched_at FROM events AS e "
                        "JOIN articles AS a USING (content_hash) JOIN v_event_fingerprints AS f USING (event_id)")
            con.execute("UPDATE event_number_state SET last_number = (SELECT max(number) FROM event_numbers)")
        seconds["numbers"] = time.perf_counter() - clock
        clock = time.perf_counter()
        with transaction(con):
            incidents = rebuild_incidents(con)
        seconds["incidents"] = time.perf_counter() - clock
        warehouse.finish_run(con, run_id, "completed", {"articles_new": len(seen), "events": events_total},
                             datetime(2026, 1, 1, 1, tzinfo=UTC))
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {"articles": len(seen), "events": events_total, "incidents": incidents,
            "seconds": {k: round(v, 1) for k, v in seconds.items()},
            "build_seconds": round(time.perf_counter() - started, 1), "file_mb": round(path.stat().st_size / 1e6, 1)}


def cached_warehouse(cache_dir: Path, count: int, seed: int = 11) -> tuple[Path, dict[str, Any]]:
    """A generated warehouse of `count` articles, built once per schema and generator version and kept in cache_dir."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"warehouse-N{count}-s{seed}-g{GENERATOR_VERSION}-m{migrations_key()}.duckdb"
    if path.exists():
        return path, {"cached": True, "file_mb": round(path.stat().st_size / 1e6, 1)}
    building = path.with_suffix(".building")
    stats = build_warehouse(building, count, seed)
    shutil.move(building, path)
    building.with_name(building.name + ".writer").unlink(missing_ok=True)  # connect_writer's note of its holder
    return path, {"cached": False, **stats}


if __name__ == "__main__":  # a quick look: python -m benchmarks.warehousegen N PATH
    import json
    import sys

    print(json.dumps(build_warehouse(Path(sys.argv[2]), int(sys.argv[1])), indent=2))
