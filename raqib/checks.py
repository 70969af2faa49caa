"""Checks of command-line inputs before any work starts, so a bad input costs one line and exit code 2."""

from __future__ import annotations

import os
from pathlib import Path

DUCKDB_MAGIC = b"DUCK"  # bytes 8-12 of every DuckDB database file
SQLITE_MAGIC = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file


def sqlite_catalog(db: str) -> Path | None:
    """The catalog file of a `ducklake:sqlite:PATH` lake, None for any other warehouse (as warehouse.lake says,
    without importing DuckDB before the inputs are checked)."""
    prefix = "ducklake:sqlite:"
    return Path(db[len(prefix):]) if db.startswith(prefix) else None


class BadInput(ValueError):
    """A path or value given on the command line that the command cannot use, with the reason."""


def _nearest_existing(path: Path) -> Path:
    """The path itself or its closest ancestor that exists."""
    for candidate in (path, *path.absolute().parents):
        if candidate.exists():
            return candidate
    return Path("/")


def check_can_create(path: Path, what: str) -> None:
    """A file or folder that does not exist yet must be creatable: its closest existing ancestor a writable folder."""
    ancestor = _nearest_existing(path.parent)
    if not ancestor.is_dir():
        raise BadInput(f"cannot create {what} {path}: {ancestor} is not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise BadInput(f"cannot create {what} {path}: folder {ancestor} is not writable")


def _check_database_file(path: Path, write: bool, what: str, header: slice, magic: bytes, wrong: str) -> None:
    """An existing file must be a readable (and, to write, writable) database, known by its header bytes."""
    if path.is_dir():
        raise BadInput(f"{what} {path} is a folder, not a {wrong.split()[0]} file")
    try:
        with path.open("rb") as handle:
            head = handle.read(header.stop)
    except OSError as exc:
        raise BadInput(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    empty_sqlite = not head and magic == SQLITE_MAGIC  # an empty file is what SQLite itself makes of a new database
    if head[header] != magic and not empty_sqlite:
        raise BadInput(f"{path} is not a {wrong}")
    if write and not os.access(path, os.W_OK):
        raise BadInput(f"{what} {path} is not writable")


def _check_duckdb_file(path: Path, write: bool) -> None:
    """An existing file must be a readable (and, to write, writable) DuckDB database."""
    _check_database_file(path, write, "warehouse", slice(8, 12), DUCKDB_MAGIC, "DuckDB warehouse file")


def _check_sqlite_catalog(path: Path, write: bool) -> None:
    """An existing lake catalog must be a readable (and, to write, writable) SQLite database."""
    _check_database_file(path, write, "lake catalog", slice(0, 16), SQLITE_MAGIC, "SQLite catalog of a DuckLake")


def check_warehouse_to_write(path: Path | str) -> None:
    """A warehouse `raqib run` may write: an existing DuckDB file or SQLite catalog, or one it can create.

    A lake with a PostgreSQL catalog is checked when it is opened.
    """
    catalog = sqlite_catalog(str(path))
    if catalog is not None:
        if catalog.exists() or catalog.is_symlink():
            _check_sqlite_catalog(catalog, write=True)
        else:
            check_can_create(catalog, "lake catalog")
        return
    if isinstance(path, str) or str(path).startswith("ducklake:"):
        return
    if path.exists() or path.is_symlink():
        _check_duckdb_file(path, write=True)
    else:
        check_can_create(path, "warehouse")


def check_existing_warehouse(path: Path | str, write: bool = False) -> None:
    """A warehouse that must already exist, to read (or, with write, to update); a PostgreSQL lake: checked on open."""
    catalog = sqlite_catalog(str(path))
    if catalog is not None:
        # opening a lake for writing creates a missing one: `raqib reextract` must not make an empty warehouse
        if not catalog.exists():
            raise BadInput(f"no warehouse at {catalog}: run `raqib run` first to create it")
        _check_sqlite_catalog(catalog, write)
        return
    if isinstance(path, str) or str(path).startswith("ducklake:"):
        return
    if not path.exists():
        raise BadInput(f"no warehouse at {path}: run `raqib run` (or `raqib demo`) first to create it")
    _check_duckdb_file(path, write)


def check_folder(path: Path, what: str) -> None:
    """A folder to write into: an existing folder, or one that can be made."""
    if path.exists():
        if not path.is_dir():
            raise BadInput(f"{what} {path} is not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise BadInput(f"{what} {path} is not writable")
    else:
        check_can_create(path, what)


def check_output_file(path: Path, what: str) -> None:
    """A file to write: not a folder, and in a folder that exists or can be made."""
    if path.is_dir():
        raise BadInput(f"{what} {path} is a folder, not a file")
    if path.exists():
        if not os.access(path, os.W_OK):
            raise BadInput(f"{what} {path} is not writable")
    else:
        check_can_create(path, what)


def check_readable_file(path: Path) -> None:
    """An input file that must exist and be readable."""
    if path.is_dir():
        raise BadInput(f"cannot read {path}: it is a folder")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from exc
