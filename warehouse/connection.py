"""Opening the warehouse: one writer at a time (with a clear refusal), read-only readers, migrations."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import logging
import os
import re
import socket
import sys
import threading
import time
import weakref
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warehouse import lake
from warehouse.migrate import apply_migrations

log = logging.getLogger(__name__)

if importlib.util.find_spec("pandas") is None:
    # DuckDB's Python client tries `import pandas` while binding parameters and converting results, several
    # times per query; an absent module is searched for on disk every time (measured: 0.2-0.4 ms a query,
    # seconds per run). Marking it absent once makes each of those attempts fail at once.
    sys.modules.setdefault("pandas", None)  # type: ignore[arg-type]
_LOCK_PID = re.compile(r"\(PID (\d+)\)")
_open_writers: dict[str, weakref.ref[duckdb.DuckDBPyConnection]] = {}
_open_writers_guard = threading.Lock()


class WarehouseError(RuntimeError):
    """The warehouse cannot do what was asked; the message says why."""


def is_out_of_memory(exc: BaseException) -> bool:
    """Whether DuckDB ran out of its memory limit: its own error, or a DuckLake commit that failed for it."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, duckdb.OutOfMemoryException):
            return True
        if isinstance(seen, duckdb.Error) and ("Out of Memory Error" in str(seen) or "failed to allocate" in str(seen)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def out_of_memory_message(limit: str | None) -> str:
    """What an operator is told when the writer ran out of memory: the limit in force and how to raise it."""
    return (f"the warehouse writer ran out of memory (limit {limit or WRITER_MEMORY_LIMIT}): raise "
            "writer_memory_limit in [settings] or RAQIB_WRITER_MEMORY_LIMIT; the batch in flight was not kept, "
            "the next run loads it again")


class WarehouseBusy(WarehouseError):
    """Another process (or connection) holds the warehouse file."""


# What the writer's buffer pool may hold; with no key index pinned in memory (migration 007) the rest spills to
# <file>.tmp, so the limit holds however many years the warehouse keeps (docs/PERFORMANCE.md, fourth pass).
WRITER_MEMORY_LIMIT = "160MB"
WRITER_CHECKPOINT_THRESHOLD = "1GB"
# A checkpoint rewrites the last, partly filled row group of a table with its indexes; with DuckDB's default
# (122,880 rows) that is up to a whole history's worth of articles. Small groups keep it to what a run adds.
WRITER_ROW_GROUP_SIZE = 16384
WRITER_CATALOG = "warehouse"


def fts_extension_path() -> Path:
    """Return the path of the full-text-search extension shipped by the duckdb-extension-fts wheel."""
    import duckdb_extension_fts

    base = Path(duckdb_extension_fts.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    path = base / "fts.duckdb_extension"
    if not path.is_file():
        raise WarehouseError(f"the fts extension for DuckDB {duckdb.__version__} is not installed (looked in {base})")
    return path


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load the fts extension from the installed wheel, never from the internet."""
    con.execute("LOAD '" + fts_extension_path().as_posix().replace("'", "''") + "'")


def _holder_file(db_path: Path) -> Path:
    """Return the file next to the database that names the current writer (informational only)."""
    return db_path.with_name(db_path.name + ".writer")


def _pid_alive(pid: int) -> bool:
    """Tell whether a local process id is running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _busy_message(db_path: Path, error: Exception, wanted: str) -> str:
    """Explain who holds the warehouse, from DuckDB's lock error and the writer file."""
    match = _LOCK_PID.search(str(error))
    pid = int(match.group(1)) if match else None
    holder = f"process {pid}" if pid else "another process"
    try:
        info = json.loads(_holder_file(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        info = {}
    if info and pid is not None and pid == info.get("pid") and _pid_alive(pid):
        holder = f"a writer (pid {pid} on {info.get('host')}, since {info.get('since')}: {info.get('command')})"
    elif pid:
        holder = f"process {pid} (a writer, or a reader such as `raqib sql`)"
    return (
        f"warehouse {db_path} is busy: {holder} has it open, so it cannot be opened {wanted} now. "
        "DuckDB allows one process at a time to write; try again when that process ends."
    )


def _is_lock_error(error: Exception) -> bool:
    """Tell whether a DuckDB error is the file lock held by another process."""
    text = str(error)
    return "Could not set lock" in text or "Conflicting lock" in text


def _open(db_path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A reader opens the file; the writer attaches it with small row groups (see WRITER_ROW_GROUP_SIZE)."""
    if read_only:
        return duckdb.connect(str(db_path), read_only=True)
    con = duckdb.connect()
    try:
        quoted = str(db_path).replace("'", "''")
        con.execute(f"SET temp_directory = '{quoted}.tmp'")  # where DuckDB spills: beside the file, as before
        con.execute(f"ATTACH '{quoted}' AS {WRITER_CATALOG} (ROW_GROUP_SIZE {WRITER_ROW_GROUP_SIZE})")
        con.execute(f"USE {WRITER_CATALOG}")
    except BaseException:
        con.close()
        raise
    return con


def _connect(db_path: Path, read_only: bool, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """Open DuckDB, retrying while another process holds the lock, then raise WarehouseBusy."""
    deadline = time.monotonic() + wait_seconds
    wanted = "read-only" if read_only else "for writing"
    while True:
        try:
            return _open(db_path, read_only)
        except duckdb.BinderException as exc:
            if "Unique file handle conflict" not in str(exc):
                raise WarehouseError(f"cannot open warehouse {db_path}: {exc}") from exc
            raise WarehouseBusy(f"warehouse {db_path} is already open in this process for writing: {exc}") from exc
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise WarehouseError(f"cannot open warehouse {db_path}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise WarehouseBusy(_busy_message(db_path, exc, wanted)) from exc
            time.sleep(0.2)
        except duckdb.ConnectionException as exc:
            # Same process, other configuration (a writer open while a reader is asked for, or the reverse).
            raise WarehouseBusy(
                f"warehouse {db_path} is already open in this process with another mode: {exc}"
            ) from exc


def _claim_in_process(key: str, db_path: Path) -> None:
    """Refuse a second writer connection inside this process while the first is still open."""
    ref = _open_writers.get(key)
    con = ref() if ref else None
    if con is None:
        return
    try:
        con.execute("SELECT 1")
    except duckdb.ConnectionException:
        return
    raise WarehouseBusy(f"warehouse {db_path} already has an open writer in this process (pid {os.getpid()})")


def _connect_lake_writer(uri: str, data_path: str | None, memory_limit: str) -> duckdb.DuckDBPyConnection:
    """Open the lake for writing (other writers may be open too) and apply pending migrations."""
    try:
        con = lake.open_lake(uri, data_path)
    except lake.LakeError as exc:
        raise WarehouseError(str(exc)) from exc
    try:
        con.execute(f"SET memory_limit = '{memory_limit}'")
        load_fts(con)  # the search index's word macros stem with it (migration 005)
        # two writers opening a new lake at once race on the migrations: the loser re-reads and goes on
        lake.retry_conflicts(lambda: apply_migrations(con))
        lake.ensure_lake_search(con)
    except BaseException:
        con.close()
        raise
    return con


def connect_writer(db_path: Path | str, wait_seconds: float = 0.0, lake_data_path: str | None = None,
                   memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for writing, refusing with WarehouseBusy if anyone else has it; apply migrations.

    A `ducklake:` URI opens the lake instead; lake_data_path is where a new lake puts its Parquet files.
    memory_limit is DuckDB's for this connection ("1GB"), WRITER_MEMORY_LIMIT when not given.
    """
    memory_limit = memory_limit or WRITER_MEMORY_LIMIT
    if lake.is_lake_uri(db_path):
        return _connect_lake_writer(str(db_path), lake_data_path, memory_limit)
    path = Path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = str(path.resolve())
    with _open_writers_guard:
        _claim_in_process(key, path)
        con = _connect(path, read_only=False, wait_seconds=wait_seconds)
        _open_writers[key] = weakref.ref(con)
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv)[:200],
    }
    with contextlib.suppress(OSError):  # the file only names the holder in a busy message
        _holder_file(path).write_text(json.dumps(holder), encoding="utf-8")
    try:
        # DuckDB's cache would otherwise grow towards most of the machine's memory as the warehouse grows
        con.execute(f"SET memory_limit = '{memory_limit}'")
        # A checkpoint rewrites the last, partly filled row group of each table it touches: for the text tables
        # (articles, article_search) up to 122,880 articles' text, about 4 s each at 100,000 articles. Past the
        # default 16 MB of log a run checkpointed several times; now once, when the writer closes.
        con.execute(f"SET checkpoint_threshold = '{WRITER_CHECKPOINT_THRESHOLD}'")
        load_fts(con)
        apply_migrations(con)
        from warehouse.search import ensure_search_index

        ensure_search_index(con)
    except BaseException:
        con.close()
        raise
    return con


def _connect_lake_reader(uri: str, sandbox: bool, at_run: str | None) -> duckdb.DuckDBPyConnection:
    """Open the lake read-only, at its latest snapshot or at the one a run recorded."""
    catalog = lake.sqlite_catalog(uri)
    if catalog is not None and not catalog.exists():  # else DuckDB's "unable to open database file"
        raise WarehouseError(f"no warehouse at {catalog}: run `raqib run` first to create it")
    try:
        con = lake.open_lake(uri, read_only=True)
        if at_run is not None:
            snapshot = lake.run_snapshot(con, at_run)
            con.close()
            con = lake.open_lake(uri, read_only=True, snapshot=snapshot)
    except lake.LakeError as exc:
        raise WarehouseError(str(exc)) from exc
    except duckdb.CatalogException as exc:
        raise WarehouseError(f"no warehouse in the lake {uri}: run `raqib run` first to create it ({exc})") from exc
    try:
        load_fts(con)  # the search macros stem words with it
    except (WarehouseError, duckdb.Error) as exc:
        log.warning("full-text search unavailable: %s", exc)
    if sandbox:
        # The lake must still read its own Parquet files: only its data folder stays reachable.
        row = con.execute(f"SELECT value FROM {lake.LAKE_ALIAS}.options() WHERE option_name = 'data_path'").fetchone()
        data_path = str(row[0]) if row and row[0] else ""
        if data_path and "://" not in data_path:
            con.execute("SET allowed_directories = ?", [[data_path]])
            con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    return con


def connect_reader(
    db_path: Path | str, wait_seconds: float = 0.0, sandbox: bool = False, at_run: str | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only; with sandbox=True the connection cannot touch any other file either.

    On a lake, at_run names a finished run: the connection then sees the warehouse as that run left it.
    """
    if lake.is_lake_uri(db_path):
        return _connect_lake_reader(str(db_path), sandbox, at_run)
    if at_run is not None:
        raise WarehouseError("history (--at-run) needs a DuckLake warehouse (--db ducklake:...); "
                             "the DuckDB file keeps only its latest state")
    path = Path(db_path)
    if not path.is_file():
        raise WarehouseError(f"no warehouse at {path}: run `raqib run` (or `raqib demo`) first to create it")
    con = _connect(path, read_only=True, wait_seconds=wait_seconds)
    try:
        try:
            load_fts(con)
        except (WarehouseError, duckdb.Error) as exc:
            # Reading tables must keep working without it; only search(q) needs the extension.
            log.warning("full-text search unavailable: %s", exc)
        if sandbox:
            # No ATTACH, COPY TO, file readers or extension loading, and no way to switch them back on.
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con
