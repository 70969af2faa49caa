"""Which warehouse backend the tests build: RAQIB_TEST_BACKEND=file (a DuckDB file, the default) or lake.

On `lake` every warehouse a test makes through these helpers is a DuckLake with a SQLite catalog in the
test's folder; its Parquet files go in the folder beside the catalog (lake.default_data_path).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from warehouse import lake

BACKEND = os.environ.get("RAQIB_TEST_BACKEND", "file")
if BACKEND not in ("file", "lake"):
    raise ValueError(f"RAQIB_TEST_BACKEND must be 'file' or 'lake', not {BACKEND!r}")
ON_LAKE = BACKEND == "lake"


def db_in(folder: Path, name: str = "raqib.duckdb") -> Path | str:
    """The warehouse `name` in `folder`: that file, or on the lake `ducklake:sqlite:folder/STEM.sqlite`."""
    return db_at(folder / name if not ON_LAKE else folder / f"{Path(name).stem}.sqlite")


def db_at(path: Path) -> Path | str:
    """The warehouse kept at `path`: the DuckDB file itself, or on the lake the lake whose SQLite catalog it is."""
    return f"{lake.LAKE_PREFIX}sqlite:{path}" if ON_LAKE else path


def catalog_file(db: Path | str) -> Path:
    """The one file that says whether the warehouse exists: the DuckDB file or the lake's SQLite catalog."""
    text = str(db)
    if lake.is_lake_uri(text):
        return Path(text.split(":", 2)[2])
    return Path(text)


def data_folder(db: Path | str) -> Path:
    """Where a SQLite-catalog lake made by db_in keeps its Parquet files."""
    folder = lake.default_data_path(str(db))
    assert folder is not None
    return Path(folder)


def db_exists(db: Path | str) -> bool:
    """Tell whether anything of the warehouse was written on disk (the file, or the lake's catalog or data)."""
    if lake.is_lake_uri(str(db)):
        return catalog_file(db).exists() or data_folder(db).exists()
    return Path(db).exists()


def copy_db(source: Path | str, target: Path | str) -> None:
    """Copy a closed warehouse; a lake copy gets its own data folder, which its catalog then names.

    The catalog keeps the absolute path of its data folder: without the rewrite the copy would read (and its
    readers would keep reading) the source's Parquet files.
    """
    if not lake.is_lake_uri(str(source)):
        shutil.copyfile(source, target)
        return
    shutil.copyfile(catalog_file(source), catalog_file(target))
    shutil.copytree(data_folder(source), data_folder(target))
    with sqlite3.connect(catalog_file(target)) as con:
        changed = con.execute("UPDATE ducklake_metadata SET value = ? WHERE key = 'data_path' AND scope IS NULL",
                              [lake.default_data_path(str(target))]).rowcount
    con.close()
    assert changed == 1, "the lake's catalog names no data path"


def file_only(reason: str) -> pytest.MarkDecorator:
    """Mark a test of a DuckDB-file behaviour: it is skipped on the lake, saying why."""
    return pytest.mark.file_only(reason)


def lake_gap(reason: str) -> pytest.MarkDecorator:
    """Mark a test the lake fails for a known, documented gap (not a file-only behaviour): skipped there, saying so."""
    return pytest.mark.lake_gap(reason)
