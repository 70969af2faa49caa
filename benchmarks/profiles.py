"""Summarise a py-spy raw (collapsed stacks) profile: on-CPU samples per process kind and the costliest functions."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

_PROCESS = re.compile(r'^process (\d+):"(.*?)";')  # the command line may itself contain ";"
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^():]+)(?::\d+)?\)$")
TOP = 25


def process_kind(command: str) -> str:
    """Which part of a run a sampled process is, from its command line."""
    if "multiprocessing" in command or "spawn_main" in command:
        return "pool-worker"
    if "uvicorn" in command or ("prefect" in command and "server" in command):
        return "prefect-server"
    return "run"


def frame_name(frame: str) -> str:
    """`function (package/module.py)`, shortened to the part of the path after site-packages or the project."""
    match = _FRAME.match(frame)
    if not match:
        return frame
    path = match.group("file")
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{match.group('func')} ({path})"


def summarise(raw_profile: Path) -> dict[str, Any]:
    """Samples per process kind, and per kind the top functions by inclusive and by self samples."""
    inclusive: dict[str, Counter[str]] = defaultdict(Counter)
    own: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for line in raw_profile.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        kind = "run"
        # --subprocesses prefixes each stack with its process and that process's ancestors: the last one is the sampled
        while process := _PROCESS.match(stack):
            kind = process_kind(process.group(2))
            stack = stack[process.end():]
        frames = stack.split(";")
        names = [frame_name(f) for f in frames if not f.startswith("thread ")]
        if not names:
            continue
        totals[kind] += count
        for name in set(names):
            inclusive[kind][name] += count
        own[kind][names[-1]] += count
    result: dict[str, Any] = {"samples_by_process_kind": dict(totals), "rate_hz": 50}
    for kind, total in totals.items():
        result[kind] = {
            "inclusive_top": [[name, n, round(100 * n / total, 1)] for name, n in inclusive[kind].most_common(TOP)],
            "self_top": [[name, n, round(100 * n / total, 1)] for name, n in own[kind].most_common(TOP)],
        }
    return result
