"""`python -m benchmarks.run`: time `raqib run` against bare trafilatura over the same generated site, in one run."""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import profiles
from benchmarks.memory import TreeMemory
from benchmarks.server import measure_throughput, serve_in_process, server_stats
from benchmarks.sitegen import GeneratedSite, generate_site

DEFAULT_PAGES = 1500
MAX_PAGES = 20000
RESULTS_DIR = Path(__file__).resolve().parent / "results"
GOALS = {"full_run_over_trafilatura": 1.0, "full_run_running_server_over_trafilatura": 0.7,
         "rerun_over_first_run": 0.30, "growth_large_over_empty": 1.2, "growth_peak_memory_large_over_empty": 1.2,
         "extractor_over_trafilatura": 0.25}
GROWTH_PAGES = 1000
GROWTH_BASE = 100_000
CACHE_DIR = Path(tempfile.gettempdir()) / "raqib-bench-cache"
FETCH_CONCURRENCY = 8  # the Settings default, so the server check asks what the pipeline asks


def trafilatura_options() -> dict[str, Any]:
    """The options connectors/article.py gives trafilatura, written out here so the baseline stays put if it changes."""
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MAX_TREE_SIZE", "300000")
    config.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")
    return {"favor_precision": True, "include_comments": False, "include_tables": False, "with_metadata": True,
            "config": config, "date_extraction_params": {"extensive_search": False, "original_date": True}}


def bare_trafilatura(generated: GeneratedSite) -> tuple[dict[str, Any], list[str]]:
    """One process, one page after another: read the file, extract the article; return the timing and texts."""
    import trafilatura

    options = trafilatura_options()
    texts: list[str] = []
    clock = time.perf_counter()
    for path in generated.pages:
        html = path.read_text(encoding="utf-8")
        result = trafilatura.bare_extraction(html, url=None, **options)
        texts.append((getattr(result, "text", None) or "") if result is not None else "")
    seconds = time.perf_counter() - clock
    # the plain call (demo/check_site.py's) on a sample, to show what the pipeline's options cost
    sample = generated.pages[: min(200, len(generated.pages))]
    clock = time.perf_counter()
    for path in sample:
        trafilatura.extract(path.read_text(encoding="utf-8"), favor_precision=True)
    plain = (time.perf_counter() - clock) / len(sample)
    count = len(generated.pages)
    return {
        "call": "trafilatura.bare_extraction(html, favor_precision=True, include_comments=False, include_tables=False,"
                " with_metadata=True, extensive date search off): connectors/article.py's options",
        "seconds": round(seconds, 3), "ms_per_page": round(1000 * seconds / count, 2),
        "pages_per_second": round(count / seconds, 1),
        "texts_nonempty": sum(1 for t in texts if t), "texts_distinct": len(set(texts)),
        "plain_extract_ms_per_page_sample": round(1000 * plain, 2), "plain_extract_sample_pages": len(sample),
    }, texts


def extractor_alone(texts: list[str], generated: GeneratedSite) -> dict[str, Any]:
    """Time `extraction.extract_events` over the extracted texts, in this one process."""
    clock = time.perf_counter()
    from extraction import extract_events

    extract_events("اشتباكات في الميادين", None, "ar")  # loads the dictionaries and gazetteer
    load = time.perf_counter() - clock
    events = 0
    clock = time.perf_counter()
    for text, published, language in zip(texts, generated.published, generated.languages, strict=True):
        if text:
            events += len(extract_events(text, published.date(), language))
    seconds = time.perf_counter() - clock
    articles = sum(1 for t in texts if t)
    return {"load_seconds": round(load, 3), "seconds": round(seconds, 3), "articles": articles, "events": events,
            "events_per_second": round(events / seconds, 1) if seconds else None,
            "articles_per_second": round(articles / seconds, 1) if seconds else None,
            "ms_per_article": round(1000 * seconds / max(articles, 1), 3)}


def sources_toml(base_url: str, pages: int) -> str:
    """A sources file with the site's sitemap: private addresses allowed, the politeness limit out of the way."""
    return f"""[settings]
rate_limit_per_host = 1000.0
allow_private_addresses = true
max_items_per_source = {pages + 100}

[[sources]]
name = "bench-sitemap"
kind = "sitemap"
url = "{base_url}/sitemap_index.xml"
"""


