"""Migrations apply once, in order, each file atomically with its record."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import warehouse
from tests.backend import ON_LAKE, db_in
from warehouse import lake
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
