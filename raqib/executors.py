"""Where CPU-bound extraction runs: in-process, on a local process pool, or on Dask through prefect-dask."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from raqib.settings import Settings

# Below this many documents a cold pool costs more than it saves: starting one spawned process
# (a fresh interpreter importing Prefect and the extractor) takes seconds, a page takes milliseconds.
SMALL_BATCH = 16


class LazyProcessPool(Executor):
    """A process pool that starts on the first batch big enough to need it; smaller ones run in-process."""

    def __init__(self, max_workers: int) -> None:
        """Remember the size; no process starts yet."""
        self.max_workers = max_workers
        self.pool: ProcessPoolExecutor | None = None
        self._starting = threading.Lock()  # two batches' extractions may ask for the pool at once

    def _started_pool(self) -> ProcessPoolExecutor:
        """The process pool, started on first use."""
        with self._starting:
            if self.pool is None:
                # spawn, not fork: the flow process runs Prefect's threads, which a fork would copy mid-state
                self.pool = ProcessPoolExecutor(max_workers=self.max_workers,
                                                mp_context=multiprocessing.get_context("spawn"))
            return self.pool

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run one call in the pool."""
        return self._started_pool().submit(fn, *args, **kwargs)

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any], timeout: float | None = None,
            chunksize: int = 1) -> Iterator[Any]:
        """Map over the pool, or in this process when the batch is small and the pool is not running."""
        args = list(zip(*iterables, strict=True))
        if self.pool is None and len(args) < SMALL_BATCH:
            return iter([fn(*a) for a in args])
        return self._started_pool().map(fn, *zip(*args, strict=True), timeout=timeout, chunksize=chunksize)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop the pool's processes, if any were started."""
        if self.pool is not None:
            self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def local_worker_count() -> int:
    """How many extraction processes one machine gets: its cores, at most four."""
    return min(os.cpu_count() or 1, 4)


def dask_task_runner(settings: Settings) -> Any:
    """The prefect-dask task runner for these settings: the cluster at `dask_address`, else a local one.

    The local cluster listens on 127.0.0.1 only, its status page on a free port (never a fixed one
    that another cluster may hold): it is a stand-in for a real cluster, not a service for others.
    """
    from prefect_dask import DaskTaskRunner

    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={"n_workers": local_worker_count(), "threads_per_worker": 1, "processes": True,
                        "host": "127.0.0.1", "dashboard_address": ":0"},
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
    with LazyProcessPool(workers) as pool:
        yield pool
