"""Runs, batch loads, per-source state and re-extraction: every write is one transaction."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pyarrow as pa

from warehouse.acled import batch_events, number_events, stored_events
from warehouse.lake import is_lake_connection, transaction
from warehouse.rows import (
    ACTOR_SCHEMA,
    ARTICLE_SCHEMA,
    ARTICLE_URL_SCHEMA,
    EVENT_ACTOR_SCHEMA,
    EVENT_SCHEMA,
    FETCH_SCHEMA,
    LOCATION_SCHEMA,
    EventRows,
    Row,
    add_event_rows,
    article_row,
    fetch_row,
    insert_rows,
    json_text,
    utc,
)
from warehouse.search import index_articles

# Fetch outcomes that will not change on a later try: the URL is not fetched again.
PERMANENT_REASONS = frozenset({
    "http_400", "http_401", "http_404", "http_410", "http_451", "empty", "binary", "not_html", "too_large",
    "robots", "private_address", "redirect_loop", "bad_url", "decode_error", "no_article_text", "other_language",
    "too_complex",
})
# Fetch outcomes worth another try on the next run.
TRANSIENT_REASONS = frozenset({
    "timeout", "connect_error", "too_many_redirects", "http_408", "http_429", "read_error", "network_error",
    "tls_error", "dns_error",
})
_HTTP_5XX = re.compile(r"^http_5\d\d$")
RUN_COUNT_COLUMNS = ("sources", "discovered", "fetched", "articles_new", "duplicates", "events", "failures")


def is_transient(reason: str) -> bool:
    """Tell whether a failure reason is worth retrying on the next run."""
    return reason in TRANSIENT_REASONS or bool(_HTTP_5XX.match(reason))


def start_run(
    con: duckdb.DuckDBPyConnection, flow_run_id: str | None, started_at: datetime, sources_file: str | None
) -> str:
    """Record a new run as 'running' and return its id; runs left 'running' by a killed process become 'interrupted'."""
    started = utc(started_at) or datetime.now(UTC)
    run_id = f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    with transaction(con):
        # Only one writer can hold the file, so a run still marked running here died without finishing
        # (a lake has other live writers: there the mark is left alone).
        if not is_lake_connection(con):
            con.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
        con.execute(
            "INSERT INTO runs (run_id, flow_run_id, started_at, status, sources_file, counts) "
            "VALUES (?, ?, ?, 'running', ?, '{}')",
            [run_id, flow_run_id, started, sources_file],
        )
    return run_id


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, status: str, counts: Mapping[str, int], ended_at: datetime
) -> None:
    """Close a run with its status and counts (the usual counts get their own columns, all go to `counts`)."""
    values = [counts.get(name) for name in RUN_COUNT_COLUMNS]
    assignments = ", ".join(f"{name} = ?" for name in RUN_COUNT_COLUMNS)
    with transaction(con):
        updated = con.execute(
            f"UPDATE runs SET status = ?, ended_at = ?, counts = ?, {assignments} WHERE run_id = ?",
            [status, utc(ended_at), json_text(dict(counts)), *values, run_id],
        ).fetchone()
        if not updated or not updated[0]:
            raise ValueError(f"no run {run_id!r} to finish")


def save_sources(con: duckdb.DuckDBPyConnection, sources: Iterable[Any], run_id: str | None) -> None:
    """Upsert the configured sources (objects with name, kind, url, language, enabled and optionally scale)."""
    now = datetime.now(UTC)
    with transaction(con):
        for source in sources:
            # update, then insert if missing: DuckLake has no keys, so no ON CONFLICT
            scale = getattr(source, "scale", None)
            con.execute(
                "UPDATE sources SET kind = ?, url = ?, language = ?, enabled = ?, last_seen = ?, run_id = ?, "
                "scale = ? WHERE name = ?",
                [source.kind, source.url, source.language, source.enabled, now, run_id, scale, source.name],
            )
            con.execute(
                "INSERT INTO sources (name, kind, url, language, enabled, first_seen, last_seen, run_id, scale) "
                "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM sources WHERE name = ?)",
                [source.name, source.kind, source.url, source.language, source.enabled, now, now, run_id, scale,
                 source.name],
            )


def _existing(con: duckdb.DuckDBPyConnection, table: str, column: str, values: Iterable[str]) -> set[str]:
    """Return which of the values are already in table.column (one query through Arrow)."""
    wanted = sorted(set(values))
    if not wanted:
        return set()
    con.register("_wanted", pa.table({"v": pa.array(wanted, pa.string())}))
    try:
        rows = con.execute(f"SELECT {column} FROM {table} WHERE {column} IN (SELECT v FROM _wanted)").fetchall()
    finally:
        con.unregister("_wanted")
    return {str(r[0]) for r in rows}


def stored_hashes(con: duckdb.DuckDBPyConnection, hashes: Iterable[str] | None = None) -> set[str]:
    """Return the content hashes already stored (all of them, or those among `hashes`)."""
    if hashes is None:
        return {str(r[0]) for r in con.execute("SELECT content_hash FROM articles").fetchall()}
    return _existing(con, "articles", "content_hash", hashes)


def next_archive_sequence(con: duckdb.DuckDBPyConnection) -> int:
    """Return the number for the next archive file: one past the highest `NNN_` among stored archive paths."""
    row = con.execute(
        r"SELECT max(TRY_CAST(regexp_extract(archive_path, '(\d+)_[0-9a-f]{16}\.txt$', 1) AS BIGINT)) FROM articles"
    ).fetchone()
    return int(row[0]) + 1 if row and row[0] is not None else 0


def _write_events(
    con: duckdb.DuckDBPyConnection, rows: EventRows, fresh: bool = False
) -> tuple[int, pa.Table, pa.Table]:
    """Insert event rows with their actors and places; return the events written and the two Arrow tables inserted.

    `fresh`: the events of articles stored in this same transaction, whose ids cannot exist yet; they skip the
    existence check, an anti-join against tables that grow with all history (the primary keys still hold).
    """
    events = pa.Table.from_pylist(rows.events, schema=EVENT_SCHEMA)
    actors = pa.Table.from_pylist(rows.event_actors, schema=EVENT_ACTOR_SCHEMA)
    insert_rows(con, "actors", list(rows.actors.values()), ACTOR_SCHEMA, keys=("actor_id",))
    insert_rows(con, "locations", list(rows.locations.values()), LOCATION_SCHEMA, keys=("location_id",))
    written = insert_rows(con, "events", events, EVENT_SCHEMA, keys=() if fresh else ("event_id",))
    insert_rows(con, "event_actors", actors, EVENT_ACTOR_SCHEMA, keys=() if fresh else ("event_id", "position"))
    return written, events, actors


def _index_for_search(con: duckdb.DuckDBPyConnection, articles: list[Row]) -> None:
    """Store the normalised title and text of new articles and add them to the full-text index.

    The texts come from the batch's own rows: selecting them back from `articles` read the text column of every
    stored article (a semi-join cannot skip the columns of rows it drops), a cost that grew with all history.
    """
    if not articles:
        return
    batch = pa.table({
        "content_hash": pa.array([a["content_hash"] for a in articles], pa.string()),
        "title": pa.array([a["title"] for a in articles], pa.string()),
        "text": pa.array([a["text"] for a in articles], pa.string()),
    })
    con.register("_new_articles", batch)
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _new_search AS "
            "SELECT content_hash, ar_search_text(title) AS title_norm, ar_search_text(text) AS text_norm "
            "FROM _new_articles WHERE content_hash NOT IN (SELECT content_hash FROM article_search)"
        )
    finally:
        con.unregister("_new_articles")
    try:
        con.execute("INSERT INTO article_search SELECT content_hash, title_norm, text_norm FROM _new_search")
        index_articles(con, batch.column("content_hash").to_pylist(), source="_new_search")
    finally:
        con.execute("DROP TABLE IF EXISTS _new_search")


def load_batch(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    source: str,
    articles: list[dict[str, Any]],
    events: Mapping[str, list[dict[str, Any]]],
    fetch_records: list[dict[str, Any]],
    extractor_version: str,
) -> dict[str, int]:
    """Store one batch in one transaction; loading the same batch again adds nothing.

    Counts: articles_new; duplicates (known content under a URL not seen before); already_stored
    (same URL and content as before, e.g. a resumed run); new_urls; events; failures (new failed fetches).
    """
    rows = [article_row(a, run_id, extractor_version) for a in articles]
    fetch_rows = list({r["fetch_id"]: r for r in (fetch_row(f, run_id) for f in fetch_records)}.values())
    counts = {"articles_new": 0, "duplicates": 0, "already_stored": 0, "new_urls": 0, "events": 0, "failures": 0}
    with transaction(con):
        known_hashes = _existing(con, "articles", "content_hash", (r["content_hash"] for r in rows))
        candidate_urls = [u for r in rows for u in (r["url"], r["final_url"]) if u]
        known_url_set = _existing(con, "article_urls", "url", candidate_urls)
        new_articles: list[Row] = []
        url_rows: dict[str, Row] = {}
        for row in rows:
            digest = row["content_hash"]
            is_new = digest not in known_hashes
            if is_new:
                new_articles.append(row)
                known_hashes.add(digest)
            elif row["url"] in known_url_set or row["url"] in url_rows:
                counts["already_stored"] += 1
            else:
                counts["duplicates"] += 1
            for url in (row["url"], row["final_url"]):
                if url and url not in known_url_set and url not in url_rows:
                    url_rows[url] = {"url": url, "content_hash": digest, "source": row["source"],
                                     "first_seen": row["fetched_at"] or datetime.now(UTC), "run_id": run_id}
        event_rows = EventRows()
        for row in new_articles:
            add_event_rows(event_rows, row["content_hash"], events.get(row["content_hash"]) or [],
                           run_id, extractor_version)
        counts["articles_new"] = insert_rows(con, "articles", new_articles, ARTICLE_SCHEMA, keys=("content_hash",))
        counts["new_urls"] = insert_rows(con, "article_urls", list(url_rows.values()), ARTICLE_URL_SCHEMA,
                                         keys=("url",))
        counts["events"], event_table, actor_table = _write_events(con, event_rows, fresh=True)
        # numbered from the batch's own rows: the stored tables grow with all history
        current = batch_events(con, event_table, actor_table)
        number_events(con, [r["content_hash"] for r in new_articles], {}, datetime.now(UTC), current=current)
        logged = _existing(con, "fetch_log", "fetch_id", (f["fetch_id"] for f in fetch_rows))
        new_fetches = [r for r in fetch_rows if r["fetch_id"] not in logged]
        insert_rows(con, "fetch_log", new_fetches, FETCH_SCHEMA, keys=("fetch_id",))
        counts["failures"] = sum(1 for r in new_fetches if not r["ok"] and r["reason"] != "not_modified")
        _index_for_search(con, new_articles)
        names = {source} | {r["source"] for r in rows} | {r["source"] for r in fetch_rows}
        now = datetime.now(UTC)
        for name in sorted(names):
            # Only new names: a repeated batch must leave every row as it was.
            con.execute(
                "INSERT INTO sources (name, first_seen, last_seen, run_id) SELECT ?, ?, ?, ? "
                "WHERE NOT EXISTS (SELECT 1 FROM sources WHERE name = ?)",
                [name, now, now, run_id, name],
            )
    return counts


def replace_events(
    con: duckdb.DuckDBPyConnection, run_id: str, events: Mapping[str, list[dict[str, Any]]], extractor_version: str
) -> int:
    """Replace the events of the given stored articles in one transaction; return the events written.

    Articles not in the warehouse are skipped. A new event keeps the ACLED number of the old event it matches
    (warehouse/acled.py). Call refresh_incidents afterwards.
    """
    written = 0
    with transaction(con):
        stored = _existing(con, "articles", "content_hash", events.keys())
        # read before deleting: the new events take the ACLED numbers of the old ones they match
        previous = stored_events(con, stored)
        for digest in sorted(stored):
            old = con.execute("SELECT event_id FROM events WHERE content_hash = ?", [digest]).fetchall()
            old_ids = [str(r[0]) for r in old]
            if old_ids:
                con.execute("DELETE FROM event_actors WHERE event_id IN (SELECT unnest(?::VARCHAR[]))", [old_ids])
                con.execute("DELETE FROM incident_reports WHERE event_id IN (SELECT unnest(?::VARCHAR[]))", [old_ids])
                con.execute("DELETE FROM event_numbers WHERE event_id IN (SELECT unnest(?::VARCHAR[]))", [old_ids])
                con.execute("DELETE FROM events WHERE content_hash = ?", [digest])
            rows = EventRows()
            add_event_rows(rows, digest, events[digest], run_id, extractor_version)
            written += _write_events(con, rows)[0]
            con.execute(
                "UPDATE articles SET extractor_version = ?, events_run_id = ? WHERE content_hash = ?",
                [extractor_version, run_id, digest],
            )
        number_events(con, stored, previous, datetime.now(UTC))
    return written


def articles_for_reextract(
    con: duckdb.DuckDBPyConnection, older_than_version: str | None, chunk: int = 200
) -> Iterator[tuple[str, str, date | None, str | None]]:
    """Yield (content_hash, text, published, language) of articles whose events are not from that version.

    With None, every article. Rows are fetched in chunks, so the caller may write between them.
    """
    if older_than_version is None:
        hashes = con.execute("SELECT content_hash FROM articles ORDER BY content_hash").fetchall()
    else:
        hashes = con.execute(
            "SELECT content_hash FROM articles WHERE extractor_version IS DISTINCT FROM ? ORDER BY content_hash",
            [older_than_version],
        ).fetchall()
    ordered = [str(r[0]) for r in hashes]
    for start in range(0, len(ordered), chunk):
        part = ordered[start:start + chunk]
        rows = con.execute(
            "SELECT content_hash, text, published, language FROM articles "
            "WHERE content_hash IN (SELECT unnest(?::VARCHAR[])) ORDER BY content_hash",
            [part],
        ).fetchall()
        for digest, text, published, language in rows:
            yield str(digest), str(text), published, language


def get_source_state(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, Any] | None:
    """Return the saved incremental state of a source, or None."""
    row = con.execute("SELECT state FROM source_state WHERE source = ?", [source]).fetchone()
    if row is None:
        return None
    value = json.loads(row[0]) if isinstance(row[0], str) else row[0]
    return dict(value) if isinstance(value, dict) else None


def save_source_state(
    con: duckdb.DuckDBPyConnection, source: str, state: Mapping[str, Any] | str, run_id: str | None
) -> None:
    """Save the incremental state of a source: a dict (sets become sorted lists) or a JSON object string."""
    if isinstance(state, str):
        parsed = json.loads(state)
        if not isinstance(parsed, dict):
            raise ValueError(f"source state of {source!r} must be a JSON object")
        state = parsed
    with transaction(con):
        con.execute("DELETE FROM source_state WHERE source = ?", [source])  # no ON CONFLICT on DuckLake
        con.execute("INSERT INTO source_state VALUES (?, ?, ?, ?)",
                    [source, json_text(dict(state)), datetime.now(UTC), run_id])


def known_among(con: duckdb.DuckDBPyConnection, urls: Iterable[str]) -> set[str]:
    """Return which of the URLs need no fetch: any source stored them, or their fetch failed for good.

    Asked with what one discovery or batch brings, so its cost follows that, not the warehouse's size.
    """
    wanted = sorted(set(urls))
    if not wanted:
        return set()
    con.register("_maybe_known", pa.table({"v": pa.array(wanted, pa.string())}))
    try:
        rows = con.execute(
            "SELECT url FROM article_urls WHERE url IN (SELECT v FROM _maybe_known) UNION "
            "SELECT url FROM fetch_log WHERE url IN (SELECT v FROM _maybe_known) AND stage <> 'discover' AND NOT ok "
            "AND reason IN (SELECT unnest(?::VARCHAR[]))", [sorted(PERMANENT_REASONS)]).fetchall()
    finally:
        con.unregister("_maybe_known")
    return {str(r[0]) for r in rows}


def known_urls(con: duckdb.DuckDBPyConnection, source: str) -> set[str]:
    """Return the URLs of a source that need no fetch: stored articles' URLs and permanent rejections."""
    stored = con.execute("SELECT url FROM article_urls WHERE source = ?", [source]).fetchall()
    rejected = con.execute(
        "SELECT DISTINCT url FROM fetch_log WHERE source = ? AND stage <> 'discover' AND NOT ok "
        "AND reason IN (SELECT unnest(?::VARCHAR[]))",
        [source, sorted(PERMANENT_REASONS)],
    ).fetchall()
    return {str(r[0]) for r in stored} | {str(r[0]) for r in rejected}


