"""Where CPU-bound extraction runs: in-process, on a local process pool, or on Dask."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

from raqib.settings import Settings


@contextmanager
def extraction_executor(settings: Settings) -> Iterator[Executor | None]:
    """Yield the executor that extraction fans out to, chosen by `settings.executor`."""
    if settings.executor == "dask":
        from distributed import Client

        client = Client(settings.dask_address) if settings.dask_address else Client(processes=True, n_workers=2,
                                                                                     threads_per_worker=1)
        try:
            yield client.get_executor()
        finally:
            client.close()
        return
    workers = min(os.cpu_count() or 1, 4)
    if workers < 2:
        yield None
        return
    # spawn, not fork: the flow process runs Prefect's threads, which a fork would copy mid-state
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool
