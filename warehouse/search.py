"""Arabic full-text search: a BM25 index over normalised, lightly stemmed article text, usable from SQL."""

from __future__ import annotations

from typing import Any

import duckdb

from warehouse.lake import is_lake_connection, search_lake
from warehouse.loads import transaction

INDEX_SCHEMA = "fts_main_article_search"
# Words are runs of letters and digits in any script; the index's default keeps only a-z.
_WORD_SEPARATORS = r"(\.|[^\p{L}\p{N}])+"

_SEARCH_MACROS = f"""
CREATE OR REPLACE MACRO search(q) AS TABLE
    SELECT a.content_hash, a.source, a.url, a.title, a.published, s.score
    FROM (SELECT content_hash, {INDEX_SCHEMA}.match_bm25(content_hash, ar_search_text(q), conjunctive := 1) AS score
          FROM article_search) AS s
    JOIN articles AS a USING (content_hash)
    WHERE s.score IS NOT NULL
    ORDER BY s.score DESC, a.content_hash;
CREATE OR REPLACE MACRO search_any(q) AS TABLE
    SELECT a.content_hash, a.source, a.url, a.title, a.published, s.score
    FROM (SELECT content_hash, {INDEX_SCHEMA}.match_bm25(content_hash, ar_search_text(q)) AS score
          FROM article_search) AS s
    JOIN articles AS a USING (content_hash)
    WHERE s.score IS NOT NULL
    ORDER BY s.score DESC, a.content_hash;
"""


def search_index_exists(con: duckdb.DuckDBPyConnection) -> bool:
    """Tell whether the full-text index has been built."""
    row = con.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = ?", [INDEX_SCHEMA]).fetchone()
    return bool(row and row[0])


def refresh_search_index(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the full-text index and the search(q) / search_any(q) macros in one transaction."""
    if is_lake_connection(con):
        return  # DuckLake stores no fts index: article_search is scanned instead (docs/SCHEMA.md)
    with transaction(con):
        con.execute(
            "PRAGMA create_fts_index('article_search', 'content_hash', 'title_norm', 'text_norm', "
            f"stemmer = 'arabic', stopwords = 'none', ignore = '{_WORD_SEPARATORS}', "
            "strip_accents = 0, lower = 1, overwrite = 1)"
        )
        con.execute(_SEARCH_MACROS)


def ensure_search_index(con: duckdb.DuckDBPyConnection) -> None:
    """Build the index (and so the search macros) if the warehouse has none yet."""
    if not search_index_exists(con):
        refresh_search_index(con)


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
