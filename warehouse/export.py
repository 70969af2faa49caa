"""Exports (one file per table and analyst view) and the read-only query used by `raqib sql`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb

from warehouse.connection import WarehouseError, connect_reader

# Tables and views an analyst gets from `raqib export`, in this order (derived search text is left out).
EXPORTED = (
    "v_events", "incidents", "incident_reports", "events", "event_actors", "actors", "locations",
    "articles", "article_urls", "sources", "runs", "fetch_log", "source_state", "schema_migrations",
    "v_acled", "v_acled_incidents", "event_numbers",
)
# `--format acled`: the two ACLED-form views as CSV the way ACLED's export writes them (UTF-8, ACLED's header,
# event_date as "15 March 2024"), newest events first, as ACLED's export tool lists them.
ACLED_EXPORTED = ("v_acled", "v_acled_incidents")
ACLED_DATE_FORMAT = "%d %B %Y"
_ACLED_ORDER = "event_date DESC, CAST(substr(event_id_cnty, 4) AS BIGINT) DESC"
FORMATS = ("parquet", "csv", "acled")
# Statement types a read-only query may contain; DuckDB's read-only mode and the sandbox back this up.
READ_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "PRAGMA", "CALL"})


class ReadOnlyQueryError(WarehouseError):
    """A query given to `raqib sql` tried to change something or failed."""


def export_tables(db_path: Path | str, out_dir: Path | str, fmt: str = "parquet",
                  at_run: str | None = None) -> list[Path]:
    """Write each exported table and view to OUT_DIR/<name>.<ext> (parquet, csv, or acled: the ACLED-form CSVs).

    With at_run (a lake only), the warehouse as it stood when that run finished.
    """
    if fmt not in FORMATS:
        raise ValueError(f"export format must be {', '.join(FORMATS)}, not {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    options = {
        "parquet": "FORMAT parquet, COMPRESSION zstd",
        "csv": "FORMAT csv, HEADER true",
        "acled": f"FORMAT csv, HEADER true, DELIMITER ',', DATEFORMAT '{ACLED_DATE_FORMAT}'",
    }[fmt]
    names = ACLED_EXPORTED if fmt == "acled" else EXPORTED
    ext = "parquet" if fmt == "parquet" else "csv"
    order = f" ORDER BY {_ACLED_ORDER}" if fmt == "acled" else ""
    written: list[Path] = []
    con = connect_reader(db_path, at_run=at_run)
    try:
        for name in names:
            target = out / f"{name}.{ext}"
            temp = out / f".{name}.{ext}.tmp"
            # Write then rename, so a crash never leaves a half file under the final name.
            con.execute(f"COPY (SELECT * FROM {name}{order}) TO '{_sql_path(temp)}' ({options})")
            os.replace(temp, target)
            written.append(target)
    finally:
        con.close()
    return written


def _sql_path(path: Path) -> str:
    """Quote a file path for a SQL string literal."""
    return path.as_posix().replace("'", "''")


def check_read_only(sql: str) -> list[str]:
    """Split SQL into statements and refuse any that is not a plain read."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise ReadOnlyQueryError(f"cannot parse the query: {exc}") from exc
    if not statements:
        raise ReadOnlyQueryError("the query is empty")
    for statement in statements:
        kind = statement.type.name
        if kind not in READ_STATEMENTS:
            raise ReadOnlyQueryError(
                f"`raqib sql` is read-only: a {kind} statement is not allowed ({statement.query.strip()[:60]!r})"
            )
    return [s.query for s in statements]


def run_readonly_query(db_path: Path | str, sql: str,
                       at_run: str | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run SQL on a read-only, sandboxed connection; return the column names and rows of the last statement.

    With at_run (a lake only), the query sees the warehouse as it stood when that run finished.
    """
    statements = check_read_only(sql)
    con = connect_reader(db_path, sandbox=True, at_run=at_run)
    try:
        cursor: duckdb.DuckDBPyConnection | None = None
        for statement in statements:
            try:
                cursor = con.execute(statement)
            except duckdb.Error as exc:
                raise ReadOnlyQueryError(str(exc)) from exc
        if cursor is None or cursor.description is None:
            return [], []
        columns = [d[0] for d in cursor.description]
        return columns, cursor.fetchall()
    finally:
        con.close()
