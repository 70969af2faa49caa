"""The daily ingestion flow: discover, fetch, extract, deduplicate, extract events, load."""

from __future__ import annotations

import json
import time
from collections import Counter
from concurrent.futures import Executor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

import report
import warehouse
from connectors import Discovery, FetchRecord, RawDocument, SourceState
from raqib import archive, pipeline
from raqib.executors import extraction_executor
from raqib.settings import Settings, Source, load_settings


@task(name="discover", retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def discover_task(settings: Settings, source: Source, state: SourceState) -> Discovery:
    """Find a source's new article URLs (network)."""
    return pipeline.discover_source(settings, source, state)


@task(name="fetch-batch", retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def fetch_task(settings: Settings, source: Source, urls: list[str]) -> tuple[list[RawDocument], list[FetchRecord]]:
    """Fetch one batch of article pages (network)."""
    return pipeline.fetch_batch(settings, source, urls)


@task(name="extract-batch", cache_policy=NO_CACHE)
def extract_task(docs: list[RawDocument], stored: set[str], pool: Executor | None) -> pipeline.ExtractedBatch:
    """Extract article text and events for one batch; stored content is skipped."""
    return pipeline.extract_batch(docs, stored, pool)


@task(name="load-batch", cache_policy=NO_CACHE)
def load_task(con: duckdb.DuckDBPyConnection, run_id: str, source: str, batch: pipeline.ExtractedBatch,
              records: list[dict[str, Any]], settings: Settings, stored: set[str]) -> dict[str, int]:
    """Archive new texts, then load the batch in one warehouse transaction."""
    pipeline.archive_new_articles(settings.archive_dir, batch, stored, warehouse.next_archive_sequence(con))
    return warehouse.load_batch(con, run_id, source, batch.articles, batch.events, records, pipeline.EXTRACTOR_VERSION)


def chunks(items: list[str], size: int) -> list[list[str]]:
    """Split a list into batches of at most `size`."""
    return [items[i:i + size] for i in range(0, len(items), size)]


def ingest_source(con: duckdb.DuckDBPyConnection, run_id: str, settings: Settings, source: Source,
                  pool: Executor | None) -> dict[str, Any]:
    """Run one source through every step; its state is saved only once all its batches are in."""
    saved = warehouse.get_source_state(con, source.name)
    state = SourceState.from_json(json.dumps(saved) if saved else None)
    # a page already stored through any source (a feed and a sitemap list the same pages) is not fetched again
    state.known_urls = set().union(*(warehouse.known_urls(con, s.name) for s in settings.sources))
    clock = time.perf_counter()
    discovery = discover_task(settings, source, state)
    seconds: dict[str, float] = {"discover": time.perf_counter() - clock, "fetch_wait": 0.0, "extract": 0.0,
                                 "load": 0.0}
    retry = [u for u in warehouse.urls_to_retry(con, source.name) if u not in state.known_urls]
    urls = list(dict.fromkeys(retry + [item.url for item in discovery.items]))[: settings.max_items_per_source]
    totals: Counter[str] = Counter(discovered=len(discovery.items), retried=len(retry))
    failures: Counter[str] = Counter()
    records = [pipeline.record_dict(r) for r in discovery.records]
    failures.update(pipeline.failure_counts(records))
    totals.update(warehouse.load_batch(con, run_id, source.name, [], {}, records, pipeline.EXTRACTOR_VERSION))
    batches = chunks(urls, settings.batch_size)
    # the next batch downloads while this one is extracted and loaded
    pending = fetch_task.submit(settings, source, batches[0]) if batches else None
    for index in range(len(batches)):
        clock = time.perf_counter()
        assert pending is not None
        docs, fetch_records = pending.result()
        pending = fetch_task.submit(settings, source, batches[index + 1]) if index + 1 < len(batches) else None
        seconds["fetch_wait"] += time.perf_counter() - clock
        clock = time.perf_counter()
        stored = warehouse.stored_hashes(con)
        extracted = extract_task(docs, stored, pool)
        seconds["extract"] += time.perf_counter() - clock
        clock = time.perf_counter()
        rows = [pipeline.record_dict(r) for r in fetch_records] + extracted.rejections
        failures.update(pipeline.failure_counts(rows))
        totals["fetched"] += len(docs)
        totals.update(load_task(con, run_id, source.name, extracted, rows, settings, stored))
        seconds["load"] += time.perf_counter() - clock
    kept = discovery.state.copy()
    kept.known_urls = set()  # the warehouse knows them; the saved state stays small
    warehouse.save_source_state(con, source.name, kept.to_json(), run_id)
    return {"source": source.name, **totals, "failures": sum(failures.values()), "failure_reasons": dict(failures),
            "seconds": {k: round(v, 3) for k, v in seconds.items()}}


def summary_markdown(rows: list[dict[str, Any]]) -> str:
    """A markdown table of per-source counts and failures, for the Prefect artifact."""
    lines = ["| source | discovered | fetched | new articles | duplicates | events | failures |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        reasons = ", ".join(f"{k}: {v}" for k, v in sorted(r.get("failure_reasons", {}).items()))
        lines.append(f"| {r['source']} | {r.get('discovered', 0)} | {r.get('fetched', 0)} | {r.get('articles_new', 0)}"
                     f" | {r.get('duplicates', 0)} | {r.get('events', 0)} | {r.get('failures', 0)}"
                     f"{' (' + reasons + ')' if reasons else ''} |")
    return "\n".join(lines)


@flow(name="raqib-ingest", log_prints=True)
def ingest_flow(sources_file: str = "sources.toml", db: str = "raqib.duckdb", archive_dir: str | None = None
                ) -> dict[str, Any]:
    """Run every enabled source once and load what is new into the warehouse."""
    logger = get_run_logger()
    settings = load_settings(Path(sources_file), db_path=Path(db),
                             archive_dir=Path(archive_dir) if archive_dir else None)
    con = warehouse.connect_writer(settings.db_path)
    run_id = warehouse.start_run(con, str(flow_run.id), datetime.now(UTC), sources_file)
    rows: list[dict[str, Any]] = []
    status = "failed"
    try:
        warehouse.save_sources(con, settings.sources, run_id)
        archive.reconcile(settings.archive_dir, warehouse.stored_hashes(con))
        with extraction_executor(settings) as pool:
            for source in (s for s in settings.sources if s.enabled):
                try:
                    rows.append(ingest_source(con, run_id, settings, source, pool))
                except Exception as exc:  # one broken source never stops the others
                    logger.exception("source %s failed", source.name)
                    warehouse.load_batch(con, run_id, source.name, [], {}, [{
                        "source": source.name, "url": source.url, "status": None, "ok": False,
                        "reason": f"source_error: {type(exc).__name__}", "bytes": 0, "duration_ms": 0.0,
                        "stage": "discover", "at": datetime.now(UTC)}], pipeline.EXTRACTOR_VERSION)
                    rows.append({"source": source.name, "failures": 1,
                                 "failure_reasons": {f"source_error: {type(exc).__name__}": 1}})
        warehouse.refresh_incidents(con)
        status = "completed"
    finally:
        counts = {key: sum(int(r.get(key, 0)) for r in rows)
                  for key in ("discovered", "fetched", "articles_new", "duplicates", "events", "failures")}
        counts["sources"] = len(rows)
        warehouse.finish_run(con, run_id, status, counts, datetime.now(UTC))
        report_md = report.summary_markdown(con) if status == "completed" else ""
        con.close()
    create_markdown_artifact(key="ingest-summary", markdown=summary_markdown(rows),
                             description="raqib ingestion: per-source counts and failures")
    create_markdown_artifact(key="events-report", markdown=report_md,
                             description="raqib: the warehouse in short (events, deadliest incidents)")
    reasons: Counter[str] = Counter()
    for r in rows:
        reasons.update(r.get("failure_reasons", {}))
    stage_seconds: dict[str, float] = {}
    for r in rows:
        for stage, value in r.get("seconds", {}).items():
            stage_seconds[stage] = stage_seconds.get(stage, 0.0) + value
    return {"run_id": run_id, "flow_run_id": str(flow_run.id), **counts, "per_source": rows,
            "failure_reasons": dict(reasons), "stage_seconds": {k: round(v, 3) for k, v in stage_seconds.items()}}
