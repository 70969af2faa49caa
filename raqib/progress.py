"""Live progress of long commands: flows emit plain counter events, the command line shows them on a terminal.

Flows only call `emit`; nothing is shown unless a command wraps its work in `shown` and stderr is a terminal,
so piped output keeps its plain lines.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, cast

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TaskID, TextColumn, TimeElapsedColumn
from rich.text import Text

# a listener gets (counter, done, planned): how much was finished and how much more is now expected
Listener = Callable[[str, int, int], None]

INGEST_STAGES = (
    ("sources", "sources discovered"),
    ("fetched", "pages fetched"),
    ("extracted", "articles extracted"),
    ("loaded", "batches loaded"),
    ("failures", "failures so far"),
)
REEXTRACT_STAGES = (
    ("extracted", "articles re-extracted"),
    ("events", "events found"),
    ("loaded", "batches loaded"),
)

_listeners: list[Listener] = []
_lock = threading.Lock()


def emit(counter: str, done: int = 0, planned: int = 0) -> None:
    """Report that `done` more units of `counter` finished and `planned` more are expected (no-op unheard)."""
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(counter, done, planned)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send every event to `listener` while the body runs."""
    with _lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _lock:
            _listeners.remove(listener)


class CountColumn(ProgressColumn):
    """`done/planned`, or only `done` while nothing is planned."""

    def render(self, task: Task) -> Text:
        """The count of one row."""
        done = int(task.completed)
        return Text(f"{done}/{int(task.total)}" if task.total is not None else str(done), style="progress.download")


class LiveProgress:
    """One rich progress row per stage, advanced by the events."""

    def __init__(self, stages: Sequence[tuple[str, str]], console: Console) -> None:
        """Set up a row for each (counter, label) stage."""
        self.progress = Progress(TextColumn("{task.description:<22}"), BarColumn(bar_width=30), CountColumn(),
                                 TimeElapsedColumn(), console=console, refresh_per_second=8)
        self.rows: dict[str, TaskID] = {name: self.progress.add_task(label, total=None) for name, label in stages}
        self.totals: dict[str, int] = dict.fromkeys(self.rows, 0)
        self._lock = threading.Lock()

    def __call__(self, counter: str, done: int, planned: int) -> None:
        """Advance one row; an unknown counter is ignored."""
        row = self.rows.get(counter)
        if row is None:
            return
        with self._lock:
            self.totals[counter] += planned
            total = self.totals[counter] or None  # no plan yet: a count without a bar's end
            self.progress.update(row, total=total, advance=done)


class _Above(io.TextIOBase):
    """A stream whose whole lines are printed through the live console, above its rows."""

    def __init__(self, console: Console) -> None:
        """Print through `console`."""
        self._console = console
        self._partial = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        """Keep a partial line; print complete ones (ANSI colours kept)."""
        with self._lock:
            *lines, self._partial = (self._partial + text).split("\n")
            if lines:
                self._console.print(Text("\n").join(Text.from_ansi(line) for line in lines), soft_wrap=True)
        return len(text)

    def isatty(self) -> bool:
        """Like the terminal it stands for, so log colours stay."""
        return True


def _log_consoles() -> list[Console]:
    """The rich consoles of every logging handler (Prefect's console log is one)."""
    loggers = [logging.getLogger(), *(v for v in logging.Logger.manager.loggerDict.values()
                                      if isinstance(v, logging.Logger))]
    consoles: list[Console] = []
    for logger in loggers:
        for handler in logger.handlers:
            console = getattr(handler, "console", None)
            if isinstance(console, Console) and console not in consoles:
                consoles.append(console)
    return consoles


@contextmanager
def _logs_above(console: Console) -> Iterator[None]:
    """Send log lines written to the same stream through the live display, so a redraw never erases them."""
    target = console.file
    moved = [other for other in _log_consoles() if other is not console and other.file is target]
    for other in moved:
        other.file = cast(IO[str], _Above(console))
    try:
        yield
    finally:
        for other in moved:
            other.file = target


@contextmanager
def shown(stages: Sequence[tuple[str, str]], console: Console | None = None) -> Iterator[None]:
    """Show live progress of the stages while the body runs, only if the console (default stderr) is a terminal."""
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    display = LiveProgress(stages, console)
    with display.progress, listening(display), _logs_above(console):
        yield