def urls_to_retry(con: duckdb.DuckDBPyConnection, source: str, max_attempts: int = 5) -> list[str]:
    """Return URLs whose latest fetch failed transiently, never succeeded, and were tried under max_attempts times."""
    rows = con.execute(
        """
        WITH tries AS (
            SELECT url, reason, ok, fetched_at,
                   row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC, fetch_id) AS recency
            FROM fetch_log WHERE source = ? AND stage = 'fetch'
        )
        SELECT url, count(*) AS attempts, bool_or(ok) AS ever_ok, max(reason) FILTER (WHERE recency = 1) AS last_reason
        FROM tries GROUP BY url HAVING NOT bool_or(ok) AND count(*) < ?
        """,
        [source, max_attempts],
    ).fetchall()
    # only the failed URLs are looked up among the stored ones, not every URL of the source
    stored = _existing(con, "article_urls", "url", (str(r[0]) for r in rows))
    return sorted(
        str(url) for url, attempts, ever_ok, last_reason in rows
        if not ever_ok and url not in stored and attempts < max_attempts and is_transient(str(last_reason))
    )


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[dict[str, Any]]:
    """Return the latest runs, newest first, as dicts."""
    cursor = con.execute(
        "SELECT run_id, flow_run_id, started_at, ended_at, status, sources_file, counts "
        "FROM runs ORDER BY started_at DESC LIMIT ?", [limit],
    )
    names = [d[0] for d in cursor.description]
    out = []
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        row["counts"] = json.loads(row["counts"]) if isinstance(row["counts"], str) else (row["counts"] or {})
        out.append(row)
    return out

