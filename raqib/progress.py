"""Live progress of long commands: flows emit plain counter events, the command line shows them on a terminal.

Flows only call `emit`; nothing is shown unless a command wraps its work in `shown` and stderr is a terminal,
so piped output keeps its plain lines.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

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


@contextmanager
def shown(stages: Sequence[tuple[str, str]], console: Console | None = None) -> Iterator[None]:
    """Show live progress of the stages while the body runs, only if the console (default stderr) is a terminal."""
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    display = LiveProgress(stages, console)
    with display.progress, listening(display):
        yield
