"""The local extraction pool: small batches in-process, big ones on spawned processes, same results."""

from __future__ import annotations

import os

from extraction.textnorm import content_hash
from raqib.executors import SMALL_BATCH, LazyProcessPool, extraction_executor
from raqib.settings import Settings


def test_small_batch_runs_in_process_without_starting_a_pool() -> None:
    texts = [f"خبر رقم {i}" for i in range(SMALL_BATCH - 1)]
    with LazyProcessPool(2) as pool:
        assert list(pool.map(content_hash, texts, chunksize=4)) == [content_hash(t) for t in texts]
        assert pool.pool is None


def test_big_batch_starts_the_pool_and_later_small_batches_use_it() -> None:
    texts = [f"خبر رقم {i}" for i in range(SMALL_BATCH * 2)]
    with LazyProcessPool(2) as pool:
        assert list(pool.map(content_hash, texts, chunksize=4)) == [content_hash(t) for t in texts]
        assert pool.pool is not None
        pids = set(pool.map(_pid, range(3)))
        assert os.getpid() not in pids, "once running, the pool takes small batches too"


def _pid(_: int) -> int:
    """The id of the process that ran this call."""
    return os.getpid()


def test_local_setting_gives_the_lazy_pool_on_a_multicore_machine() -> None:
    with extraction_executor(Settings(executor="local")) as pool:
        if (os.cpu_count() or 1) >= 2:
            assert isinstance(pool, LazyProcessPool)
        else:
            assert pool is None
