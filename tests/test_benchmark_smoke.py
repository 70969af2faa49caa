"""Smoke test of the performance benchmark: a 30-page run writes a complete JSON record (no timing is asserted).

The growth measure runs small here (20 new pages, a generated warehouse of 300 articles, once each).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
PAGES = 30


@pytest.mark.slow
def test_benchmark_writes_a_complete_record(tmp_path: Path) -> None:
    """`python -m benchmarks.run --pages 30` ingests every page once, nothing on the rerun, and records it all."""
    out = tmp_path / "results"
    done = subprocess.run([sys.executable, "-m", "benchmarks.run", "--pages", str(PAGES), "--out", str(out),
                    "--growth-pages", "20", "--growth-base", "300", "--growth-repeat", "1", "--cache", str(tmp_path)],
                   cwd=PROJECT, check=False, timeout=600, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    records = [p for p in out.glob("*-N30.json")]
    assert len(records) == 1
    record = json.loads(records[0].read_text(encoding="utf-8"))
    assert json.loads((out / "latest.json").read_text(encoding="utf-8")) == record

    for key in ("timestamp", "pages", "machine_at_start", "site", "import_seconds", "baseline", "extractor",
                "server_alone", "warmup_run", "first_run", "rerun", "first_run_running_server", "growth", "ratios",
                "goals", "machine_at_end"):
        assert key in record, key
    assert record["pages"] == PAGES
    assert record["baseline"]["texts_distinct"] == PAGES  # every generated page has its own text
    assert record["extractor"]["articles"] == PAGES and record["extractor"]["events"] > 0

    first, rerun = record["first_run"], record["rerun"]
    assert first["counts"]["fetched"] == PAGES
    assert first["counts"]["articles_new"] == PAGES and first["counts"]["failures"] == 0
    assert {"discover", "fetch_wait", "extract", "load", "incidents"} <= set(first["stage_seconds"])
    assert record["first_run_running_server"]["counts"]["articles_new"] == PAGES
    growth = record["growth"]
    assert growth["base_warehouse"]["articles"] == 300
    for label in ("empty", "large"):
        assert [r["counts"]["articles_new"] for r in growth["runs"][label]] == [20]
        assert growth["summary"][label]["wall_seconds_median"] > 0
    assert rerun["counts"]["articles_new"] == 0 and rerun["counts"]["fetched"] == 0
    for run in (first, rerun):
        assert run["wall_seconds"] > 0
        assert run["memory"]["process_tree_peak_rss_mb"] >= run["memory"]["run_process_hwm_mb"] > 0
        assert run["server"]["requests"] >= 1

    for name in ("full_run_over_trafilatura", "full_run_running_server_over_trafilatura", "rerun_over_first_run",
                 "growth_large_over_empty", "growth_peak_memory_large_over_empty", "extractor_over_trafilatura"):
        goal = record["goals"][name]
        assert goal["value"] == record["ratios"][name] and goal["value"] > 0
        assert goal["met"] == (goal["value"] <= goal["goal"])
