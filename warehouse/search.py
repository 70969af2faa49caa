"""Arabic full-text search: a BM25 index over normalised, lightly stemmed article text, usable from SQL.

The index (search_docs, search_terms; migration 005) grows with each load: `index_articles` adds the words
of new articles inside the load's transaction, so a run's indexing cost follows what it adds, not what
the warehouse holds. BM25's statistics are read at query time, so scores equal those of a fresh rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb
import pyarrow as pa

from warehouse.lake import is_lake_connection, search_lake, transaction

# Title and text as one string: the fts index counted a document's words over both fields together.
_SEARCH_TEXT = "coalesce(s.title_norm, '') || ' ' || coalesce(s.text_norm, '')"


def search_index_exists(con: duckdb.DuckDBPyConnection) -> bool:
    """Tell whether the full-text index tables exist (migration 005 creates them)."""
    row = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'search_terms'").fetchone()
    return bool(row and row[0])


def index_articles(con: duckdb.DuckDBPyConnection, hashes: Iterable[str], source: str = "article_search") -> int:
    """Add the articles among `hashes` that are in article_search but not yet indexed; return how many.

    Runs inside the caller's transaction (load_batch), so an article and its index rows commit together.
    `source` is a table with article_search's columns holding those articles: a load passes its own new rows,
    so the words come from them instead of a scan of every stored text.
    """
    wanted = sorted(set(hashes))
    if not wanted:
        return 0
    con.register("_index_hashes", pa.table({"h": pa.array(wanted, pa.string())}))
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _index_words AS "
            f"SELECT s.content_hash, search_words({_SEARCH_TEXT}) AS words FROM {source} AS s "
            "WHERE s.content_hash IN (SELECT h FROM _index_hashes) "
            "AND s.content_hash NOT IN (SELECT content_hash FROM search_docs)"
        )
    finally:
        con.unregister("_index_hashes")
    con.execute("INSERT INTO search_docs SELECT content_hash, len(words) FROM _index_words")
    con.execute(
        "INSERT INTO search_terms SELECT term, content_hash, count(*)::INTEGER "
        "FROM (SELECT content_hash, unnest(words) AS term FROM _index_words) GROUP BY ALL"
    )
    row = con.execute("SELECT count(*) FROM _index_words").fetchone()
    # not in a `finally`: after a failed statement the transaction is aborted and this would hide the error;
    # a temp table left behind is replaced by the next call and gone when the connection closes
    con.execute("DROP TABLE _index_words")
    return int(row[0]) if row else 0


def _index_in_chunks(con: duckdb.DuckDBPyConnection, hashes: list[str], chunk: int) -> None:
    """Index articles a chunk at a time: one statement over a whole warehouse's words outgrows the memory limit."""
    for start in range(0, len(hashes), chunk):
        index_articles(con, hashes[start : start + chunk])


REBUILD_CHUNK = 5_000  # articles per indexing statement of a rebuild (about 30 MB of words at 160 MB)


def refresh_search_index(con: duckdb.DuckDBPyConnection, chunk: int = REBUILD_CHUNK) -> None:
    """Rebuild the whole full-text index from article_search in one transaction (a repair; loads keep it current)."""
    with transaction(con):
        con.execute("DELETE FROM search_terms")
        con.execute("DELETE FROM search_docs")
        hashes = [str(r[0]) for r in con.execute("SELECT content_hash FROM article_search ORDER BY 1").fetchall()]
        _index_in_chunks(con, hashes, chunk)


def ensure_search_index(con: duckdb.DuckDBPyConnection) -> None:
    """Index any stored article the index lacks (say, one written by an older raqib)."""
    counts = con.execute("SELECT (SELECT count(*) FROM article_search), (SELECT count(*) FROM search_docs)").fetchone()
    if counts is None or counts[0] == counts[1]:  # loads keep the two in step: the usual case costs two counts
        return
    missing = [str(r[0]) for r in con.execute(
        "SELECT content_hash FROM article_search ANTI JOIN search_docs USING (content_hash)").fetchall()]
    if missing:
        with transaction(con):
            _index_in_chunks(con, missing, REBUILD_CHUNK)


def search_articles(con: duckdb.DuckDBPyConnection, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Return the articles containing every word of the query (after Arabic normalisation and stemming), best first."""
    if not query.strip():
        return []
    if is_lake_connection(con):
        return search_lake(con, query, limit)  # no fts index on a lake (docs/SCHEMA.md, "On DuckLake")
    if not search_index_exists(con):
        raise RuntimeError("the warehouse has no search index yet: open it once with connect_writer")
    cursor = con.execute("SELECT * FROM search(?) LIMIT ?", [query, limit])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
