"""Batch loads: one transaction each, idempotent, duplicates as extra URLs, failures retried or skipped."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import warehouse_samples as samples

import warehouse

TABLES = ("sources", "runs", "fetch_log", "articles", "article_urls", "source_state", "events", "event_actors",
          "actors", "locations", "article_search")


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    """Return every row of every stored table, sorted, for before/after comparisons."""
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def test_loading_the_same_batch_twice_changes_nothing(writer: duckdb.DuckDBPyConnection) -> None:
    run_id = warehouse.start_run(writer, "f1", datetime(2021, 5, 10, tzinfo=UTC), None)
    first = samples.load_samples(writer, run_id)
    assert first["articles_new"] == 9 and first["events"] == 11 and first["failures"] == 4
    before = snapshot(writer)
    second = samples.load_samples(writer, run_id)
    assert second == {"articles_new": 0, "duplicates": 0, "already_stored": 10, "new_urls": 0, "events": 0,
                      "failures": 0}
    assert snapshot(writer) == before
    assert writer.execute("SELECT count(*) FROM events").fetchone() == (11,)
    assert writer.execute("SELECT count(*) FROM event_actors").fetchone() == (23,)


def test_same_text_under_a_second_url_is_an_extra_url_not_an_article(writer: duckdb.DuckDBPyConnection) -> None:
    run_id = warehouse.start_run(writer, None, datetime(2021, 5, 10, tzinfo=UTC), None)
    articles = samples.sample_articles()
    original, republished = articles[0], articles[7]
    assert original["content_hash"] == republished["content_hash"]
    events = samples.sample_events()
    first = warehouse.load_batch(writer, run_id, "deirezzor24", [original], events, [], samples.EXTRACTOR)
    again = warehouse.load_batch(writer, run_id, "aggregator-news", [republished], events, [], samples.EXTRACTOR)
    assert first["articles_new"] == 1 and first["events"] == 2
    assert again == {"articles_new": 0, "duplicates": 1, "already_stored": 0, "new_urls": 1, "events": 0,
                     "failures": 0}
    assert writer.execute("SELECT url, source FROM articles").fetchall() == [(original["url"], "deirezzor24")]
    urls = writer.execute("SELECT url, content_hash, source FROM article_urls ORDER BY url").fetchall()
    assert urls == sorted([(original["url"], original["content_hash"], "deirezzor24"),
                           (republished["url"], original["content_hash"], "aggregator-news")])
    assert writer.execute("SELECT count(*) FROM events").fetchone() == (2,)
    assert warehouse.known_urls(writer, "aggregator-news") == {republished["url"]}
    assert warehouse.warehouse_summary(writer)["duplicates"] == 1


def test_a_failing_batch_leaves_no_trace(writer: duckdb.DuckDBPyConnection) -> None:
    run_id = warehouse.start_run(writer, None, datetime(2021, 5, 10, tzinfo=UTC), None)
    articles = samples.sample_articles()[:3]
    events = samples.sample_events()
    broken = dict(events)
    broken[articles[2]["content_hash"]] = [{"event_type": "armed_clash", "actors": "الدفاع الوطني"}]
    records = samples.fetch_records(articles)
    before = snapshot(writer)
    with pytest.raises(ValueError, match="actors must be a list"):
        warehouse.load_batch(writer, run_id, "mixed", articles, broken, records, samples.EXTRACTOR)
    assert snapshot(writer) == before
    counts = warehouse.load_batch(writer, run_id, "mixed", articles, events, records, samples.EXTRACTOR)
    assert counts["articles_new"] == 3 and counts["events"] == 5


def test_bad_values_are_stored_as_null_not_fatal(writer: duckdb.DuckDBPyConnection) -> None:
    run_id = warehouse.start_run(writer, None, datetime(2021, 5, 10, tzinfo=UTC), None)
    art = samples.sample_articles()[3]
    odd = {"event_type": "shelling", "date_start": "آذار 2021", "fatalities": "عشرات", "injured": -4,
           "location": {"name_ar": "هجين", "lat": 999, "lon": "x"}, "span": "nonsense", "confidence": 7}
    warehouse.load_batch(writer, run_id, art["source"], [art], {art["content_hash"]: [odd]}, [], "v2")
    row = writer.execute("SELECT date_start, fatalities, injured, lat, lon, span_start, confidence, location_name_ar, "
                         "raw->>'fatalities' FROM events").fetchone()
    assert row == (None, None, None, None, None, None, None, "هجين", "عشرات")


def test_fetch_failures_drive_known_and_retry_lists(writer: duckdb.DuckDBPyConnection) -> None:
    run_id = warehouse.start_run(writer, None, datetime(2021, 5, 10, tzinfo=UTC), None)
    samples.load_samples(writer, run_id)
    known = warehouse.known_urls(writer, "deirezzor24")
    assert "https://deirezzor24.example/news/999" in known  # 404: never again
    assert "https://deirezzor24.example/news/1200" not in known  # timeout: try again
    assert warehouse.urls_to_retry(writer, "deirezzor24") == ["https://deirezzor24.example/news/1200"]
    assert warehouse.urls_to_retry(writer, "sham-monitor") == ["https://sham-monitor.example/p/5800"]
    assert "https://sham-monitor.example/p/5801" in warehouse.known_urls(writer, "sham-monitor")  # empty page
    # the same answer, asked with a batch's URLs rather than loading every known URL
    every = warehouse.known_urls(writer, "deirezzor24") | warehouse.known_urls(writer, "sham-monitor")
    offered = [*sorted(every), "https://deirezzor24.example/news/1200", "https://elsewhere.example/new"]
    assert warehouse.known_among(writer, offered) == every
    assert warehouse.known_among(writer, []) == set()
    # The retried URL now succeeds: it leaves the retry list.
    later = datetime(2021, 5, 11, 8, 0, tzinfo=UTC)
    ok = {"source": "sham-monitor", "url": "https://sham-monitor.example/p/5800", "status": 200, "ok": True,
          "reason": "ok", "bytes": 5000, "duration_ms": 90.0, "stage": "fetch", "at": later}
    warehouse.load_batch(writer, run_id, "sham-monitor", [], {}, [ok], samples.EXTRACTOR)
    assert warehouse.urls_to_retry(writer, "sham-monitor") == []
    # A URL that keeps timing out is given up after max_attempts tries.
    for day in range(2, 7):
        warehouse.load_batch(writer, run_id, "deirezzor24", [], {}, [{
            "source": "deirezzor24", "url": "https://deirezzor24.example/news/1200", "status": None, "ok": False,
            "reason": "timeout", "bytes": 0, "duration_ms": 15000.0, "stage": "fetch",
            "at": datetime(2021, 5, day, tzinfo=UTC)}], samples.EXTRACTOR)
    assert warehouse.urls_to_retry(writer, "deirezzor24", max_attempts=5) == []


def test_source_state_round_trip(writer: duckdb.DuckDBPyConnection) -> None:
    assert warehouse.get_source_state(writer, "deirezzor24") is None
    state = {"validators": {"https://deirezzor24.example/feed": {"etag": 'W/"5f1"'}}, "cursor": "2021-05-01T00:00:00",
             "known_urls": {"https://deirezzor24.example/news/2", "https://deirezzor24.example/news/1"}}
    warehouse.save_source_state(writer, "deirezzor24", state, "run-1")
    warehouse.save_source_state(writer, "deirezzor24", {**state, "cursor": "2021-05-09T00:00:00"}, "run-2")
    saved = warehouse.get_source_state(writer, "deirezzor24")
    assert saved == {"validators": state["validators"], "cursor": "2021-05-09T00:00:00",
                     "known_urls": ["https://deirezzor24.example/news/1", "https://deirezzor24.example/news/2"]}
    assert writer.execute("SELECT run_id FROM source_state").fetchall() == [("run-2",)]
    warehouse.save_source_state(writer, "sham-monitor", '{"cursor": "42", "known_urls": []}', "run-3")
    assert warehouse.get_source_state(writer, "sham-monitor") == {"cursor": "42", "known_urls": []}
    with pytest.raises(ValueError, match="JSON object"):
        warehouse.save_source_state(writer, "sham-monitor", "[1, 2]", "run-3")


def test_runs_record_counts(writer: duckdb.DuckDBPyConnection) -> None:
    run_id = warehouse.start_run(writer, "prefect-123", datetime(2021, 5, 10, 8, tzinfo=UTC), "sources.toml")
    counts = samples.load_samples(writer, run_id)
    warehouse.finish_run(writer, run_id, "completed", {**counts, "sources": 4, "fetched": 10},
                         datetime(2021, 5, 10, 8, 3, tzinfo=UTC))
    row = writer.execute("SELECT flow_run_id, status, sources, fetched, articles_new, duplicates, events, failures, "
                         "counts->>'already_stored', sources_file FROM runs").fetchone()
    assert row == ("prefect-123", "completed", 4, 10, 9, 1, 11, 4, "0", "sources.toml")
    assert warehouse.recent_runs(writer)[0]["counts"]["articles_new"] == 9
    with pytest.raises(ValueError, match="no run"):
        warehouse.finish_run(writer, "missing", "completed", {}, datetime.now(UTC))


def test_replace_events_swaps_all_or_nothing(loaded_db: Path) -> None:
    con = warehouse.connect_writer(loaded_db)
    try:
        pending = list(warehouse.articles_for_reextract(con, samples.EXTRACTOR))
        assert pending == []
        everything = list(warehouse.articles_for_reextract(con, "v2"))
        assert len(everything) == 9 and all(isinstance(t, str) and len(h) == 16 for h, t, _, _ in everything)
        by_hash = {h: (text, published) for h, text, published, _ in everything}
        a1 = samples.content_hash(samples.A1_TEXT)
        a5 = samples.content_hash(samples.A5_TEXT)
        assert by_hash[a1][1] == date(2021, 3, 14)
        before = con.execute("SELECT * FROM events ORDER BY event_id").fetchall()
        before_actors = con.execute("SELECT * FROM event_actors ORDER BY ALL").fetchall()
        good = samples.sample_events()[a1][:1]
        # The second article's new events are broken: the first article's replacement must roll back too.
        with pytest.raises(ValueError):
            warehouse.replace_events(con, "reextract-run", {a1: good, a5: [{"event_type": "armed_clash",
                                                                              "location": "الميادين"}]}, "v2")
        assert con.execute("SELECT * FROM events ORDER BY event_id").fetchall() == before
        assert con.execute("SELECT * FROM event_actors ORDER BY ALL").fetchall() == before_actors
        assert con.execute("SELECT DISTINCT extractor_version FROM articles").fetchall() == [(samples.EXTRACTOR,)]

        written = warehouse.replace_events(con, "reextract-run", {a1: good, a5: []}, "v2")
        assert written == 1
        assert con.execute("SELECT count(*), min(extractor_version), min(run_id) FROM events "
                           "WHERE content_hash IN (?, ?)", [a1, a5]).fetchone() == (1, "v2", "reextract-run")
        assert con.execute("SELECT count(*) FROM events").fetchone() == (len(before) - 2,)
        assert [h for h, *_ in warehouse.articles_for_reextract(con, "v2")] == sorted(set(by_hash) - {a1, a5})
        warehouse.refresh_incidents(con)
        assert con.execute("SELECT count(*) FROM incident_reports").fetchone() == (len(before) - 2,)
    finally:
        con.close()


def test_next_archive_sequence_follows_stored_paths(writer: duckdb.DuckDBPyConnection) -> None:
    assert warehouse.next_archive_sequence(writer) == 0
    run_id = warehouse.start_run(writer, None, datetime(2021, 5, 10, tzinfo=UTC), None)
    articles, events = samples.synthetic_batch(0, 2)
    articles[0]["archive_path"] = f"archive/007_{articles[0]['content_hash']}.txt"
    articles[1]["archive_path"] = f"archive/012_{articles[1]['content_hash']}.txt"
    warehouse.load_batch(writer, run_id, "synthetic", articles, events, [], samples.EXTRACTOR)
    assert warehouse.next_archive_sequence(writer) == 13
    assert warehouse.stored_hashes(writer) == {a["content_hash"] for a in articles}
