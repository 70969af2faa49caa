"""`python -m benchmarks.lake`: the same generated site loaded by `raqib run` into a DuckDB file and into a DuckLake."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks.run import RESULTS_DIR, machine, prefect_env, sources_toml
from benchmarks.server import serve_in_process
from benchmarks.sitegen import generate_site

GOAL = 1.5  # the lake's load time over the embedded file's (issue 16)


def timed_run(workdir: Path, label: str, db: str, sources: Path) -> dict[str, Any]:
    """Run `raqib run --json` once into `db`; return wall seconds, the load stage's seconds and the counts."""
    (workdir / label).mkdir(parents=True, exist_ok=True)  # Prefect's ephemeral server needs its home's folder
    env = prefect_env(workdir / label, None)
    env["RAQIB_ARCHIVE"] = str(workdir / label / "archive")
    env["RAQIB_STATE_DIR"] = str(workdir / label / "state")
    raqib = Path(sys.executable).with_name("raqib")
    clock = time.perf_counter()
    done = subprocess.run([str(raqib), "run", "--sources", str(sources), "--db", db, "--json"], env=env,
                          cwd=workdir / label, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - clock
    if done.returncode != 0:
        raise RuntimeError(f"{label} run failed: {done.stderr[-2000:]}")
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    return {"db": ":".join(db.split(":", 2)[:2]) if db.startswith("ducklake:") else "duckdb file",
            "wall_seconds": round(wall, 2), "load_seconds": summary["stage_seconds"].get("load"),
            "articles_new": summary["articles_new"], "events": summary["events"]}


def benchmark(pages: int, seed: int, lake: str | None) -> dict[str, Any]:
    """Generate the site once, then load it into a fresh DuckDB file and a fresh lake."""
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="raqib-lake-bench-")))
        generated = generate_site(workdir / "site", pages, seed)
        base_url = stack.enter_context(serve_in_process(generated.root))
        sources = workdir / "sources.toml"
        sources.write_text(sources_toml(base_url, pages), encoding="utf-8")
        lake_uri = lake or f"ducklake:sqlite:{workdir / 'lake.sqlite'}"
        os.environ.setdefault("RAQIB_LAKE_DATA_PATH", str(workdir / "lake-data") + "/")
        embedded = timed_run(workdir, "embedded", str(workdir / "bench.duckdb"), sources)
        on_lake = timed_run(workdir, "lake", lake_uri, sources)
    ratio = {key: round(on_lake[key] / embedded[key], 2) if embedded.get(key) and on_lake.get(key) else None
             for key in ("wall_seconds", "load_seconds")}
    return {"pages": pages, "seed": seed, "machine": machine(), "embedded": embedded, "lake": on_lake,
            "lake_over_embedded": ratio, "goal": GOAL,
            "goal_met": ratio["load_seconds"] is not None and ratio["load_seconds"] <= GOAL}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison, print it and keep it under benchmarks/results/."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lake", description=__doc__)
    parser.add_argument("--pages", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lake", default=None, help="a lake URI (default: a new ducklake:sqlite: in a temp folder)")
    args = parser.parse_args(argv)
    record = benchmark(args.pages, args.seed, args.lake)
    print(json.dumps(record, indent=2))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    (RESULTS_DIR / f"{stamp}-N{args.pages}-lake.json").write_text(json.dumps(record, indent=2) + "\n",
                                                                  encoding="utf-8")
    return 0 if record["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
