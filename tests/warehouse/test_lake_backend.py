"""The same sample load on both backends, a DuckDB file and a DuckLake (SQLite catalog): same rows, views, search."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import warehouse_samples
from test_schema_doc import example_queries

import warehouse
from warehouse import lake

# Tables compared row for row (run_id and times differ between the two loads, so they are left out).
COMPARED = {
    "articles": "content_hash, url, source, title, published, text",
    "events": "event_id, content_hash, event_type, date_start, fatalities, location_id",
    "event_actors": "event_id, position, actor_id, role",
    "incidents": "incident_id, event_type, date_start, fatalities, n_reports, n_sources",
    "incident_reports": "incident_id, event_id",
    "v_acled": "event_id_cnty, event_date, event_type, actor1, actor2, location, fatalities, interaction",
    "article_search": "content_hash, title_norm, text_norm",
}


def load(db: Path | str) -> str:
    """Load the sample reports as one run, refresh incidents and finish the run; return its run id."""
    con = warehouse.connect_writer(db)
    try:
        run_id = warehouse.start_run(con, "flow-run-test", datetime(2021, 5, 10, 8, 0, tzinfo=UTC), "sources.toml")
        counts = warehouse_samples.load_samples(con, run_id)
        warehouse.refresh_incidents(con)
        warehouse.finish_run(con, run_id, "completed", counts, datetime(2021, 5, 10, 8, 5, tzinfo=UTC))
        lake.record_run_snapshot(con, run_id)
    finally:
        con.close()
    return run_id


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A DuckDB file and a SQLite-catalog lake, each loaded with the samples."""
    folder = tmp_path_factory.mktemp("backends")
    file_db = folder / "raqib.duckdb"
    lake_db = f"ducklake:sqlite:{folder / 'lake.sqlite'}"
    return {"file": file_db, "lake": lake_db, "file_run": load(file_db), "lake_run": load(lake_db)}


def rows(db: Path | str, sql: str, at_run: str | None = None) -> list[tuple[Any, ...]]:
    """Return the rows of a read-only query."""
    return warehouse.run_readonly_query(db, sql, at_run=at_run)[1]


@pytest.mark.parametrize("table", sorted(COMPARED))
def test_tables_and_views_are_equal_on_both_backends(both: dict[str, Any], table: str) -> None:
    sql = f"SELECT {COMPARED[table]} FROM {table} ORDER BY ALL"
    file_rows = rows(both["file"], sql)
    assert file_rows and rows(both["lake"], sql) == file_rows


def test_loading_the_same_batch_again_adds_nothing_on_the_lake(both: dict[str, Any]) -> None:
    before = rows(both["lake"], "SELECT count(*) FROM articles UNION ALL SELECT count(*) FROM events")
    con = warehouse.connect_writer(both["lake"])
    try:
        counts = warehouse_samples.load_samples(con, both["lake_run"])
    finally:
        con.close()
    assert counts["articles_new"] == 0 and counts["events"] == 0
    assert rows(both["lake"], "SELECT count(*) FROM articles UNION ALL SELECT count(*) FROM events") == before
    assert rows(both["lake"], "SELECT count(*) - count(DISTINCT content_hash) FROM articles") == [(0,)]


@pytest.mark.parametrize("number", range(1, 13))
def test_schema_examples_answer_the_same_on_the_lake(both: dict[str, Any], number: int) -> None:
    sql = example_queries()[number - 1]
    answers = []
    for name in ("file", "lake"):
        columns, found = warehouse.run_readonly_query(both[name], sql)
        # BM25 scores differ (no Snowball stemmer, one field instead of two): the rows and their order do not
        keep = [i for i, c in enumerate(columns) if c != "score"]
        answers.append([tuple(r[i] for i in keep) for r in found])
    assert answers[0] and answers[1] == answers[0]


@pytest.mark.parametrize("query", ["اشتباكٌ", "الإشتباكات بالميادين", "غاره روسيه", "زلزال"])
def test_search_on_the_lake_finds_what_the_index_finds(both: dict[str, Any], query: str) -> None:
    found = {}
    for name in ("file", "lake"):
        con = warehouse.connect_reader(both[name])
        try:
            found[name] = {h["content_hash"] for h in warehouse.search_articles(con, query, limit=50)}
        finally:
            con.close()
    assert found["lake"] == found["file"]


