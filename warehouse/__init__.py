"""The DuckDB warehouse: migrations, one writer at a time, batch loads, incidents, search, exports."""

import duckdb

from warehouse.connection import (
    WarehouseBusy,
    WarehouseError,
    connect_reader,
    connect_writer,
    fts_extension_path,
    is_out_of_memory,
    load_fts,
    out_of_memory_message,
)
from warehouse.export import ReadOnlyQueryError, check_read_only, export_tables, run_readonly_query
from warehouse.incidents import refresh_incidents
from warehouse.loads import (
    articles_for_reextract,
    finish_run,
    get_source_state,
    known_among,
    known_urls,
    load_batch,
    next_archive_sequence,
    recent_runs,
    replace_events,
    save_source_state,
    save_sources,
    start_run,
    stored_hashes,
    urls_to_retry,
)
from warehouse.search import refresh_search_index, search_articles
from warehouse.summary import warehouse_summary


def refresh_derived(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild incidents and the search index after a run; return the incident count."""
    return refresh_incidents(con, search_index=True)


__all__ = [
    "ReadOnlyQueryError",
    "WarehouseBusy",
    "WarehouseError",
    "articles_for_reextract",
    "check_read_only",
    "connect_reader",
    "connect_writer",
    "export_tables",
    "finish_run",
    "fts_extension_path",
    "get_source_state",
    "is_out_of_memory",
    "known_among",
    "known_urls",
    "load_batch",
    "load_fts",
    "next_archive_sequence",
    "out_of_memory_message",
    "recent_runs",
    "refresh_derived",
    "refresh_incidents",
    "refresh_search_index",
    "replace_events",
    "run_readonly_query",
    "save_source_state",
    "save_sources",
    "search_articles",
    "start_run",
    "stored_hashes",
    "urls_to_retry",
    "warehouse_summary",
]
