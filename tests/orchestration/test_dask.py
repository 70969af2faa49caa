"""The extraction fan-out on a local Dask cluster (through prefect-dask) gives what the local path gives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from distributed import Client, LocalCluster
from orchestration_pages import raw_documents
from prefect import flow
from prefect_dask import DaskTaskRunner

from raqib import pipeline
from raqib.executors import extraction_executor
from raqib.settings import load_settings


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """A two-process Dask cluster on 127.0.0.1, like a small real one."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0") as local:
        yield local


def comparable(batch: pipeline.ExtractedBatch) -> dict[str, Any]:
    """A batch without its timestamps, so two runs of the same input compare equal."""
    return {
        "articles": sorted((a["content_hash"], a["url"], a["title"], a["published"], a["language"], a["text"])
                           for a in batch.articles),
        "events": batch.events,
        "rejections": sorted((r["url"], r["reason"]) for r in batch.rejections),
    }


def ran_on_cluster(address: str) -> set[str]:
    """The task-name prefixes the cluster's scheduler has seen."""
    with Client(address) as client:
        return set(client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes)))


def test_dask_setting_sends_extraction_to_the_cluster_with_the_same_events(cluster: LocalCluster) -> None:
    docs = raw_documents()
    local = pipeline.extract_batch(docs, set(), None)
    assert len(local.articles) == 3
    assert sum(len(events) for events in local.events.values()) >= 3, "the reports describe attacks"

    settings = load_settings(env={"RAQIB_EXECUTOR": "dask", "RAQIB_DASK_ADDRESS": cluster.scheduler_address})
    assert settings.executor == "dask"
    with extraction_executor(settings) as pool:
        assert pool is not None
        on_dask = pipeline.extract_batch(docs, set(), pool)
    assert comparable(on_dask) == comparable(local)
    assert "article_and_events" in ran_on_cluster(cluster.scheduler_address)


def test_already_stored_content_is_skipped_on_dask_too(cluster: LocalCluster) -> None:
    docs = raw_documents()
    stored = {pipeline.extract_batch(docs[:1], set(), None).articles[0]["content_hash"]}
    settings = load_settings(env={"RAQIB_EXECUTOR": "dask", "RAQIB_DASK_ADDRESS": cluster.scheduler_address})
    with extraction_executor(settings) as pool:
        on_dask = pipeline.extract_batch(docs, stored, pool)
    assert on_dask.seen_again == 1
    assert set(on_dask.events) == {a["content_hash"] for a in on_dask.articles} - stored


@pytest.mark.slow  # the flow starts a local Prefect server
def test_flow_on_a_dask_task_runner_shares_its_cluster_with_extraction(cluster: LocalCluster) -> None:
    settings = load_settings(env={"RAQIB_EXECUTOR": "dask"})  # no address: the flow's own cluster is used

    runner: Any = DaskTaskRunner(address=cluster.scheduler_address)  # prefect-dask's generics are looser than flow's

    @flow(task_runner=runner)
    def extract_on_flow_cluster() -> dict[str, Any]:
        with extraction_executor(settings) as pool:
            return comparable(pipeline.extract_batch(raw_documents(), set(), pool))

    assert extract_on_flow_cluster() == comparable(pipeline.extract_batch(raw_documents(), set(), None))


def test_without_an_address_prefect_dask_starts_a_local_cluster() -> None:
    settings = load_settings(env={"RAQIB_EXECUTOR": "dask"})
    docs = raw_documents()
    with extraction_executor(settings) as pool:
        assert type(pool).__name__ == "ClientExecutor"
        on_dask = pipeline.extract_batch(docs, set(), pool)
    assert comparable(on_dask) == comparable(pipeline.extract_batch(docs, set(), None))
