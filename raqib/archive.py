"""The text archive: one `NNN_<content_hash>.txt` file per stored article."""

from __future__ import annotations

import ctypes
import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import cast

from extraction.textnorm import archive_name

_ARCHIVE_FILE = re.compile(r"^(\d{3,})_([0-9a-f]{16})\.txt$")


def archived_hashes(archive_dir: Path) -> dict[str, Path]:
    """Map content hash to its archive file for every well-named file in the folder."""
    found: dict[str, Path] = {}
    if not archive_dir.is_dir():
        return found
    for path in archive_dir.iterdir():
        match = _ARCHIVE_FILE.match(path.name)
        if match:
            found[match.group(2)] = path
    return found


def write_article(archive_dir: Path, sequence: int, digest: str, text: str) -> Path:
    """Write one article atomically (temp file, sync, rename) and return its path."""
    return write_articles(archive_dir, [(sequence, digest, text)])[0]


def write_articles(archive_dir: Path, items: Sequence[tuple[int, str, str]]) -> list[Path]:
    """Write (sequence, digest, text) articles durably and atomically; return their paths in order.

    Every text goes to a temp file, the files reach the disk with one flush of their file system (one fsync per
    file cost a journal commit each: most of a batch's archiving time), then each temp file is renamed to its
    name and the folder's entries are flushed. A crash leaves temp files or unnumbered orphans that `reconcile`
    removes, never a named file with half a text.
    """
    targets = [archive_dir / archive_name(sequence, digest) for sequence, digest, _ in items]  # checks each name
    archive_dir.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[Path, Path]] = []
    for (_, digest, text), target in zip(items, targets, strict=True):
        temp = archive_dir / f".{digest}.tmp"
        with open(temp, "w", encoding="utf-8") as handle:
            handle.write(text)
            if not _SYNCFS:
                handle.flush()
                os.fsync(handle.fileno())
        temps.append((temp, target))
    if temps:
        _flush_folder(archive_dir, data=_SYNCFS is not None)
        for temp, target in temps:
            os.replace(temp, target)
        _flush_folder(archive_dir, data=False)
    return [target for _, target in temps]


def _load_syncfs() -> Callable[[int], int] | None:
    """Linux's syncfs(2) (flush one file system), or None where the C library lacks it."""
    try:
        return cast(Callable[[int], int], ctypes.CDLL(None, use_errno=True).syncfs)
    except (AttributeError, OSError):
        return None


_SYNCFS = _load_syncfs()


def _flush_folder(folder: Path, *, data: bool) -> None:
    """fsync the folder (its entries); with `data`, first flush its whole file system (the files just written)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        if data and _SYNCFS is not None and _SYNCFS(fd) != 0:
            raise OSError(ctypes.get_errno(), f"could not flush the archive to disk: {folder}")
        os.fsync(fd)
    finally:
        os.close(fd)


def reconcile(archive_dir: Path, stored: Iterable[str], from_sequence: int = 0) -> int:
    """Delete archive files and temp files whose article never reached the warehouse.

    A run killed between writing the archive and committing its batch leaves such files;
    the next run writes them again under the number the warehouse then gives them. Files numbered
    below `from_sequence` (the warehouse's next number) are committed ones and are left alone, so
    the flow need not hold every stored hash.
    """
    keep = set(stored)
    removed = 0
    if not archive_dir.is_dir():
        return 0
    for path in archive_dir.iterdir():
        match = _ARCHIVE_FILE.match(path.name)
        if match and int(match.group(1)) < from_sequence:
            continue
        if (match and match.group(2) not in keep) or path.name.endswith(".tmp"):
            path.unlink(missing_ok=True)
            removed += 1
    return removed
