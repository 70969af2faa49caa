"""Migrations apply once, in order, each file atomically with its record."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
import warehouse_samples as samples

import warehouse
from tests.backend import ON_LAKE, db_in, file_only
from warehouse import lake
from warehouse.connection import load_fts
from warehouse.migrate import apply_migrations, available_migrations


def test_migrations_apply_once_and_are_recorded(db_path: Path) -> None:
    con = warehouse.connect_writer(db_path)
    recorded = con.execute("SELECT version, name, checksum FROM schema_migrations ORDER BY version").fetchall()
    con.close()
    expected = available_migrations()
    assert [(m.version, m.name, m.checksum) for m in expected] == recorded
    assert len(expected) >= 3

    con = warehouse.connect_writer(db_path)
    try:
        assert apply_migrations(con) == []  # nothing pending on the second open
        assert con.execute("SELECT count(*) FROM schema_migrations").fetchone() == (len(expected),)
        listed = con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()
        tables = {r[0] for r in listed}
        assert {"sources", "runs", "fetch_log", "articles", "article_urls", "source_state", "events",
                "event_actors", "actors", "locations", "incidents", "incident_reports"} <= tables
        views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        assert "v_events" in views
    finally:
        con.close()


def test_failing_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "001_good.sql").write_text("CREATE TABLE kept (x INTEGER);", encoding="utf-8")
    (folder / "002_broken.sql").write_text(
        "CREATE TABLE half_done (x INTEGER);\nINSERT INTO half_done VALUES ('not a number');", encoding="utf-8")
    db = db_in(tmp_path, "m.duckdb")
    con = lake.open_lake(str(db)) if ON_LAKE else duckdb.connect(str(db))
    try:
        with pytest.raises(duckdb.Error):
            apply_migrations(con, folder)
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert "kept" in tables
        assert "half_done" not in tables
        assert con.execute("SELECT version FROM schema_migrations").fetchall() == [(1,)]
    finally:
        con.close()


def test_badly_named_migration_is_refused(tmp_path: Path) -> None:
    (tmp_path / "1_oops.sql").write_text("SELECT 1;", encoding="utf-8")
    with pytest.raises(ValueError, match="NNN_name"):
        available_migrations(tmp_path)



HISTORY_TABLES = ("articles", "article_urls", "fetch_log", "events", "event_actors", "event_numbers", "incidents",
                  "incident_reports", "article_search", "search_docs")


@file_only("migration 007 is recorded without running on a lake, which never had these keys")
def test_history_tables_lose_their_key_indexes_and_keep_their_rows(tmp_path: Path) -> None:
    """Migration 007 on a warehouse that holds rows: the same rows after, no primary key, key columns NOT NULL."""
    up_to_006 = tmp_path / "to006"
    up_to_006.mkdir()
    for migration in available_migrations():
        if migration.version <= 6:
            (up_to_006 / f"{migration.version:03d}_{migration.name}.sql").write_text(migration.sql, encoding="utf-8")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        load_fts(con)
        apply_migrations(con, up_to_006)
        run_id = warehouse.start_run(con, None, datetime(2021, 5, 10, tzinfo=UTC), None)
        samples.load_samples(con, run_id)
        warehouse.refresh_incidents(con)
        stored = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in HISTORY_TABLES}
        assert all(stored[t] for t in ("articles", "events", "event_actors", "incidents", "search_docs"))

        assert apply_migrations(con) == [m.version for m in available_migrations() if m.version > 6]
        assert {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in HISTORY_TABLES} == stored
        keyed = {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'").fetchall()}
        assert keyed.isdisjoint(HISTORY_TABLES)
        assert {"runs", "sources", "source_state", "actors", "locations", "schema_migrations"} <= keyed
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO events (event_id, content_hash, event_index, event_type) "
                        "VALUES (NULL, 'h', 0, 'x')")
    finally:
        con.close()
