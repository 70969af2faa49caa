"""DuckLake: the warehouse as a catalog database (PostgreSQL or SQLite) plus Parquet files, with a snapshot per commit.

`--db ducklake:postgres:CONNINFO` or `--db ducklake:sqlite:PATH` opens the lake instead of a DuckDB file. The
extensions load from their wheels (never from the internet). Writers in several processes are serialised by
optimistic concurrency: every write transaction bumps the one row of `commit_guard`, so two overlapping writes
conflict in DuckLake's commit and the later one is retried from the start (see docs/SCALING.md).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import random
import re
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb

log = logging.getLogger(__name__)
LAKE_PREFIX = "ducklake:"
# The catalog name the lake is attached under; every statement runs with it as the default database.
LAKE_ALIAS = "raqib_lake"
# Wheel module and extension file for each extension the lake needs.
_EXTENSIONS = {
    "ducklake": ("duckdb_extension_ducklake", "ducklake"),
    "postgres": ("duckdb_extension_postgres_scanner", "postgres_scanner"),
    "sqlite": ("duckdb_extension_sqlite_scanner", "sqlite_scanner"),
}
# DuckLake has no primary keys or unique constraints: the column constraint and the table constraint both go.
_PRIMARY_KEY_COLUMN = re.compile(r"\s+PRIMARY\s+KEY\b(?!\s*\()", re.IGNORECASE)
_PRIMARY_KEY_TABLE = re.compile(r",\s*PRIMARY\s+KEY\s*\([^)]*\)", re.IGNORECASE)
_CONFLICT_WORDS = ("conflict", "database is locked")
T = TypeVar("T")
# Per connection: is it a lake, and does it have commit_guard yet (both asked on every write, so remembered).
_IS_LAKE: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, bool] = weakref.WeakKeyDictionary()
_HAS_GUARD: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, bool] = weakref.WeakKeyDictionary()


class LakeError(RuntimeError):
    """The lake URI or its extensions cannot be used; the message says why."""


def is_lake_uri(db: Path | str) -> bool:
    """Tell whether a --db value names a DuckLake (`ducklake:postgres:...` or `ducklake:sqlite:...`)."""
    return str(db).startswith(LAKE_PREFIX)


def catalog_kind(uri: str) -> str:
    """Return 'postgres' or 'sqlite' for a lake URI, refusing anything else."""
    rest = uri[len(LAKE_PREFIX):]
    kind = rest.split(":", 1)[0]
    if kind not in ("postgres", "sqlite") or ":" not in rest:
        raise LakeError(f"a lake must be ducklake:postgres:CONNINFO or ducklake:sqlite:PATH, not {uri!r}")
    return kind


def sqlite_catalog(uri: str) -> Path | None:
    """Return the catalog file of a `ducklake:sqlite:PATH` lake, None for any other warehouse."""
    prefix = LAKE_PREFIX + "sqlite:"
    return Path(uri[len(prefix):]) if uri.startswith(prefix) else None


def default_data_path(uri: str) -> str | None:
    """Return where the Parquet files go when lake_data_path is not set: next to a SQLite catalog, else nowhere."""
    if catalog_kind(uri) == "sqlite":
        return uri.split(":", 2)[2] + ".files/"
    return None


def extension_path(name: str) -> Path:
    """Return the extension file shipped by its duckdb-extension-* wheel."""
    module_name, file_stem = _EXTENSIONS[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise LakeError(f"the {file_stem} extension is not installed (pip install {module_name})") from exc
    base = Path(str(module.__file__)).parent / "extensions" / f"v{duckdb.__version__}"
    path = base / f"{file_stem}.duckdb_extension"
    if not path.is_file():
        raise LakeError(f"the {file_stem} extension for DuckDB {duckdb.__version__} is not installed "
                        f"(looked in {base})")
    return path


def _quote(text: str) -> str:
    """Quote text for a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _attach(con: duckdb.DuckDBPyConnection, uri: str, options: list[str], path: str | None,
            new_lake_path: str | None) -> None:
    """ATTACH the lake; when several processes create a new catalog at once, the losers attach again.

    new_lake_path is the data folder to give when the lake turns out not to exist yet.
    """
    for attempt in range(1, 11):
        wanted = [*options, f"DATA_PATH {_quote(path)}"] if path else options
        suffix = f" ({', '.join(wanted)})" if wanted else ""
        try:
            con.execute(f"ATTACH {_quote(uri)} AS {LAKE_ALIAS}{suffix}")
            return
        except duckdb.Error as exc:
            text = str(exc)
            if "DATA_PATH" in text.upper() and not path:
                if new_lake_path:  # another process had only begun to create it, or it was an empty file
                    path = new_lake_path
                    if "://" not in path:
                        Path(path).mkdir(parents=True, exist_ok=True)
                    continue
                raise LakeError(f"a new lake needs a folder for its data files: set lake_data_path "
                                f"(RAQIB_LAKE_DATA_PATH): {exc}") from exc
            racing = "Failed to initialize DuckLake" in text and ("duplicate key" in text or "already exists" in text)
            if not racing or attempt == 10:
                raise LakeError(f"cannot attach the lake {uri}: {exc}") from exc
            time.sleep(random.uniform(0.05, 0.3))


