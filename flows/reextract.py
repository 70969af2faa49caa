"""Re-extraction flow: when the extractor or its dictionaries improve, replace stored events."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from itertools import islice
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

import warehouse
from extraction import EXTRACTOR_VERSION, extract_events
from raqib import progress
from raqib.settings import load_settings
from warehouse.lake import record_run_snapshot, retry_conflicts


@task(name="reextract-batch", cache_policy=NO_CACHE)
def reextract_batch(rows: list[tuple[str, str, Any, str | None]]) -> dict[str, list[dict[str, Any]]]:
    """Extract the events of a batch of stored articles."""
    return {digest: [e.to_json() for e in extract_events(text, published, language)]
            for digest, text, published, language in rows}


@flow(name="raqib-reextract", log_prints=True)
def reextract_flow(db: str = "raqib.duckdb", everything: bool = False, batch_size: int = 500) -> dict[str, Any]:
    """Replace the events of every article extracted by an older extractor version, batch by batch."""
    settings = load_settings(db_path=db)  # RAQIB_* variables: the writer's memory limit
    con = warehouse.connect_writer(settings.db_path, memory_limit=settings.writer_memory_limit)
    run_id = retry_conflicts(lambda: warehouse.start_run(con, str(flow_run.id), datetime.now(UTC), None))
    articles = events = 0
    status = "failed"
    try:
        # streamed: the warehouse yields the texts in chunks, so memory stays flat however many there are
        rows_iter = warehouse.articles_for_reextract(con, None if everything else EXTRACTOR_VERSION)
        while batch := list(islice(rows_iter, batch_size)):
            found = reextract_batch(batch)
            progress.emit("extracted", done=len(batch))
            # on a lake, a batch that lost a commit race with an ingestion is replaced again
            replaced = retry_conflicts(partial(warehouse.replace_events, con, run_id, found, EXTRACTOR_VERSION))
            events += replaced
            articles += len(batch)
            progress.emit("events", done=replaced)
            progress.emit("loaded", done=1)
        # texts did not change: the search index stands
        retry_conflicts(lambda: warehouse.refresh_incidents(con, search_index=False))
        status = "completed"
    finally:
        counts = {"articles_reextracted": articles, "events": events}
        retry_conflicts(lambda: warehouse.finish_run(con, run_id, status, counts, datetime.now(UTC)))
        record_run_snapshot(con, run_id)  # on a lake: the old events stay readable at the earlier runs
        con.close()
    return {"run_id": run_id, "articles": articles, "events": events, "extractor_version": EXTRACTOR_VERSION}
