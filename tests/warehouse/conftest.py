"""Fixtures for warehouse tests: real warehouses in tmp_path (files, or lakes: tests/backend.py), with samples."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent))

import warehouse_samples

import warehouse
from tests.backend import copy_db, db_in


@pytest.fixture
def db_path(tmp_path: Path) -> Path | str:
    """Return where this test's warehouse lives (a file path, or a lake URI)."""
    return db_in(tmp_path)


@pytest.fixture
def writer(db_path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a writer on a fresh warehouse and close it afterwards."""
    con = warehouse.connect_writer(db_path)
    yield con
    con.close()


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path | str:
    """Build, once per test session, a closed warehouse holding the sample reports, incidents and search index."""
    path = db_in(tmp_path_factory.mktemp("sample"))
    con = warehouse.connect_writer(path)
    run_id = warehouse.start_run(con, "flow-run-test", datetime(2021, 5, 10, 8, 0, tzinfo=UTC), "sources.toml")
    counts = warehouse_samples.load_samples(con, run_id)
    warehouse.refresh_incidents(con)
    warehouse.finish_run(con, run_id, "completed", counts, datetime(2021, 5, 10, 8, 5, tzinfo=UTC))
    con.close()
    return path


@pytest.fixture
def loaded_db(sample_warehouse: Path | str, db_path: Path | str) -> Path | str:
    """Return this test's own copy of the sample warehouse (tests may write to it)."""
    copy_db(sample_warehouse, db_path)
    return db_path