def open_lake(uri: str, data_path: str | None = None, read_only: bool = False,
              snapshot: int | None = None) -> duckdb.DuckDBPyConnection:
    """Open an in-memory DuckDB with the lake attached (at a snapshot, if given) and made the default database."""
    kind = catalog_kind(uri)
    con = duckdb.connect()
    try:
        for name in ("ducklake", kind):
            con.execute("LOAD " + _quote(extension_path(name).as_posix()))
        options = []
        path = data_path
        new_lake_path = None
        if not read_only and not path:
            new_lake_path = default_data_path(uri)
            catalog = sqlite_catalog(uri)
            # A lake keeps the data folder it was made with (the catalog names it); giving another one, even this
            # default, is refused. Only a lake not made yet gets the default.
            if catalog is None or not catalog.is_file() or catalog.stat().st_size == 0:
                path = new_lake_path
        if path and not read_only and "://" not in path:
            Path(path).mkdir(parents=True, exist_ok=True)
        if read_only:
            options.append("READ_ONLY")
            path = None
        if snapshot is not None:
            options.append(f"SNAPSHOT_VERSION {int(snapshot)}")
        _attach(con, uri, options, path, new_lake_path)
        con.execute(f"USE {LAKE_ALIAS}")
    except BaseException:
        con.close()
        raise
    return con


def is_lake_connection(con: duckdb.DuckDBPyConnection) -> bool:
    """Tell whether a connection's default database is the lake."""
    known = _IS_LAKE.get(con)
    if known is None:
        row = con.execute("SELECT current_database()").fetchone()
        known = _IS_LAKE[con] = bool(row and row[0] == LAKE_ALIAS)
    return known


def adapt_sql(sql: str) -> str:
    """Rewrite migration SQL for DuckLake: drop PRIMARY KEY constraints (uniqueness is kept by the loads)."""
    return _PRIMARY_KEY_TABLE.sub("", _PRIMARY_KEY_COLUMN.sub("", sql))


def guard_commit(con: duckdb.DuckDBPyConnection) -> None:
    """On the lake, make this write transaction conflict with any other one committed meanwhile (then retried)."""
    if not is_lake_connection(con):
        return
    if not _HAS_GUARD.get(con):  # asked until migration 006 made the table; once there, it stays
        exists = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = 'commit_guard'",
            [LAKE_ALIAS],
        ).fetchone()
        _HAS_GUARD[con] = bool(exists and exists[0])
    if _HAS_GUARD[con]:
        con.execute("UPDATE commit_guard SET n = n + 1")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block in one transaction: commit on success, roll back everything on any error."""
    con.execute("BEGIN TRANSACTION")
    try:
        guard_commit(con)  # on a lake: overlapping writers conflict, and the later one is retried
        yield
    except BaseException:
        # A failed rollback (say, the disk is full or the database was invalidated) must not hide the first error.
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")

def is_conflict(error: BaseException) -> bool:
    """Tell whether an error is a lost race between two lake commits (worth running the transaction again)."""
    text = str(error).lower()
    return isinstance(error, duckdb.Error) and any(word in text for word in _CONFLICT_WORDS)


def retry_conflicts(action: Callable[[], T], attempts: int = 30) -> T:
    """Run a write again after a commit conflict with another writer, with a growing random pause."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except duckdb.Error as exc:
            if not is_conflict(exc) or attempt == attempts:
                raise
            log.info("lake commit conflict (attempt %d), retrying: %s", attempt, str(exc).splitlines()[0])
            time.sleep(random.uniform(0.05, 0.1 * min(attempt, 10)))
    raise AssertionError("unreachable")


def current_snapshot(con: duckdb.DuckDBPyConnection) -> int:
    """Return the lake's latest snapshot id."""
    row = con.execute(f"SELECT id FROM {LAKE_ALIAS}.current_snapshot()").fetchone()
    if row is None:
        raise LakeError("the lake has no snapshot")
    return int(row[0])