def test_history_a_reextraction_is_a_new_snapshot(both: dict[str, Any], tmp_path: Path) -> None:
    db = f"ducklake:sqlite:{tmp_path / 'history.sqlite'}"
    first = load(db)
    con = warehouse.connect_writer(db)
    try:
        digest = str(con.execute("SELECT content_hash FROM events ORDER BY event_id LIMIT 1").fetchone()[0])
        second = warehouse.start_run(con, None, datetime(2021, 5, 11, tzinfo=UTC), None)
        warehouse.replace_events(con, second, {digest: []}, "test-extractor-2")
        warehouse.refresh_incidents(con)
        warehouse.finish_run(con, second, "completed", {}, datetime(2021, 5, 11, 0, 5, tzinfo=UTC))
        lake.record_run_snapshot(con, second)
    finally:
        con.close()
    sql = f"SELECT count(*) FROM events WHERE content_hash = '{digest}'"
    assert rows(db, sql) == [(0,)]
    assert rows(db, sql, at_run=first)[0][0] > 0  # the old events can still be read
    assert rows(db, sql, at_run=second) == [(0,)]


def test_sandbox_on_the_lake_reads_its_files_but_no_others(both: dict[str, Any]) -> None:
    with pytest.raises(warehouse.ReadOnlyQueryError):
        rows(both["lake"], "SELECT * FROM read_csv('/etc/hostname')")
    assert rows(both["lake"], "SELECT count(*) FROM articles")[0][0] > 0


def test_at_run_of_an_unknown_run_is_refused(both: dict[str, Any]) -> None:
    with pytest.raises(warehouse.WarehouseError, match="no run"):
        rows(both["lake"], "SELECT 1", at_run="no-such-run")


def test_reextract_flow_on_the_lake_keeps_the_old_events_readable(tmp_path: Path) -> None:
    from extraction import EXTRACTOR_VERSION
    from flows.reextract import reextract_flow

    db = f"ducklake:sqlite:{tmp_path / 'reextract.sqlite'}"
    first = load(db)
    result = reextract_flow(db=db, everything=True)
    sql = "SELECT DISTINCT extractor_version FROM events ORDER BY 1"
    assert rows(db, sql) == [(EXTRACTOR_VERSION,)]
    assert rows(db, sql, at_run=first) == [(warehouse_samples.EXTRACTOR,)]
    assert rows(db, f"SELECT snapshot_id IS NOT NULL FROM runs WHERE run_id = '{result['run_id']}'") == [(True,)]


@pytest.mark.parametrize("command", [["status"], ["report", "--out", "{tmp}/report.html"], ["search", "اشتباكات"],
                                     ["export", "--format", "acled", "--out", "{tmp}/acled"]])
def test_reading_commands_work_on_the_lake(both: dict[str, Any], tmp_path: Path, command: list[str]) -> None:
    import subprocess
    import sys

    args = [part.replace("{tmp}", str(tmp_path)) for part in command]
    done = subprocess.run([sys.executable, "-m", "raqib.cli", args[0], "--db", both["lake"], *args[1:]],
                          cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip()


def test_raqib_db_names_the_lake_when_no_db_is_given(both: dict[str, Any]) -> None:
    import subprocess
    import sys

    env = {**os.environ, "RAQIB_DB": both["lake"]}
    done = subprocess.run([sys.executable, "-m", "raqib.cli", "sql", "--format", "csv", "SELECT count(*) FROM runs"],
                          cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[1:] == ["1"]


def test_a_lake_made_with_its_own_data_folder_opens_again_without_it(tmp_path: Path) -> None:
    """`raqib reextract` and the readers are given no data folder: the lake's catalog names the one it was made with."""
    from flows.reextract import reextract_flow

    db = f"ducklake:sqlite:{tmp_path / 'elsewhere.sqlite'}"
    chosen = tmp_path / "chosen-data"
    con = warehouse.connect_writer(db, lake_data_path=f"{chosen}/")
    try:
        run_id = warehouse.start_run(con, None, datetime(2021, 5, 10, tzinfo=UTC), None)
        warehouse_samples.load_samples(con, run_id)
    finally:
        con.close()
    result = reextract_flow(db=db, everything=True)
    assert result["articles"] == rows(db, "SELECT count(*) FROM articles")[0][0] > 0
    assert list(chosen.rglob("*.parquet"))
    assert not (tmp_path / "elsewhere.sqlite.files").exists()  # the default folder was never used
