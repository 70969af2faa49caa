"""One writer at a time: a second process is refused with a clear message and nothing is damaged."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
import warehouse_samples

import warehouse
from tests.backend import ON_LAKE, db_exists, db_in, file_only

REPO = Path(__file__).resolve().parents[2]
LAKE_WRITERS = "the lake lets several writers in at once (commit conflicts are retried: test_lake.py)"
HOLD_WRITER = """
import sys
import warehouse
con = warehouse.connect_writer(sys.argv[1])
print("holding", flush=True)
sys.stdin.readline()
con.close()
"""


@contextmanager
def writer_in_other_process(db_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Run a process that holds the writer until we close its stdin."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", HOLD_WRITER, str(db_path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "holding", proc.stderr.read() if proc.stderr else line
        yield proc
    finally:
        if proc.stdin:
            proc.stdin.close()
        proc.wait(timeout=30)


@file_only(LAKE_WRITERS)
def test_second_writer_in_another_process_is_refused_clearly(loaded_db: Path) -> None:
    with writer_in_other_process(loaded_db) as proc:
        with pytest.raises(warehouse.WarehouseBusy) as busy:
            warehouse.connect_writer(loaded_db)
        message = str(busy.value)
        assert str(proc.pid) in message
        assert "busy" in message and "writer" in message
        with pytest.raises(warehouse.WarehouseBusy, match=str(proc.pid)):
            warehouse.connect_reader(loaded_db)
        with pytest.raises(warehouse.WarehouseBusy):
            warehouse.run_readonly_query(loaded_db, "SELECT count(*) FROM articles")
    assert proc.returncode == 0
    # The holder is gone: the warehouse opens again, intact.
    con = warehouse.connect_writer(loaded_db)
    try:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (9,)
        assert con.execute("SELECT count(*) FROM events").fetchone() == (11,)
    finally:
        con.close()


def test_writer_waits_for_a_short_lived_holder(loaded_db: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    script = ("import sys, time, warehouse\ncon = warehouse.connect_writer(sys.argv[1])\n"
              "print('holding', flush=True)\ntime.sleep(1.0)\ncon.close()\n")
    proc = subprocess.Popen([sys.executable, "-c", script, str(loaded_db)], stdout=subprocess.PIPE, text=True,
                            env=env, cwd=REPO)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    con = warehouse.connect_writer(loaded_db, wait_seconds=20)
    try:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (9,)
    finally:
        con.close()
        proc.wait(timeout=30)


@file_only(LAKE_WRITERS)
def test_second_writer_in_the_same_process_is_refused(db_path: Path) -> None:
    first = warehouse.connect_writer(db_path)
    try:
        with pytest.raises(warehouse.WarehouseBusy, match="already has an open writer"):
            warehouse.connect_writer(db_path)
    finally:
        first.close()
    second = warehouse.connect_writer(db_path)  # closing the first frees the slot
    second.close()


def test_readers_share_the_file_when_no_writer_holds_it(loaded_db: Path) -> None:
    one = warehouse.connect_reader(loaded_db)
    two = warehouse.connect_reader(loaded_db)
    try:
        assert one.execute("SELECT count(*) FROM v_events").fetchone() == (11,)
        assert two.execute("SELECT count(*) FROM incidents").fetchone() == (8,)
    finally:
        one.close()
        two.close()


def test_reader_on_a_missing_file_fails_clearly(tmp_path: Path) -> None:
    nothing = db_in(tmp_path, "nothing.duckdb")
    with pytest.raises(warehouse.WarehouseError, match="no warehouse at"):
        warehouse.connect_reader(nothing)
    assert not db_exists(nothing)


def test_run_left_running_by_a_dead_process_is_marked_interrupted(writer: duckdb.DuckDBPyConnection) -> None:
    first = warehouse.start_run(writer, None, datetime(2021, 5, 1, tzinfo=UTC), None)
    articles, events = warehouse_samples.synthetic_batch(0, 3)
    warehouse.load_batch(writer, first, "synthetic", articles, events, [], warehouse_samples.EXTRACTOR)
    second = warehouse.start_run(writer, "flow-2", datetime(2021, 5, 2, tzinfo=UTC), None)
    statuses = dict(writer.execute("SELECT run_id, status FROM runs").fetchall())
    # a lake's other writers may be alive, so there a run's 'running' mark stays (docs/SCHEMA.md, "On DuckLake")
    assert statuses == {first: "running" if ON_LAKE else "interrupted", second: "running"}


@file_only("spill folder and row groups are the DuckDB file's storage; the lake writes Parquet files")
def test_writer_spills_beside_the_file_in_small_row_groups(tmp_path: Path) -> None:
    """The writer keeps DuckDB's spill folder beside the warehouse and writes row groups a run's size."""
    db = tmp_path / "w.duckdb"
    con = warehouse.connect_writer(db)
    try:
        row = con.execute("SELECT current_setting('temp_directory')").fetchone()
        assert row is not None and row[0] == f"{db}.tmp"
        con.execute("CREATE TABLE probe AS SELECT range AS n FROM range(40000)")
        groups = con.execute("SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('probe')").fetchone()
    finally:
        con.close()
    assert groups is not None and groups[0] >= 3  # 40,000 rows in groups of 16,384, not one group of 122,880
    reader = warehouse.connect_reader(db)
    try:
        row = reader.execute("SELECT count(*) FROM probe").fetchone()
        assert row is not None and row[0] == 40000
    finally:
        reader.close()