def prefect_env(workdir: Path, api_url: str | None, project: Path | None = None,
                home: Path | None = None) -> dict[str, str]:
    """A Prefect home (the work folder's own unless given), and either a running API server or time for the
    ephemeral one to start."""
    env = {**os.environ, "PREFECT_HOME": str(home or workdir / "prefect-home"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120", "PYTHONUNBUFFERED": "1"}
    env.pop("PREFECT_API_URL", None)
    env.pop("RAQIB_PREFECT_HOME", None)
    if api_url:
        env["PREFECT_API_URL"] = api_url
    if project is not None:  # a scratch copy of the code, to measure a change before it is made
        env["PYTHONPATH"] = str(project.resolve())
    return env


@contextmanager
def prefect_api_server(workdir: Path) -> Iterator[str]:
    """A `prefect server start` for the runs to share, as under `raqib serve` or a deployment; yield its API URL."""
    import socket

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    prefect = Path(sys.executable).parent / "prefect"
    log = (workdir / "prefect-server.log").open("wb")
    process = subprocess.Popen([str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port),
                                "--no-ui", "--analytics-off"], cwd=workdir, env=prefect_env(workdir, None),
                               stdout=log, stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(api + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("benchmark: the Prefect API server did not start; see prefect-server.log")
            time.sleep(0.5)
        yield api
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


_LOG_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d\.\d+) \| \w+ +\| (.*)$")
PHASE_MARKS = {"server_start": "Starting temporary server", "flow_begin": "Beginning flow run",
               "flow_end": "Finished in state", "server_stop": "Stopping temporary server"}


def phases(log: str, started: datetime, ended: datetime) -> dict[str, float | None]:
    """Split a run's wall time by its Prefect log lines: start-up, API server start, flow, tear-down (seconds)."""
    marks: dict[str, float] = {}
    day = started.replace(hour=0, minute=0, second=0, microsecond=0)
    for line in log.splitlines():
        match = _LOG_TIME.match(line)
        if not match:
            continue
        moment = (day.timestamp() + int(match.group(1)) * 3600 + int(match.group(2)) * 60 + float(match.group(3)))
        if moment < started.timestamp() - 12 * 3600:  # the run went past midnight
            moment += 24 * 3600
        message = match.group(4)
        for name, text in PHASE_MARKS.items():
            if text not in message or (name == "flow_end" and "Flow run" not in message):
                continue
            if name == "flow_end" or name not in marks:  # the first start, the last end
                marks[name] = moment
    begin, end = started.timestamp(), ended.timestamp()
    flow_begin, flow_end = marks.get("flow_begin"), marks.get("flow_end")
    if flow_begin is None or flow_end is None:
        return {"startup": None, "api_server_start": None, "flow": None, "teardown": None}
    server = marks.get("server_start")
    return {"startup": round((server or flow_begin) - begin, 2),
            "api_server_start": round(flow_begin - server, 2) if server else 0.0,
            "flow": round(flow_end - flow_begin, 2), "teardown": round(end - flow_end, 2)}


def run_raqib(workdir: Path, base_url: str, label: str, profile: bool, api_url: str | None,
              project: Path | None = None, home: Path | None = None, db: str = "bench.duckdb",
              archive: str = "archive") -> dict[str, Any]:
    """One `raqib run --json` in a subprocess, its wall time, result, server load and peak memory."""
    raqib = Path(sys.executable).parent / "raqib"
    command = [str(raqib), "run", "--sources", str(workdir / "sources.toml"), "--db", str(workdir / db),
               "--archive", str(workdir / archive), "--json"]
    raw_profile = workdir / f"profile-{label}.txt"
    if profile:
        py_spy = Path(sys.executable).parent / "py-spy"
        command = [str(py_spy), "record", "--subprocesses", "--rate", "50", "--format", "raw",
                   "--output", str(raw_profile), "--", *command]
    env = prefect_env(workdir, api_url, project, home)
    before = server_stats(base_url)
    stdout_path, stderr_path = workdir / f"{label}.stdout", workdir / f"{label}.stderr"
    clock = time.perf_counter()
    started = datetime.now()  # local time, as in Prefect's log lines
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        process = subprocess.Popen(command, cwd=workdir, env=env, stdout=out, stderr=err)
        memory = TreeMemory(process)
        code = process.wait()
    wall = time.perf_counter() - clock
    ended = datetime.now()
    after = server_stats(base_url)
    if code != 0:
        tail = stderr_path.read_text(errors="replace")[-3000:]
        raise SystemExit(f"benchmark: raqib run ({label}) exited with {code}:\n{tail}")
    lines = [line for line in stdout_path.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    result = json.loads(lines[-1])
    served = {k: round(after[k] - before[k], 3) for k in after}
    record = {
        "wall_seconds": round(wall, 3),
        "counts": {k: result.get(k) for k in ("discovered", "fetched", "articles_new", "duplicates", "events",
                                               "failures")},
        "failure_reasons": result.get("failure_reasons", {}),
        "stage_seconds": result.get("stage_seconds", {}),
        "outside_stages_seconds": round(wall - sum(result.get("stage_seconds", {}).values()), 3),
        "phases_seconds": phases(stderr_path.read_text(encoding="utf-8", errors="replace"), started, ended),
        "server": {**served, "cpu_share_of_wall": round(served["cpu_seconds"] / wall, 3)},
        "memory": memory.result(),
        "profiled": profile,
    }
    if profile and raw_profile.exists():
        record["profile"] = profiles.summarise(raw_profile)
    return record


def import_seconds() -> float:
    """What a fresh interpreter pays to import the flow module (Prefect, trafilatura, DuckDB, the extractor)."""
    clock = time.perf_counter()
    project = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", "import flows.ingest"], check=True, cwd=project)
    return round(time.perf_counter() - clock, 3)


def goal_table(ratios: dict[str, float | None]) -> dict[str, Any]:
    """Each goal with its measured value and whether it holds."""
    return {name: {"value": ratios.get(name), "goal": limit,
                   "met": None if ratios.get(name) is None else bool(ratios[name] <= limit)}  # type: ignore[operator]
            for name, limit in GOALS.items()}


def machine() -> dict[str, Any]:
    """Where the numbers were taken."""
    import trafilatura

    return {"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(), "platform": platform.platform(),
            "trafilatura": trafilatura.__version__}


def benchmark(pages: int, seed: int, skip_baseline: bool, skip_rerun: bool, profile: bool,
              keep: Path | None, api_server: bool = False, project: Path | None = None,
              growth_pages: int = 0, growth_base: int = GROWTH_BASE, growth_repeat: int = 2,
              cache_dir: Path = CACHE_DIR) -> dict[str, Any]:
    """Generate, serve, time the baseline and the runs (and, with growth_pages, the growth measure); return the record.

    Runs with a temporary Prefect server use one Prefect home for the whole benchmark, as `raqib run` now keeps
    one: a warm-up run (no sources) pays its database migrations first, and its server start is recorded as
    the cost of a throwaway home. Unless `api_server` (all runs on one running server), a first run into a
    fresh warehouse is also timed on a running server, and the growth runs use that server too.
    """
    workdir = Path(tempfile.mkdtemp(prefix="raqib-bench-"))
    record: dict[str, Any] = {"timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "pages": pages,
                              "seed": seed, "code": str(project.resolve()) if project else "this checkout",
                              "prefect_api": "running server" if api_server else "ephemeral (per run)",
                              "machine_at_start": machine()}
    home = workdir / "prefect-home"
    try:
        clock = time.perf_counter()
        generated = generate_site(workdir / "site", pages, seed)
        sizes = [p.stat().st_size for p in generated.pages]
        record["site"] = {"generate_seconds": round(time.perf_counter() - clock, 3),
                          "total_mb": round(generated.total_bytes / 1e6, 1),
                          "page_kb_mean": round(sum(sizes) / len(sizes) / 1024, 1),
                          "page_kb_min": round(min(sizes) / 1024, 1), "page_kb_max": round(max(sizes) / 1024, 1),
                          "sitemaps": generated.sitemap_files}
        print(f"site: {pages} pages, {record['site']['total_mb']} MB, {record['site']['page_kb_mean']} KB mean",
              flush=True)
        record["import_seconds"] = import_seconds()
        if not skip_baseline:
            record["baseline"], texts = bare_trafilatura(generated)
            print(f"bare trafilatura: {record['baseline']['seconds']} s "
                  f"({record['baseline']['pages_per_second']} pages/s)", flush=True)
            record["extractor"] = extractor_alone(texts, generated)
            print(f"extractor alone: {record['extractor']['ms_per_article']} ms/article, "
                  f"{record['extractor']['events_per_second']} events/s", flush=True)
        with ExitStack() as stack:
            base_url = stack.enter_context(serve_in_process(generated.root))
            api_url = stack.enter_context(prefect_api_server(workdir)) if api_server else None
            urls = [f"{base_url}/{p.parent.relative_to(generated.root).as_posix()}/" for p in generated.pages]
            record["server_alone"] = measure_throughput(urls, FETCH_CONCURRENCY)
            print(f"server alone: {record['server_alone']['pages_per_second']} pages/s", flush=True)
            if api_url is None:
                # a run with no sources: the new Prefect home's migrations, paid once, as an operator's first run
                (workdir / "sources.toml").write_text("[settings]\n", encoding="utf-8")
                record["warmup_run"] = run_raqib(workdir, base_url, "warmup", False, None, project, home,
                                                 db="warmup.duckdb", archive="warmup-archive")
                print(f"warm-up (new Prefect home): {record['warmup_run']['wall_seconds']} s, server start "
                      f"{record['warmup_run']['phases_seconds']['api_server_start']} s", flush=True)
            (workdir / "sources.toml").write_text(sources_toml(base_url, pages), encoding="utf-8")
            record["first_run"] = run_raqib(workdir, base_url, "first", profile, api_url, project, home)
            print(f"raqib run: {record['first_run']['wall_seconds']} s {record['first_run']['counts']}", flush=True)
            if not skip_rerun:
                record["rerun"] = run_raqib(workdir, base_url, "rerun", profile, api_url, project, home)
                print(f"rerun: {record['rerun']['wall_seconds']} s {record['rerun']['counts']}", flush=True)
            if api_url is None and not profile:
                api_url = stack.enter_context(prefect_api_server(workdir))
                record["first_run_running_server"] = run_raqib(workdir, base_url, "first-api", False, api_url,
                                                               project, home, db="bench-api.duckdb",
                                                               archive="archive-api")
                print(f"raqib run on a running server: {record['first_run_running_server']['wall_seconds']} s",
                      flush=True)
            if growth_pages:
                record["growth"] = growth(workdir, seed, growth_pages, growth_base, growth_repeat, cache_dir,
                                          api_url, project, home)
        record["ratios"] = ratios(record)
        record["goals"] = goal_table(record["ratios"])
        record["machine_at_end"] = machine()
        return record
    finally:
        if keep is not None:
            shutil.copytree(workdir, keep, dirs_exist_ok=True, ignore=shutil.ignore_patterns("site", "growth-*"))
        shutil.rmtree(workdir, ignore_errors=True)


def growth(workdir: Path, seed: int, pages: int, base: int, repeat: int, cache_dir: Path, api_url: str | None,
           project: Path | None, home: Path) -> dict[str, Any]:
    """The same new pages into an empty warehouse and into one of `base` generated articles, alternately.

    Each run gets a fresh copy of its starting warehouse; runs alternate (empty, large, empty, ...) so that a
    busy moment of the machine falls on both sides. Medians are compared.
    """
    from benchmarks.warehousegen import cached_warehouse

    clock = time.perf_counter()
    base_path, build = cached_warehouse(cache_dir, base)
    print(f"growth: base warehouse of {base} articles ({'cached' if build.get('cached') else 'built'}, "
          f"{build.get('file_mb')} MB) in {time.perf_counter() - clock:.1f} s", flush=True)
    generated = generate_site(workdir / "growth-site", pages, seed + 1000)
    runs: dict[str, list[dict[str, Any]]] = {"empty": [], "large": []}
    with serve_in_process(generated.root) as base_url:
        for n in range(repeat):
            for label in ("empty", "large"):
                folder = workdir / f"growth-{label}-{n}"
                folder.mkdir()
                (folder / "sources.toml").write_text(sources_toml(base_url, pages), encoding="utf-8")
                if label == "large":
                    shutil.copyfile(base_path, folder / "bench.duckdb")
                    # a warehouse that a daily run opens is at rest on disk; without this the run's first write
                    # pays the flush of the fresh 1.6 GB copy (0.4-0.5 s measured), which no daily run pays
                    os.sync()
                run = run_raqib(folder, base_url, label, False, api_url, project, home)
                runs[label].append(run)
                print(f"growth {label} #{n + 1}: {run['wall_seconds']} s, flow {run['phases_seconds']['flow']} s, "
                      f"peak tree {run['memory']['process_tree_peak_rss_mb']} MB, {run['counts']}", flush=True)
                shutil.rmtree(folder, ignore_errors=True)

    def median(label: str, pick: Any) -> float | None:
        values = [v for v in (pick(r) for r in runs[label]) if v is not None]
        return round(statistics.median(values), 3) if values else None

    summary = {label: {"wall_seconds_median": median(label, lambda r: r["wall_seconds"]),
                       "flow_seconds_median": median(label, lambda r: r["phases_seconds"]["flow"]),
                       "tree_peak_mb_median": median(label, lambda r: r["memory"]["process_tree_peak_rss_mb"]),
                       "run_hwm_mb_median": median(label, lambda r: r["memory"]["run_process_hwm_mb"])}
               for label in runs}
    return {"pages": pages, "base_articles": base, "base_warehouse": build, "repeat": repeat,
            "prefect_api": "running server" if api_url else "ephemeral (per run)", "summary": summary,
            "runs": {label: [{k: r[k] for k in ("wall_seconds", "counts", "stage_seconds", "phases_seconds")}
                             | {"memory": {k: v for k, v in r["memory"].items()
                                           if k != "timeline_seconds_run_mb_tree_mb"}}
                             for r in found] for label, found in runs.items()}}


def ratios(record: dict[str, Any]) -> dict[str, float | None]:
    """The ratios the goals are stated in."""
    first = record["first_run"]["wall_seconds"]
    baseline = record.get("baseline", {}).get("seconds")
    rerun = record.get("rerun", {}).get("wall_seconds")
    running = record.get("first_run_running_server", {}).get("wall_seconds")
    extractor = record.get("extractor", {}).get("ms_per_article")
    per_page = record.get("baseline", {}).get("ms_per_page")
    growth = record.get("growth", {}).get("summary") or {}

    def large_over_empty(key: str) -> float | None:
        large, empty = growth.get("large", {}).get(key), growth.get("empty", {}).get(key)
        return round(large / empty, 3) if large and empty else None

    return {
        "full_run_over_trafilatura": round(first / baseline, 3) if baseline else None,
        "full_run_running_server_over_trafilatura": round(running / baseline, 3) if baseline and running else None,
        "rerun_over_first_run": round(rerun / first, 3) if rerun else None,
        "growth_large_over_empty": large_over_empty("wall_seconds_median"),
        "growth_flow_large_over_empty": large_over_empty("flow_seconds_median"),
        "growth_peak_memory_large_over_empty": large_over_empty("tree_peak_mb_median"),
        "extractor_over_trafilatura": round(extractor / per_page, 3) if extractor and per_page else None,
        "run_pages_per_second": round(record["pages"] / first, 1),
    }


def write_record(record: dict[str, Any], out: Path, name: str, latest: bool = True) -> Path:
    """Write the record as <name>.json (and as latest.json when `latest`); return the first path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
    if latest:
        (out / "latest.json").write_text(text, encoding="utf-8")
    return path


def print_summary(record: dict[str, Any]) -> None:
    """The ratios against their goals, and the stage costs."""
    print("\nratio                          value   goal   met")
    for name, goal in record["goals"].items():
        value = "-" if goal["value"] is None else f"{goal['value']:.3f}"
        print(f"{name:30} {value:>6}  {goal['goal']:>5}  {goal['met']}")
    for label in ("warmup_run", "first_run", "rerun", "first_run_running_server"):
        if label in record:
            run = record[label]
            print(f"{label}: {run['wall_seconds']} s; phases {run['phases_seconds']}; stages {run['stage_seconds']}; "
                  f"peak tree RSS {run['memory']['process_tree_peak_rss_mb']} MB")
    if "growth" in record:
        print(f"growth ({record['growth']['pages']} pages, base {record['growth']['base_articles']} articles): "
              f"{record['growth']['summary']}")


def memory_check(small: int, large: int, seed: int, out: Path) -> dict[str, Any]:
    """First runs only, at two sizes: peak memory must not grow with the number of pages."""
    runs = {}
    for pages in (small, large):
        record = benchmark(pages, seed, skip_baseline=True, skip_rerun=True, profile=False, keep=None)
        write_record(record, out, f"{record['timestamp']}-N{pages}-memory", latest=False)
        runs[str(pages)] = {"wall_seconds": record["first_run"]["wall_seconds"],
                            "pages_per_second": record["ratios"]["run_pages_per_second"],
                            **record["first_run"]["memory"]}
    small_peak = runs[str(small)]["process_tree_peak_rss_mb"]
    large_peak = runs[str(large)]["process_tree_peak_rss_mb"]
    # 10 % for sampling noise: the claim is "flat", not "identical"
    return {"timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "runs": runs,
            "large_over_small_peak": round(large_peak / small_peak, 3), "flat": large_peak <= 1.1 * small_peak}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--pages", type=int, default=DEFAULT_PAGES, help=f"pages to generate (1..{MAX_PAGES})")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="folder for the JSON records")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-baseline", action="store_true", help="no trafilatura loop or extractor timing")
    parser.add_argument("--skip-rerun", action="store_true", help="no second run")
    parser.add_argument("--profile", action="store_true", help="run raqib under py-spy (slower; timings flagged)")
    parser.add_argument("--memory-check", action="store_true",
                        help="first runs at 2000 pages and at --pages (default 20000); compare peak memory")
    parser.add_argument("--api-server", action="store_true",
                        help="start one Prefect API server for both runs (as under `raqib serve`) instead of each "
                             "`raqib run` starting its own ephemeral one")
    parser.add_argument("--project", type=Path,
                        help="run raqib from this copy of the code (PYTHONPATH) to measure a change in a scratch copy")
    parser.add_argument("--keep", type=Path, help="copy the work folder (database, logs, profiles) here")
    parser.add_argument("--growth-pages", type=int, default=GROWTH_PAGES,
                        help=f"new pages of the growth measure (default {GROWTH_PAGES}; 0 skips it)")
    parser.add_argument("--growth-base", type=int, default=GROWTH_BASE,
                        help=f"generated articles already in the large warehouse (default {GROWTH_BASE})")
    parser.add_argument("--growth-repeat", type=int, default=2, help="runs per warehouse size (medians are compared)")
    parser.add_argument("--cache", type=Path, default=CACHE_DIR,
                        help=f"where generated warehouses are kept between benchmarks (default {CACHE_DIR})")
    args = parser.parse_args(argv)
    if args.memory_check and "--pages" not in (argv if argv is not None else sys.argv):
        args.pages = MAX_PAGES
    if not 1 <= args.pages <= MAX_PAGES:
        parser.error(f"--pages must be between 1 and {MAX_PAGES}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and write its record."""
    args = parse_args(argv)
    if args.memory_check:
        result = memory_check(2000, args.pages, args.seed, args.out)
        path = args.out / f"{result['timestamp']}-memory-check.json"
        path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(result, indent=2))
        return 0
    record = benchmark(args.pages, args.seed, args.skip_baseline, args.skip_rerun, args.profile, args.keep,
                       args.api_server, args.project, args.growth_pages, args.growth_base, args.growth_repeat,
                       args.cache)
    suffix = ("-api-server" if args.api_server else "") + ("-profile" if args.profile else "") + (
        "-scratch" if args.project else "")
    path = write_record(record, args.out, f"{record['timestamp']}-N{args.pages}{suffix}",
                        latest=not (args.profile or args.project or args.api_server))
    print_summary(record)
    print(f"\nrecord: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
