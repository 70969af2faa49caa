"""Where CPU-bound extraction runs: in-process, on a local process pool, or on Dask through prefect-dask."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from raqib.settings import Settings


def local_worker_count() -> int:
    """How many extraction processes one machine gets: its cores, at most four."""
    return min(os.cpu_count() or 1, 4)


def dask_task_runner(settings: Settings) -> Any:
    """The prefect-dask task runner for these settings: the cluster at `dask_address`, else a local one.

    The local cluster listens on 127.0.0.1 only and has no dashboard: it is a stand-in for a real
    cluster on one machine, not a service for others.
    """
    from prefect_dask import DaskTaskRunner

    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={"n_workers": local_worker_count(), "threads_per_worker": 1, "processes": True,
                        "host": "127.0.0.1", "dashboard_address": None},
    )


def _flow_dask_runner() -> Any | None:
    """The running flow's DaskTaskRunner, if the flow was started on one."""
    from prefect.context import FlowRunContext
    from prefect_dask import DaskTaskRunner

    context = FlowRunContext.get()
    runner = context.task_runner if context else None
    return runner if isinstance(runner, DaskTaskRunner) else None


@contextmanager
def dask_executor(settings: Settings) -> Iterator[Executor]:
    """Yield a concurrent.futures view of a Dask cluster, reusing the flow's own cluster if it has one."""
    flow_runner = _flow_dask_runner()
    if flow_runner is not None:
        # the flow already runs on a DaskTaskRunner: send extraction to that same cluster
        yield flow_runner.client.get_executor()
        return
    with dask_task_runner(settings) as runner:
        yield runner.client.get_executor()


@contextmanager
def extraction_executor(settings: Settings) -> Iterator[Executor | None]:
    """Yield the executor that extraction fans out to, chosen by `settings.executor`."""
    if settings.executor == "dask":
        with dask_executor(settings) as executor:
            yield executor
        return
    workers = local_worker_count()
    if workers < 2:
        yield None
        return
    # spawn, not fork: the flow process runs Prefect's threads, which a fork would copy mid-state
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool
