"""Per-host rate limit that also holds across processes: a file-locked "next free slot" time per host."""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
import time
from pathlib import Path


class HostRateLimiter:
    """Hands out request slots per host, at most `rate` per second, shared through files under `state_dir`."""

    def __init__(self, state_dir: Path, rate_per_second: float) -> None:
        """Keep slot files in `state_dir/ratelimit/`."""
        self.directory = Path(state_dir) / "ratelimit"
        self.interval = 1.0 / rate_per_second if rate_per_second > 0 else 0.0
        self.extra_delay: dict[str, float] = {}  # host -> Crawl-delay from robots.txt

    def set_crawl_delay(self, host: str, delay: float) -> None:
        """Space requests to `host` at least `delay` seconds apart (robots.txt Crawl-delay)."""
        self.extra_delay[host] = max(0.0, delay)

    def _reserve(self, host: str) -> float:
        """Book the next slot for `host` under an exclusive file lock; return the wall time it starts."""
        interval = max(self.interval, self.extra_delay.get(host, 0.0))
        self.directory.mkdir(parents=True, exist_ok=True)
        # File names come from a hash of the host, never from the host text itself.
        path = self.directory / (hashlib.sha256(host.encode("utf-8")).hexdigest()[:24] + ".slot")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.pread(fd, 64, 0)
            try:
                last = float(raw.decode("ascii").strip() or 0.0)
            except ValueError:
                last = 0.0
            now = time.time()
            if last > now + 3600:  # a clock jump or a corrupt file must not block a host for hours
                last = now
            slot = max(now, last + interval)
            data = f"{slot:.6f}".encode("ascii").ljust(32)
            os.pwrite(fd, data, 0)
            return slot
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    async def wait(self, host: str) -> None:
        """Wait until this process may send the next request to `host`."""
        slot = await asyncio.to_thread(self._reserve, host)
        delay = slot - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
