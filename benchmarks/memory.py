"""Peak memory of a process and its descendants, sampled from /proc while it runs (Linux)."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path
from typing import Any


def _status_kb(pid: int, field: str) -> int:
    """A `kB` field of /proc/<pid>/status, 0 when the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    """Direct children of a process, from every thread's children list."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                found.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    except OSError:
        pass
    return found


def _command(pid: int) -> str:
    """A short description of what a process runs."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    text = " ".join(a.decode(errors="replace") for a in argv if a)
    if "uvicorn" in text or "prefect.server" in text or "server start" in text:
        return "prefect-server"
    if "multiprocessing" in text:
        return "pool-worker"
    return "run"


class TreeMemory:
    """Samples a process tree every `interval` seconds: the run process's VmHWM and the whole tree's RSS."""

    def __init__(self, process: subprocess.Popen[Any], interval: float = 0.2) -> None:
        """Start sampling `process` in a background thread."""
        self.process = process
        self.interval = interval
        self.main_hwm_kb = 0
        self.tree_peak_kb = 0
        self.peak_by_role: dict[str, int] = {}
        self.samples = 0
        self.started = time.monotonic()
        self.timeline: list[list[float]] = []  # [seconds, run process RSS MB, tree RSS MB], every ~2 s
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        """Sample until the process exits."""
        while self.process.poll() is None:
            self.sample()
            time.sleep(self.interval)

    def sample(self) -> None:
        """One sample of the tree."""
        root = self.process.pid
        self.main_hwm_kb = max(self.main_hwm_kb, _status_kb(root, "VmHWM"))
        total = 0
        stack = [root]
        seen: set[int] = set()
        while stack:
            pid = stack.pop()
            if pid in seen:
                continue
            seen.add(pid)
            rss = _status_kb(pid, "VmRSS")
            total += rss
            if pid != root:
                role = _command(pid)
                self.peak_by_role[role] = max(self.peak_by_role.get(role, 0), _status_kb(pid, "VmHWM"), rss)
            stack.extend(_children(pid))
        self.tree_peak_kb = max(self.tree_peak_kb, total)
        if self.samples % 10 == 0:
            self.timeline.append([round(time.monotonic() - self.started, 1),
                                  round(_status_kb(root, "VmRSS") / 1024, 1), round(total / 1024, 1)])
        self.samples += 1

    def result(self) -> dict[str, Any]:
        """Peaks in megabytes, after the process has ended."""
        self._thread.join(timeout=5)
        return {"run_process_hwm_mb": round(self.main_hwm_kb / 1024, 1),
                "process_tree_peak_rss_mb": round(self.tree_peak_kb / 1024, 1),
                "child_peak_mb_by_role": {k: round(v / 1024, 1) for k, v in sorted(self.peak_by_role.items())},
                "samples": self.samples, "timeline_seconds_run_mb_tree_mb": self.timeline}
