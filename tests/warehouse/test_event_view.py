"""v_events works out each event's actor columns for the events a query keeps, with the rows of its first form."""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import warehouse_samples as samples

import warehouse
from warehouse.migrate import MIGRATIONS_DIR

ACTORS = [samples.NDF, samples.IRGC, samples.FATEMIYOUN, samples.IS, samples.SDF, samples.SAA, samples.CIVILIANS]
# every side a role can take (actor_side): side 1, side 2, and none (other_actors), and a role left empty
ROLES = ["actor1", "actor2", "assoc_actor_1", "assoc1", "assoc_actor_2", "target", "victim", "associated", ""]


def load_runs(con: duckdb.DuckDBPyConnection, runs: int, per_run: int, seed: int) -> list[str]:
    """Load `runs` runs of articles whose events have 0-6 actors in random roles; return the run ids."""
    rng = random.Random(seed)
    run_ids = []
    for r in range(runs):
        run_id = warehouse.start_run(con, None, datetime(2021, 5, 10 + r, tzinfo=UTC), None)
        articles, events = [], {}
        for n in range(per_run):
            text = f"اشتباكات في هجين، التقرير {r}-{n}."
            row = samples.article(f"outlet-{n % 3}", f"https://view.example/{r}/{n}", "تقرير", date(2021, 5, 1), text)
            articles.append(row)
            actors = [[(rng.choice(ACTORS), rng.choice(ROLES)) for _ in range(rng.randint(0, 6))]
                      for _ in range(rng.randint(1, 2))]
            events[row["content_hash"]] = [samples.event("armed_clash", found, samples.HAJIN, "2021-05-01", None, "day",
                                                         "اليوم", None, text.rstrip("."), text) for found in actors]
        warehouse.load_batch(con, run_id, "view", articles, events, [], samples.EXTRACTOR)
        run_ids.append(run_id)
    warehouse.refresh_incidents(con, search_index=False)
    return run_ids


def first_form(con: duckdb.DuckDBPyConnection) -> None:
    """Create v_events as migration 003 defined it (joined to v_event_sides), as the temporary view v_events_003."""
    sql = (MIGRATIONS_DIR / "003_analyst_views.sql").read_text(encoding="utf-8")
    view = re.search(r"CREATE VIEW v_events AS\n(.*?);", sql, flags=re.DOTALL)
    assert view is not None
    con.execute("CREATE TEMP VIEW v_events_003 AS " + view.group(1))


def rows(con: duckdb.DuckDBPyConnection, view: str, where: str = "TRUE", params: list[Any] | None = None
         ) -> list[tuple[Any, ...]]:
    """Every column of the view's rows, ordered by event id."""
    return con.execute(f"SELECT * FROM {view} WHERE {where} ORDER BY event_id", params or []).fetchall()


def test_v_events_rows_equal_its_first_form(db_path: Path) -> None:
    """The same rows as v_events joined to v_event_sides had, whole and filtered by run, for every mix of roles."""
    con = warehouse.connect_writer(db_path)
    try:
        run_ids = load_runs(con, runs=3, per_run=40, seed=1)
        first_form(con)
        assert rows(con, "v_events") == rows(con, "v_events_003")
        for run_id in run_ids:
            assert rows(con, "v_events", "run_id = ?", [run_id]) == rows(con, "v_events_003", "run_id = ?", [run_id])
        columns = ["actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "other_actors"]
        filled = con.execute(f"SELECT {', '.join(f'count({c})' for c in columns)}, count(*) FILTER "
                             "(WHERE actor1 IS NULL AND actor2 IS NULL AND other_actors IS NULL) FROM v_events"
                             ).fetchone()
        assert filled is not None and all(n > 5 for n in filled)  # every actor column, and events without any
    finally:
        con.close()


def test_a_runs_events_rank_only_their_own_actors(tmp_path: Path) -> None:
    """Filtered by run, v_events ranks the actors of that run's events, not those of every stored event."""
    con = warehouse.connect_writer(tmp_path / "view.duckdb")  # DuckDB's profiler: a file warehouse
    try:
        run_ids = load_runs(con, runs=4, per_run=30, seed=2)
        own = con.execute("SELECT count(*) FROM event_actors JOIN events USING (event_id) WHERE events.run_id = ?",
                          [run_ids[1]]).fetchone()
        every = con.execute("SELECT count(*) FROM event_actors").fetchone()
        assert own is not None and every is not None and 0 < own[0] < every[0] / 3
        profile = tmp_path / "profile.json"
        con.execute("PRAGMA enable_profiling = 'json'")
        con.execute(f"SET profiling_output = '{profile}'")
        con.execute("SELECT * FROM v_events WHERE run_id = ?", [run_ids[1]]).fetchall()
        con.execute("PRAGMA disable_profiling")
        ranked = windows(json.loads(profile.read_text(encoding="utf-8")))
        assert ranked == [own[0]]  # one ranking, of the run's actors alone
    finally:
        con.close()


def windows(node: dict[str, Any]) -> list[int]:
    """The rows each window operator of a profiled query took in."""
    found = [int(node["operator_cardinality"])] if node.get("operator_name") == "WINDOW" else []
    return found + [n for child in node.get("children", []) for n in windows(child)]
