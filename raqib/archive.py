"""The text archive: one `NNN_<content_hash>.txt` file per stored article."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

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
    """Write one article atomically (temp file, fsync, rename) and return its path."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    target = archive_dir / archive_name(sequence, digest)
    temp = archive_dir / f".{digest}.tmp"
    with open(temp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, target)
    return target


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
