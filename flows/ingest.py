"""The daily ingestion flow: discover, fetch, extract, deduplicate, extract events, load."""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict, deque
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Failed, State
from prefect.utilities.annotations import quote

import report
import warehouse
from connectors import Discovery, FetchRecord, RawDocument, SourceState
from connectors.models import Source
from extraction import EXTRACTOR_VERSION
from raqib import archive, pipeline, progress
from raqib.executors import extraction_executor
from raqib.settings import Settings, load_settings
from warehouse.lake import cursor as lake_cursor
from warehouse.lake import record_run_snapshot, retry_conflicts

T = TypeVar("T")


@task(name="discover", retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def discover_task(settings: Settings, source: Source, state: SourceState) -> Discovery:
    """Find a source's new article URLs (network)."""
    return pipeline.discover_source(settings, source, state)


@task(name="fetch-batch", retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def fetch_task(settings: Settings, source: Source, urls: list[str]) -> tuple[list[RawDocument], list[FetchRecord]]:
    """Fetch one batch of article pages (network)."""
    return pipeline.fetch_batch(settings, source, urls)


@task(name="extract-batch", cache_policy=NO_CACHE)
def extract_task(docs: list[RawDocument], pool: Executor | None) -> pipeline.ExtractedBatch:
    """Extract article text and events for one batch (on the pool's processes)."""
    return pipeline.extract_batch(docs, frozenset(), pool)


@task(name="load-batch", cache_policy=NO_CACHE)
def load_task(con: duckdb.DuckDBPyConnection, run_id: str, source: str, batch: pipeline.ExtractedBatch,
              records: list[dict[str, Any]], settings: Settings, sequence: list[int]) -> dict[str, int]:
    """Archive new texts, then load the batch in one warehouse transaction; `sequence` holds the next file number."""
    stored = warehouse.stored_hashes(con, pipeline.content_hashes(batch))  # only this batch's hashes are asked
    pipeline.forget_stored(batch, stored)
    sequence[0] = pipeline.archive_new_articles(settings.archive_dir, batch, stored, sequence[0])
    # on a lake, a batch that lost a commit race with another writer is loaded again (nothing doubles)
    return retry_conflicts(lambda: warehouse.load_batch(con, run_id, source, batch.articles, batch.events, records,
                                                        EXTRACTOR_VERSION))


def as_is(value: T) -> T:
    """Pass a large task argument without Prefect walking it for futures (a measured cost per batch)."""
    return cast(T, quote(value))


def chunks(items: list[str], size: int) -> list[list[str]]:
    """Split a list into batches of at most `size`."""
    return [items[i:i + size] for i in range(0, len(items), size)]


@dataclass
class SourceRun:
    """One source's progress through a run: its discovery, its counts, and whether it broke."""

    source: Source
    discovery: Discovery | None = None
    totals: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    broken: bool = False

    def summary(self) -> dict[str, Any]:
        """The per-source row of the run summary."""
        return {"source": self.source.name, **self.totals, "failures": sum(self.failures.values()),
                "failure_reasons": dict(self.failures), "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}


def source_broke(con: duckdb.DuckDBPyConnection, run_id: str, job: SourceRun, exc: BaseException) -> None:
    """Record a source that failed as a whole; its state is not saved, so the next run retries it."""
    get_run_logger().error("source %s failed: %s: %s", job.source.name, type(exc).__name__, exc)
    reason = f"source_error: {type(exc).__name__}"
    job.broken = True
    job.failures[reason] += 1
    progress.emit("failures", done=1)
    record = {"source": job.source.name, "url": job.source.url, "status": None, "ok": False, "reason": reason,
              "bytes": 0, "duration_ms": 0.0, "stage": "discover", "at": datetime.now(UTC)}
    retry_conflicts(lambda: warehouse.load_batch(con, run_id, job.source.name, [], {}, [record], EXTRACTOR_VERSION))


def plan_batches(con: duckdb.DuckDBPyConnection, run_id: str, settings: Settings, job: SourceRun,
                 planned: set[str]) -> list[list[str]]:
    """Record a source's discovery and split its new and retried URLs into fetch batches.

    A URL another source of this run already plans to fetch (a feed and a sitemap of one site) is left out.
    """
    assert job.discovery is not None
    failed = warehouse.urls_to_retry(con, job.source.name)
    known = warehouse.known_among(con, failed)
    retry = [u for u in failed if u not in known]
    urls = [u for u in dict.fromkeys(retry + [item.url for item in job.discovery.items]) if u not in planned]
    planned.update(urls)
    job.totals.update(discovered=len(job.discovery.items), retried=len(retry))
    records = [pipeline.record_dict(r) for r in job.discovery.records]
    failures = pipeline.failure_counts(records)
    job.failures.update(failures)
    job.totals.update(retry_conflicts(
        lambda: warehouse.load_batch(con, run_id, job.source.name, [], {}, records, EXTRACTOR_VERSION)))
    batches = chunks(urls, settings.batch_size)
    progress.emit("fetched", planned=len(urls))
    progress.emit("loaded", planned=len(batches))
    progress.emit("failures", done=sum(failures.values()))
    return batches


def interleave(plans: list[tuple[SourceRun, list[list[str]]]]) -> list[tuple[SourceRun, list[str]]]:
    """Order fetch batches round-robin over sources, so different hosts download at the same time."""
    order: list[tuple[SourceRun, list[str]]] = []
    for depth in range(max((len(b) for _, b in plans), default=0)):
        order.extend((job, batches[depth]) for job, batches in plans if depth < len(batches))
    return order


@dataclass
class Loading:
    """The run's loading side: the writer connection, the run, the next archive number."""

    con: duckdb.DuckDBPyConnection
    run_id: str
    settings: Settings
    sequence: list[int]


def ingest_sources(con: duckdb.DuckDBPyConnection, run_id: str, settings: Settings, pool: Executor | None
                   ) -> list[SourceRun]:
    """Discover all sources at once, fetch their batches a few at a time, extract and load each in turn.

    Network waits overlap across sources (each host keeps its own rate limit); extraction uses the
    pool, and while it works on one batch this thread loads the one before, so the pool's processes
    are not idle during loads. A source's state is saved only once all its batches are in, so a crash
    makes the next run discover it again.
    """
    jobs = [SourceRun(s) for s in settings.sources if s.enabled]
    progress.emit("sources", planned=len(jobs))
    # a page already stored through any source (a feed and a sitemap list the same pages) is not fetched
    # again: each discovery asks the warehouse about the URLs it found, on a cursor of its own (its thread)
    cursors = [lake_cursor(con) for _ in jobs]
    found = {}
    for job, cursor in zip(jobs, cursors, strict=True):
        saved = warehouse.get_source_state(con, job.source.name)
        state = SourceState.from_json(json.dumps(saved) if saved else None)
        state.lookup = partial(warehouse.known_among, cursor)
        found[job.source.name] = (time.perf_counter(), discover_task.submit(settings, job.source, state))
    plans = []
    planned: set[str] = set()
    for job in jobs:
        started, future = found[job.source.name]
        try:
            job.discovery = future.result()
            job.seconds["discover"] += time.perf_counter() - started
            plans.append((job, plan_batches(con, run_id, settings, job, planned)))
        except Exception as exc:  # one broken source never stops the others
            source_broke(con, run_id, job, exc)
        progress.emit("sources", done=1)
    for cursor in cursors:
        cursor.close()
    loading = Loading(con, run_id, settings, [warehouse.next_archive_sequence(con)])
    window: deque[tuple[SourceRun, Any, int]] = deque()
    extracted: tuple[SourceRun, Any, list[dict[str, Any]], float] | None = None
    for job, urls in interleave(plans):
        window.append((job, fetch_task.submit(settings, job.source, urls), len(urls)))
        # one batch more than before is in flight: the one extracting while its predecessor loads
        if len(window) >= settings.sources_in_parallel:
            extracted = next_batch(loading, pool, *window.popleft(), extracted)
    while window:
        extracted = next_batch(loading, pool, *window.popleft(), extracted)
    if extracted is not None:
        load_extracted(loading, *extracted)
    for job in jobs:
        if not job.broken and job.discovery is not None:
            kept = job.discovery.state.copy()
            kept.known_urls = set()  # the warehouse knows them; the saved state stays small
            stored = warehouse.known_among(con, kept.retry)
            kept.retry = {url: runs for url, runs in kept.retry.items() if url not in stored}
            retry_conflicts(partial(warehouse.save_source_state, con, job.source.name, kept.to_json(), run_id))
    return jobs


def next_batch(loading: Loading, pool: Executor | None, job: SourceRun, pending: Any, size: int,
               previous: tuple[SourceRun, Any, list[dict[str, Any]], float] | None
               ) -> tuple[SourceRun, Any, list[dict[str, Any]], float] | None:
    """Wait for one fetched batch of `size` URLs and start its extraction, then load the batch extracted before it.

    Returns what the next call must load: this batch, still extracting.
    """
    if job.broken:
        progress.emit("fetched", done=size)
        return previous
    clock = time.perf_counter()
    try:
        docs, fetch_records = pending.result()
    except Exception as exc:
        source_broke(loading.con, loading.run_id, job, exc)
        return previous
    finally:
        progress.emit("fetched", done=size)
    # stamped on arrival, so a later extraction failure of the same URL is its latest word
    fetch_rows = [pipeline.record_dict(r) for r in fetch_records]
    job.seconds["fetch_wait"] += time.perf_counter() - clock
    job.totals["fetched"] += len(docs)
    future = extract_task.submit(as_is(docs), pool)
    if previous is not None:
        load_extracted(loading, *previous)
    return job, future, fetch_rows, time.perf_counter()


def load_extracted(loading: Loading, job: SourceRun, future: Any, fetch_rows: list[dict[str, Any]],
                   submitted: float) -> None:
    """Wait for a batch's extraction and load it in one transaction."""
    clock = time.perf_counter()
    extracted = future.result()
    # the wait is what extraction adds to the critical path; the rest of its time overlapped a load
    job.seconds["extract"] += time.perf_counter() - clock
    clock = time.perf_counter()
    rows = fetch_rows + extracted.rejections
    failures = pipeline.failure_counts(rows)
    job.failures.update(failures)
    progress.emit("extracted", done=len(extracted.articles))
    progress.emit("failures", done=sum(failures.values()))
    job.totals.update(load_task(loading.con, loading.run_id, job.source.name, as_is(extracted), as_is(rows),
                                loading.settings, as_is(loading.sequence)))
    job.seconds["load"] += time.perf_counter() - clock
    progress.emit("loaded", done=1)


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
                ) -> dict[str, Any] | State:
    """Run every enabled source once and load what is new into the warehouse."""
    settings = load_settings(Path(sources_file), db_path=db, archive_dir=Path(archive_dir) if archive_dir else None)
    try:
        return _ingest(settings, sources_file)
    except duckdb.Error as exc:
        if not warehouse.is_out_of_memory(exc):
            raise
        # a refusal with its remedy, not a crash: each batch is one transaction, so the one in flight is not kept
        message = warehouse.out_of_memory_message(settings.writer_memory_limit)
        get_run_logger().error(message)
        return Failed(message=message)


def _ingest(settings: Settings, sources_file: str) -> dict[str, Any] | State:
    """The body of one ingestion run (ingest_flow turns running out of memory into a clear refusal)."""
    opened = time.perf_counter()
    try:
        con = warehouse.connect_writer(settings.db_path, lake_data_path=settings.lake_data_path,
                                       memory_limit=settings.writer_memory_limit)
    except warehouse.WarehouseBusy as exc:
        # another run holds the warehouse: a clear refusal, not a crash with a traceback
        get_run_logger().error(str(exc))
        return Failed(message=str(exc))
    run_id = retry_conflicts(lambda: warehouse.start_run(con, str(flow_run.id), datetime.now(UTC), sources_file))
    rows: list[dict[str, Any]] = []
    stage_seconds: dict[str, float] = {}
    status = "failed"
    try:
        retry_conflicts(lambda: warehouse.save_sources(con, settings.sources, run_id))
        # only files numbered past the last committed one can be orphans: no stored hash needs loading
        archive.reconcile(settings.archive_dir, (), warehouse.next_archive_sequence(con))
        stage_seconds["open"] = time.perf_counter() - opened
        with extraction_executor(settings) as pool:
            rows = [job.summary() for job in ingest_sources(con, run_id, settings, pool)]
        clock = time.perf_counter()
        if any(row.get("articles_new") for row in rows):  # nothing new: incidents and search are unchanged
            # only near the new events; the search index grew with each load already
            retry_conflicts(lambda: warehouse.refresh_incidents(con, run_id=run_id))
        stage_seconds["incidents"] = time.perf_counter() - clock
        status = "completed"
    finally:
        counts = {key: sum(int(r.get(key, 0)) for r in rows)
                  for key in ("discovered", "fetched", "articles_new", "duplicates", "events", "failures")}
        counts["sources"] = len(rows)
        retry_conflicts(lambda: warehouse.finish_run(con, run_id, status, counts, datetime.now(UTC)))
        record_run_snapshot(con, run_id)  # on a lake: what --at-run reads
        clock = time.perf_counter()
        # this run's events and their incidents: a summary of the whole warehouse read all history every run
        report_md = report.summary_markdown(con, run_id=run_id) if status == "completed" else ""
        stage_seconds["summary"] = time.perf_counter() - clock
        clock = time.perf_counter()
        con.close()  # DuckDB checkpoints here: what the run wrote goes from the log into the file
        stage_seconds["close"] = time.perf_counter() - clock
    create_markdown_artifact(key="ingest-summary", markdown=summary_markdown(rows),
                             description="raqib ingestion: per-source counts and failures")
    create_markdown_artifact(key="events-report", markdown=report_md,
                             description="raqib: what this run added (events, deadliest incidents)")
    reasons: Counter[str] = Counter()
    for r in rows:
        reasons.update(r.get("failure_reasons", {}))
    for r in rows:
        for stage, value in r.get("seconds", {}).items():
            stage_seconds[stage] = stage_seconds.get(stage, 0.0) + value
    return {"run_id": run_id, "flow_run_id": str(flow_run.id), **counts, "per_source": rows,
            "failure_reasons": dict(reasons), "stage_seconds": {k: round(v, 3) for k, v in stage_seconds.items()}}
