"""A writer killed with SIGKILL in the middle of a load loses only its open batch; a re-run completes it exactly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import warehouse
from tests.backend import ON_LAKE, db_in

REPO = Path(__file__).resolve().parents[2]
BATCHES, SIZE = 6, 60
LOADER = """
import sys
from datetime import UTC, datetime
sys.path.insert(0, sys.argv[2])
import warehouse, warehouse_samples as samples
db, batches, size = sys.argv[1], int(sys.argv[3]), int(sys.argv[4])
con = warehouse.connect_writer(db)
run_id = warehouse.start_run(con, None, datetime.now(UTC), None)
for b in range(batches):
    articles, events = samples.synthetic_batch(b, size)
    records = [{"source": "synthetic", "url": a["url"], "status": 200, "ok": True, "reason": "ok", "bytes": 900,
                "duration_ms": 4.0, "stage": "fetch", "at": datetime(2021, 5, 10, tzinfo=UTC)} for a in articles]
    print("begin", b, flush=True)
    warehouse.load_batch(con, run_id, "synthetic", articles, events, records, samples.EXTRACTOR)
    print("committed", b, flush=True)
warehouse.refresh_incidents(con)
warehouse.finish_run(con, run_id, "completed", {}, datetime.now(UTC))
con.close()
"""
# Columns that name the run (or the moment) that wrote a row differ between two runs by design.
COMPARED = {
    "articles": "content_hash, url, final_url, source, title, published, language, text, fetched_at, extractor_version",
    "article_urls": "url, content_hash, source, first_seen",
    "fetch_log": "fetch_id, url, source, stage, status, ok, reason, bytes, duration_ms, fetched_at",
    "events": "* EXCLUDE (run_id)",
    "event_actors": "* EXCLUDE (run_id)",
    "actors": "* EXCLUDE (run_id)",
    "locations": "* EXCLUDE (run_id)",
    "article_search": "*",
    "incidents": "* EXCLUDE (refreshed_at)",
    "incident_reports": "*",
}


def run_loader(db: Path | str) -> subprocess.Popen[str]:
    """Start the loader process on a warehouse."""
    return subprocess.Popen(
        [sys.executable, "-c", LOADER, str(db), str(Path(__file__).parent), str(BATCHES), str(SIZE)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )


def contents(db: Path | str) -> dict[str, list[tuple[Any, ...]]]:
    """Return the compared rows of every table."""
    con = warehouse.connect_reader(db)
    try:
        return {t: con.execute(f"SELECT {cols} FROM {t} ORDER BY ALL").fetchall() for t, cols in COMPARED.items()}
    finally:
        con.close()


def test_sigkill_mid_batch_then_rerun_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    clean = db_in(tmp_path, "clean.duckdb")
    proc = run_loader(clean)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err

    crashed = db_in(tmp_path, "crashed.duckdb")
    proc = run_loader(crashed)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "begin 3":
            time.sleep(0.01)  # inside batch 3's transaction
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    # After the kill: whole batches only, each article with its event and its fetch record.
    con = warehouse.connect_writer(crashed)
    try:
        articles = con.execute("SELECT count(*) FROM articles").fetchone()
        assert articles is not None
        stored = articles[0]
        assert stored % SIZE == 0 and 3 * SIZE <= stored < BATCHES * SIZE
        assert con.execute("SELECT count(*) FROM articles WHERE content_hash NOT IN "
                           "(SELECT content_hash FROM events)").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM events").fetchone() == (stored,)
        assert con.execute("SELECT count(*) FROM fetch_log").fetchone() == (stored,)
        assert con.execute("SELECT status FROM runs").fetchall() == [("running",)]
    finally:
        con.close()

    proc = run_loader(crashed)  # the next run loads everything again; stored batches are skipped
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert contents(crashed) == contents(clean)
    con = warehouse.connect_reader(crashed)
    try:
        # a lake leaves the killed run 'running' (its other writers may be alive: docs/SCHEMA.md)
        killed = "running" if ON_LAKE else "interrupted"
        assert sorted(con.execute("SELECT status FROM runs").fetchall()) == [("completed",), (killed,)]
    finally:
        con.close()
