"""Counts for the command line's run summary and `raqib status`."""

from __future__ import annotations

from typing import Any

import duckdb


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """Return one integer from a query."""
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def warehouse_summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Return totals: sources, articles, duplicate URLs, events, incidents, runs, failures by reason and source."""
    failures_by_reason = dict(con.execute(
        "SELECT reason, sum(n)::INTEGER FROM v_fetch_failures GROUP BY reason ORDER BY 2 DESC, 1"
    ).fetchall())
    by_source: dict[str, dict[str, int]] = {}
    for source, reason, n in con.execute(
        "SELECT source, reason, sum(n)::INTEGER FROM v_fetch_failures GROUP BY ALL ORDER BY 1, 3 DESC, 2"
    ).fetchall():
        by_source.setdefault(str(source), {})[str(reason)] = int(n)
    articles_by_source = dict(con.execute(
        "SELECT source, count(*)::INTEGER FROM articles GROUP BY source ORDER BY source"
    ).fetchall())
    return {
        "sources": _scalar(con, "SELECT count(*) FROM (SELECT name FROM sources UNION SELECT source FROM articles)"),
        "articles": _scalar(con, "SELECT count(*) FROM articles"),
        "article_urls": _scalar(con, "SELECT count(*) FROM article_urls"),
        "duplicates": _scalar(
            con, "SELECT count(*) FROM article_urls AS u JOIN articles AS a USING (content_hash) "
                 "WHERE u.url <> a.url AND u.url IS DISTINCT FROM a.final_url"),
        "events": _scalar(con, "SELECT count(*) FROM events"),
        "incidents": _scalar(con, "SELECT count(*) FROM incidents"),
        "actors": _scalar(con, "SELECT count(*) FROM actors"),
        "locations": _scalar(con, "SELECT count(*) FROM locations"),
        "runs": _scalar(con, "SELECT count(*) FROM runs"),
        "fetches": _scalar(con, "SELECT count(*) FROM fetch_log"),
        "failures": sum(failures_by_reason.values()),
        "failures_by_reason": failures_by_reason,
        "failures_by_source": by_source,
        "articles_by_source": articles_by_source,
        "extractor_versions": dict(con.execute(
            "SELECT coalesce(extractor_version, '?'), count(*)::INTEGER FROM articles GROUP BY 1 ORDER BY 1"
        ).fetchall()),
    }
