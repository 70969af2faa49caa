"""Live progress: counters per stage on a terminal, today's plain lines everywhere else."""

from __future__ import annotations

import fcntl
import io
import logging
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from rich.console import Console

from raqib import progress
from raqib.demo import DEFAULT_SITE, demo_sources, serve_site

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def feed_a_run() -> None:
    """The events of a small run: two sources, five pages in two batches, one failure."""
    progress.emit("sources", planned=2)
    progress.emit("sources", done=2)
    progress.emit("fetched", planned=5)
    progress.emit("loaded", planned=2)
    progress.emit("fetched", done=3)
    progress.emit("extracted", done=3)
    progress.emit("loaded", done=1)
    progress.emit("failures", done=1)
    progress.emit("not-a-stage", done=7)  # ignored


def test_terminal_shows_a_counter_per_stage() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100, color_system=None)
    with progress.shown(progress.INGEST_STAGES, console):
        feed_a_run()
    lines = [text for line in buffer.getvalue().splitlines() if (text := ANSI.sub("", line).strip())]
    final = {line.split("  ")[0]: line for line in lines[-len(progress.INGEST_STAGES):]}
    assert set(final) == {label for _, label in progress.INGEST_STAGES}
    assert " 2/2 " in final["sources discovered"]
    assert " 3/5 " in final["pages fetched"]
    assert re.search(r" 3 ", final["articles extracted"])
    assert " 1/2 " in final["batches loaded"]
    assert re.search(r" 1 ", final["failures so far"])
    assert progress._listeners == []  # the display stops listening when the work ends


def test_log_lines_go_above_the_live_rows() -> None:
    """A rich log handler on the same stream (Prefect's console log) prints whole lines the redraws keep."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100, color_system=None)
    handler = logging.StreamHandler()
    handler.console = Console(file=buffer, force_terminal=True, width=100, color_system=None)  # type: ignore[attr-defined]
    handler.emit = lambda record: handler.console.print(record.getMessage())  # type: ignore[method-assign,attr-defined]
    logger = logging.getLogger("raqib.test-progress")
    logger.addHandler(handler)
    try:
        with progress.shown(progress.INGEST_STAGES, console):
            feed_a_run()
            logger.warning("source demo-feed failed: http_500")
    finally:
        logger.removeHandler(handler)
    assert handler.console.file is buffer  # type: ignore[attr-defined]
    lines = [ANSI.sub("", line).strip() for line in re.split(r"[\r\n]", buffer.getvalue())]
    assert "source demo-feed failed: http_500" in lines


def test_not_a_terminal_shows_nothing() -> None:
    buffer = io.StringIO()
    with progress.shown(progress.INGEST_STAGES, Console(file=buffer)):
        feed_a_run()
    assert buffer.getvalue() == ""


def run_in_pty(argv: list[str], timeout: float = 240) -> tuple[int, str]:
    """Run a command with stdout and stderr on a 120x40 pseudo-terminal; its exit code and everything it wrote."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed its end
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return code, b"".join(chunks).decode("utf-8", errors="replace")


@pytest.mark.slow
def test_raqib_run_shows_progress_on_a_terminal_and_plain_lines_in_a_pipe(tmp_path: Path) -> None:
    """The real command over the demo site: live counters in a pseudo-terminal, the old summary when piped."""
    with serve_site(DEFAULT_SITE) as base_url:
        sources = tmp_path / "sources.toml"
        sources.write_text(demo_sources(base_url), encoding="utf-8")
        command = [sys.executable, "-m", "raqib.cli", "run", "--sources", str(sources)]
        code, shown = run_in_pty([*command, "--db", str(tmp_path / "tty.duckdb")])
        piped = subprocess.run([*command, "--db", str(tmp_path / "piped.duckdb")], capture_output=True, text=True,
                               timeout=240)
    text = ANSI.sub("", shown)
    assert code == 0, text[-3000:]
    for _, label in progress.INGEST_STAGES:
        assert label in text
    assert re.search(r"sources discovered\s.*\s2/2\s", text)
    fetched = re.findall(r"pages fetched\s.*?\s(\d+)/(\d+)\s", text)
    assert fetched and fetched[-1][0] == fetched[-1][1] and int(fetched[-1][0]) > 10  # the last frame is complete
    assert "sources 2, articles" in text  # the summary still follows

    assert piped.returncode == 0, piped.stderr[-3000:]
    assert piped.stdout.startswith("run ") and "sources 2, articles" in piped.stdout
    for _, label in progress.INGEST_STAGES:
        assert label not in piped.stdout + piped.stderr
    assert "\x1b[" not in piped.stdout
