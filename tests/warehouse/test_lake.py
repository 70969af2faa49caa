"""DuckLake: two `raqib run` processes load two sites into one lake (PostgreSQL catalog) while `raqib sql` reads."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

import warehouse
from raqib.demo import DEFAULT_SITE, serve_site
from tests.pgserver import postgres_cluster
from warehouse.migrate import available_migrations

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def sources_file(path: Path, name: str, base_url: str, rate: float) -> Path:
    """Write a sources file with one sitemap source; the rate limit sets how long its run takes."""
    path.write_text(f"""[settings]
rate_limit_per_host = {rate}
allow_private_addresses = true

[[sources]]
name = "{name}"
kind = "sitemap"
url = "{base_url}/sitemap.xml"
""", encoding="utf-8")
    return path


def second_site(folder: Path) -> Path:
    """Copy the demo site with every article's first paragraph changed, so its articles are other texts."""
    shutil.copytree(DEFAULT_SITE, folder)
    for page in (folder / "2025").rglob("index.html"):
        raw = page.read_bytes()
        page.write_bytes(raw.replace(b"<p>", b"<p>Site B. ", 1))
    return folder


def raqib(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start one `raqib` command as its own process."""
    return subprocess.Popen([sys.executable, "-m", "raqib.cli", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def process_env(work: Path, name: str) -> dict[str, str]:
    """Environment of one process: its own Prefect home, archive and state folder, the lake's data folder."""
    env = dict(os.environ)
    env["PREFECT_HOME"] = str(work / f"prefect-{name}")
    env["RAQIB_ARCHIVE"] = str(work / f"archive-{name}")
    env["RAQIB_STATE_DIR"] = str(work / f"state-{name}")
    env["RAQIB_LAKE_DATA_PATH"] = str(work / "lake-data") + "/"
    return env


def sql(db: str, query: str, env: dict[str, str], *extra: str) -> list[dict[str, object]]:
    """Run `raqib sql --format json` and return its rows; fail the test if it is not answered."""
    done = subprocess.run([sys.executable, "-m", "raqib.cli", "sql", "--db", db, "--format", "json", *extra, query],
                          cwd=ROOT, env=env, text=True, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def lake_runs() -> Iterator[dict[str, object]]:
    """Two concurrent runs into one lake, the reads made meanwhile, and an embedded run of the same sources."""
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="raqib-lake-")))
        conninfo = stack.enter_context(postgres_cluster())
        db = f"ducklake:postgres:{conninfo}"
        url_a = stack.enter_context(serve_site(DEFAULT_SITE))
        url_b = stack.enter_context(serve_site(second_site(work / "site-b")))
        file_a = sources_file(work / "a.toml", "site-a", url_a, 50.0)
        file_b = sources_file(work / "b.toml", "site-b", url_b, 2.0)  # slower: finishes after site-a
        env_a, env_b = process_env(work, "a"), process_env(work, "b")
        runs = [raqib("run", "--sources", str(f), "--db", db, "--json", env=e)
                for f, e in ((file_a, env_a), (file_b, env_b))]
        reads: list[int] = []
        while any(p.poll() is None for p in runs):
            rows = sql(db, "SELECT count(*) AS n FROM articles", env_a) if _lake_exists(db) else []
            if rows:
                reads.append(int(str(rows[0]["n"])))
            time.sleep(0.5)
        outputs = [p.communicate() for p in runs]
        for p, (_out, err) in zip(runs, outputs, strict=True):
            assert p.returncode == 0, err[-3000:]
        both = work / "both.toml"
        both.write_text(file_a.read_text(encoding="utf-8") + "\n".join(
            file_b.read_text(encoding="utf-8").splitlines()[4:]) + "\n", encoding="utf-8")
        embedded = work / "embedded.duckdb"
        done = subprocess.run([sys.executable, "-m", "raqib.cli", "run", "--sources", str(both), "--db",
                               str(embedded), "--json"], cwd=ROOT, env=process_env(work, "e"), text=True,
                              capture_output=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        yield {"db": db, "env": env_a, "reads": reads, "embedded": embedded, "work": work}


def _lake_exists(db: str) -> bool:
    """Tell whether the runs have created the lake's tables yet (before that, there is nothing to read)."""
    try:
        con = warehouse.connect_reader(db)
    except warehouse.WarehouseError:
        return False
    try:
        row = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'commit_guard'").fetchone()
        return bool(row and row[0])
    finally:
        con.close()


def test_reads_are_answered_while_both_runs_write(lake_runs: dict) -> None:
    assert len(lake_runs["reads"]) >= 3
    assert lake_runs["reads"] == sorted(lake_runs["reads"])  # snapshots only grow


def test_lake_equals_the_embedded_run_of_both_sources(lake_runs: dict) -> None:
    db, env = lake_runs["db"], lake_runs["env"]
    query_articles = "SELECT content_hash FROM articles ORDER BY 1"
    query_events = "SELECT event_id FROM events ORDER BY 1"
    lake_articles = [r["content_hash"] for r in sql(db, query_articles, env)]
    lake_events = [r["event_id"] for r in sql(db, query_events, env)]
    embedded = str(lake_runs["embedded"])
    assert lake_articles == [r["content_hash"] for r in sql(embedded, query_articles, env)]
    assert lake_events == [r["event_id"] for r in sql(embedded, query_events, env)]
    assert len(lake_articles) == len(set(lake_articles)) > 16
    assert len(lake_events) == len(set(lake_events))


def test_at_run_of_the_first_run_to_finish_shows_fewer_articles(lake_runs: dict) -> None:
    db, env = lake_runs["db"], lake_runs["env"]
    runs = sql(db, "SELECT run_id, snapshot_id FROM runs WHERE status = 'completed' ORDER BY ended_at", env)
    assert len(runs) == 2 and all(r["snapshot_id"] is not None for r in runs)
    first = str(runs[0]["run_id"])
    then = sql(db, "SELECT count(*) AS n FROM articles", env, "--at-run", first)[0]["n"]
    now = sql(db, "SELECT count(*) AS n FROM articles", env)[0]["n"]
    assert isinstance(then, int) and isinstance(now, int) and 0 < then < now


def test_export_at_run_writes_that_state(lake_runs: dict) -> None:
    db, env = lake_runs["db"], lake_runs["env"]
    first = str(sql(db, "SELECT run_id FROM runs ORDER BY ended_at LIMIT 1", env)[0]["run_id"])
    out = lake_runs["work"] / "export-first"
    done = subprocess.run([sys.executable, "-m", "raqib.cli", "export", "--db", db, "--format", "csv", "--out",
                           str(out), "--at-run", first], cwd=ROOT, env=env, text=True, capture_output=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    then = sql(db, "SELECT count(*) AS n FROM articles", env, "--at-run", first)[0]["n"]
    with (out / "articles.csv").open(encoding="utf-8", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == then


def test_at_run_on_a_duckdb_file_says_history_needs_a_lake(lake_runs: dict) -> None:
    done = subprocess.run([sys.executable, "-m", "raqib.cli", "sql", "--db", str(lake_runs["embedded"]),
                           "--at-run", "x", "SELECT 1"], cwd=ROOT, text=True, capture_output=True, timeout=120)
    assert done.returncode == 3 and "needs a DuckLake" in done.stderr


def test_several_processes_create_one_new_lake_at_once(tmp_path: Path) -> None:
    with postgres_cluster() as conninfo:
        db = f"ducklake:postgres:{conninfo}"
        code = ("import sys, warehouse; con = warehouse.connect_writer(sys.argv[1], lake_data_path=sys.argv[2]); "
                "con.close()")
        procs = [subprocess.Popen([sys.executable, "-c", code, db, str(tmp_path / "data") + "/"], cwd=ROOT,
                                  text=True, stderr=subprocess.PIPE) for _ in range(3)]
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err[-3000:]
        con = warehouse.connect_reader(db)
        try:
            versions = [r[0] for r in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
            guard_rows = con.execute("SELECT count(*) FROM commit_guard").fetchone()
        finally:
            con.close()
        assert versions == [m.version for m in available_migrations()]
        assert guard_rows == (1,)


# One writer process: loads the same overlapping batches as its siblings, in its own order.
_WRITER = """
import sys
import time
from datetime import UTC, datetime
sys.path.insert(0, sys.argv[3])
import warehouse, warehouse_samples
from warehouse.lake import retry_conflicts
con = warehouse.connect_writer(sys.argv[1], lake_data_path=sys.argv[2])
run = retry_conflicts(lambda: warehouse.start_run(con, None, datetime.now(UTC), None))
time.sleep(max(0.0, float(sys.argv[5]) - time.time()))  # all writers start loading at the same moment
order = list(range(10)) if int(sys.argv[4]) % 2 else list(range(9, -1, -1))
for b in order:
    arts, evs = warehouse_samples.synthetic_batch(b, 10)
    retry_conflicts(lambda: warehouse.load_batch(con, run, "synthetic", arts, evs, [], "x"))
retry_conflicts(lambda: warehouse.refresh_incidents(con))
con.close()
"""


def test_concurrent_writers_of_the_same_articles_store_each_once() -> None:
    with postgres_cluster() as conninfo, tempfile.TemporaryDirectory() as data:
        db = f"ducklake:postgres:{conninfo}"
        here = str(Path(__file__).resolve().parent)
        start = str(time.time() + 15)  # after every process has imported and connected
        procs = [subprocess.Popen([sys.executable, "-c", _WRITER, db, data + "/", here, str(i), start], cwd=ROOT,
                                  text=True, stderr=subprocess.PIPE) for i in range(4)]
        for proc in procs:
            _, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err[-3000:]
        con = warehouse.connect_reader(db)
        try:
            counts = con.execute(
                "SELECT (SELECT count(*) FROM articles), (SELECT count(DISTINCT content_hash) FROM articles), "
                "(SELECT count(*) FROM events), (SELECT count(DISTINCT event_id) FROM events), "
                "(SELECT count(*) FROM event_numbers), (SELECT count(DISTINCT number) FROM event_numbers), "
                "(SELECT count(*) FROM incident_reports), (SELECT count(*) FROM article_search)").fetchone()
        finally:
            con.close()
        assert counts == (100, 100, 100, 100, 100, 100, 100, 100)