def record_run_snapshot(con: duckdb.DuckDBPyConnection, run_id: str) -> int | None:
    """After a run's last write, mark its snapshot and store the id in runs.snapshot_id; None off the lake."""
    if not is_lake_connection(con):
        return None
    message = f"run {run_id} finished"

    def mark() -> int:
        with transaction(con):
            con.execute(f"CALL {LAKE_ALIAS}.set_commit_message('raqib', ?)", [message])
        row = con.execute(f"SELECT max(snapshot_id) FROM {LAKE_ALIAS}.snapshots() WHERE commit_message = ?",
                          [message]).fetchone()
        return int(row[0]) if row and row[0] is not None else current_snapshot(con)

    snapshot = retry_conflicts(mark)

    def store() -> None:
        with transaction(con):
            con.execute("UPDATE runs SET snapshot_id = ? WHERE run_id = ?", [snapshot, run_id])

    retry_conflicts(store)
    return snapshot


def run_snapshot(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    """Return the snapshot a finished run recorded, or raise LakeError saying why there is none."""
    row = con.execute("SELECT snapshot_id, status FROM runs WHERE ? IN (run_id, flow_run_id) "
                      "ORDER BY started_at DESC LIMIT 1", [run_id]).fetchone()
    if row is None:
        raise LakeError(f"no run {run_id!r} in the warehouse (see `raqib status`)")
    if row[0] is None:
        raise LakeError(f"run {run_id!r} ({row[1]}) recorded no snapshot: it has not finished, or ran before history")
    return int(row[0])


# BM25 (k1 = 1.2, b = 0.75, as DuckDB's fts) computed by a scan of article_search: DuckLake holds no index.
# Every query word must occur (the fts index's conjunctive mode); words are normalised and lightly stemmed by
# ar_search_text, without the Snowball stemmer the fts index adds, so some inflected forms match less.
LAKE_SEARCH_SQL = """
WITH q AS (SELECT DISTINCT unnest(string_split(ar_search_text(?), ' ')) AS term),
docs AS (
    SELECT content_hash,
           list_filter(string_split(coalesce(title_norm, '') || ' ' || coalesce(text_norm, ''), ' '),
                       w -> w <> '') AS words
    FROM article_search
),
stats AS (SELECT count(*) AS n, avg(len(words)) AS avg_len FROM docs),
tf AS (
    SELECT d.content_hash, q.term, len(list_filter(d.words, w -> w = q.term)) AS tf, len(d.words) AS dl
    FROM docs AS d CROSS JOIN q
),
df AS (SELECT term, count(*) FILTER (WHERE tf > 0) AS df FROM tf GROUP BY term),
scored AS (
    SELECT tf.content_hash, bool_and(tf.tf > 0) AS every_word,
           sum(ln(1 + (s.n - df.df + 0.5) / (df.df + 0.5))
               * tf.tf * 2.2 / (tf.tf + 1.2 * (0.25 + 0.75 * tf.dl / s.avg_len))) AS score
    FROM tf JOIN df USING (term) CROSS JOIN stats AS s
    GROUP BY tf.content_hash
)
SELECT a.content_hash, a.source, a.url, a.title, a.published, s.score
FROM scored AS s JOIN articles AS a USING (content_hash)
WHERE s.every_word
ORDER BY s.score DESC, a.content_hash
LIMIT ?
"""


def _search_macro(name: str, every_word: bool) -> str:
    """Return the CREATE MACRO of search(q) or search_any(q) for the lake, from the same BM25 query."""
    body = LAKE_SEARCH_SQL.replace("ar_search_text(?)", "ar_search_text(q)").replace("LIMIT ?", "")
    if not every_word:
        body = body.replace("WHERE s.every_word", "WHERE s.score > 0")
    return f"CREATE OR REPLACE MACRO {name}(q) AS TABLE {body};"


def ensure_lake_search(con: duckdb.DuckDBPyConnection) -> None:
    """Create the search(q) and search_any(q) table macros in the lake once (the same names as with the fts index)."""
    row = con.execute("SELECT count(*) FROM duckdb_functions() WHERE database_name = ? AND function_name = 'search'",
                      [LAKE_ALIAS]).fetchone()
    if row and row[0]:
        return

    def create() -> None:
        with transaction(con):
            con.execute(_search_macro("search", True))
            con.execute(_search_macro("search_any", False))

    retry_conflicts(create)


def search_lake(con: duckdb.DuckDBPyConnection, query: str, limit: int) -> list[dict[str, object]]:
    """Return the articles containing every word of the query, best first, by BM25 computed without an index."""
    cursor = con.execute(LAKE_SEARCH_SQL, [query, limit])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of `con` for another thread, reading the same catalog (USE is per cursor: the lake's, the writer's)."""
    row = con.execute("SELECT current_database()").fetchone()
    other = con.cursor()
    if row is not None and row[0] != "memory":
        other.execute(f'USE "{row[0]}"')
    return other
